// trace_spans: the spans this database's services recorded (docs/tracing.md), one row per span
// with the whole record as JSON, pruned to [trace] max_spans rows by the writers. Looked up by
// request id (local or global) and trace id. Portable for MariaDB and SQLite.
import { Table, type MigrationInterface, type QueryRunner } from 'typeorm';

export class TraceSpans1765500000000 implements MigrationInterface {
  name = 'TraceSpans1765500000000';

  async up(q: QueryRunner): Promise<void> {
    await q.createTable(new Table({
      name: 'trace_spans',
      columns: [
        { name: 'id', type: 'integer', isPrimary: true, isGenerated: true, generationStrategy: 'increment' },
        { name: 'trace_id', type: 'varchar', length: '32', isNullable: false },
        { name: 'request_id', type: 'varchar', length: '64', isNullable: true },
        { name: 'global_request_id', type: 'varchar', length: '64', isNullable: true },
        { name: 'record', type: 'text', isNullable: false },
      ],
      indices: [
        { name: 'trace_spans_trace_id_idx', columnNames: ['trace_id'] },
        { name: 'trace_spans_request_id_idx', columnNames: ['request_id'] },
        { name: 'trace_spans_global_request_id_idx', columnNames: ['global_request_id'] },
      ],
    }));
  }

  async down(q: QueryRunner): Promise<void> {
    await q.dropTable('trace_spans');
  }
}
