// trace_spans in this database (the same table as the other project's: migrations/common/trace-spans-table.ts).
import type { MigrationInterface, QueryRunner } from 'typeorm';
import { traceSpansTable } from '../common/trace-spans-table';
import { createTables } from '../common/redo-safe';

export class TraceSpans1765500000000 implements MigrationInterface {
  name = 'TraceSpans1765500000000';

  async up(q: QueryRunner): Promise<void> {
    await createTables(q, traceSpansTable());
  }

  async down(q: QueryRunner): Promise<void> {
    await q.dropTable('trace_spans');
  }
}
