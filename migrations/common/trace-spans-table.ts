// trace_spans, the same table in the nova and the cinder database (docs/tracing.md): one row per
// request and process per batch, its spans as a JSON array (one span object in rows written
// before), pruned to about [trace] max_spans spans by the writers, looked up by request id
// (local or global) and trace id. Portable for MariaDB and SQLite.
import { Table } from 'typeorm';

export const traceSpansTable = (): Table => new Table({
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
});
