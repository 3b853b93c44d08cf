// instances.fault_code: the HTTP code of a server's fault (Nova's instance_faults.code), shown
// as fault.code: a quota the recheck found exceeded is 403, a build that failed 500.
import { TableColumn, type MigrationInterface, type QueryRunner } from 'typeorm';
import { addMissingColumns } from '../common/redo-safe';

export class InstanceFaultCode1765840000000 implements MigrationInterface {
  name = 'InstanceFaultCode1765840000000';

  async up(q: QueryRunner): Promise<void> {
    await addMissingColumns(q, 'instances', [new TableColumn({ name: 'fault_code', type: 'integer', isNullable: true })]);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.dropColumn('instances', 'fault_code');
  }
}
