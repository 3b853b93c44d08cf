// The nova DataSource ([database] connection) with its entities and migrations.
import { projectDatabase } from '../common/db/project-database';
import { NOVA_MIGRATIONS } from '../migrations/nova';
import { NOVA_ENTITIES } from './entities';

const nova = projectDatabase({ name: 'nova', entities: NOVA_ENTITIES, migrations: NOVA_MIGRATIONS });

export const createNovaDataSource = nova.create;
export const openNovaDatabase = nova.open;
export const openServiceDatabase = nova.openService;

/** Is this error a UNIQUE-constraint violation (MySQL ER_DUP_ENTRY / SQLite UNIQUE)? */
export function isDuplicateEntry(e: unknown): boolean {
  const err = e as { code?: string; driverError?: { code?: string }; message?: string };
  const code = err?.driverError?.code ?? err?.code;
  return code === 'ER_DUP_ENTRY' || code === 'SQLITE_CONSTRAINT_UNIQUE' || /UNIQUE constraint failed|Duplicate entry/.test(err?.message ?? '');
}

/** A lock conflict the database resolved by aborting us (MySQL deadlock/lock wait, SQLite busy): retry. */
export function isRetryableConflict(e: unknown): boolean {
  const err = e as { code?: string; driverError?: { code?: string } };
  const code = err?.driverError?.code ?? err?.code;
  return code === 'ER_LOCK_DEADLOCK' || code === 'ER_LOCK_WAIT_TIMEOUT' || code === 'SQLITE_BUSY';
}
