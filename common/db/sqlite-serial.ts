// SQLite runs on one connection per DataSource (TypeORM's better-sqlite3 driver shares a single
// query runner). Two requests in flight would otherwise meet on it: a second BEGIN fails
// ("cannot start a transaction within a transaction"), and worse, a plain write of one request
// lands inside another's open transaction and is lost if that one rolls back. So on SQLite
// every transaction holds the connection to itself: it runs under a per-DataSource mutex, and
// statements from outside it wait for that mutex; the transaction's own statements (found by
// AsyncLocalStorage) go straight through, while that transaction lasts: a timer it set (a span
// flush, say) inherits the context but not the right, once the transaction is over. MariaDB
// has a pool and needs none of this.
import { AsyncLocalStorage } from 'node:async_hooks';
import type { DataSource, EntityManager, QueryRunner } from 'typeorm';
import { KeyedLock } from '../lock';

/** The transaction holding the connection, seen from the work it started. */
interface Holder { ds: DataSource; active: boolean }
const owner = new AsyncLocalStorage<Holder>();
const patched = new WeakSet<DataSource>();

export function serializeSqlite(ds: DataSource): void {
  if (ds.options.type !== 'better-sqlite3' || patched.has(ds)) return;
  patched.add(ds);
  const lock = new KeyedLock();
  const inside = (): boolean => {
    const h = owner.getStore();
    return h !== undefined && h.ds === ds && h.active;
  };
  const exclusive = <T>(fn: () => Promise<T>): Promise<T> => (inside() ? fn() : lock.run('db', async () => {
    const holder: Holder = { ds, active: true };
    try {
      return await owner.run(holder, fn);
    } finally {
      holder.active = false;
    }
  }));

  const qr = ds.createQueryRunner() as QueryRunner & { query: QueryRunner['query'] };
  const query = qr.query.bind(qr);
  qr.query = ((...args: Parameters<QueryRunner['query']>) => exclusive(() => query(...args))) as QueryRunner['query'];

  const manager = ds.manager as EntityManager & { transaction: EntityManager['transaction'] };
  const transaction = manager.transaction.bind(manager) as (...a: unknown[]) => Promise<unknown>;
  manager.transaction = ((...args: unknown[]) => exclusive(() => transaction(...args))) as EntityManager['transaction'];
}
