// Hot reads without TypeORM's query builder. A profile of the attach/detach cycle put the
// builder (SQL text rebuilt, aliases escaped, columns mapped on every find) at the top; here the
// SELECT text is made once per entity and WHERE shape, so it is also prepared once
// (better-sqlite3's statement cache; on MySQL, a server-side prepared statement per connection:
// prepared.ts), and rows are hydrated with the driver's own conversions — the same values a
// repository find returns, on SQLite and MariaDB alike.
import type { DataSource, EntityManager, EntityTarget, ObjectLiteral } from 'typeorm';
import type { ColumnMetadata } from 'typeorm/metadata/ColumnMetadata';
import type { EntityMetadata } from 'typeorm/metadata/EntityMetadata';
import { mysqlDirect } from './mysql-direct';
import { prepared } from './prepared';
import { sqliteDirect } from './sqlite-serial';

/**
 * Equality on each property; null is IS NULL; an array value is IN (…), where a null in the
 * array also matches NULL (an empty array matches nothing). A SqlValue (under any key that is no
 * column, e.g. `$snapshots`) is a condition of its own: its text, with its parameters.
 */
export type Where = Record<string, unknown>;
export type Order = Array<[string, 'ASC' | 'DESC']>;

/**
 * A SET value the database computes in the same UPDATE (a CASE over a subquery, as Cinder's
 * conditional_update takes): `sql` with its own `?` parameters; `key` names its shape for the
 * statement cache (the same key must always mean the same text).
 */
export class SqlValue {
  constructor(readonly key: string, readonly sql: string, readonly params: readonly unknown[] = []) {}
}

export class FastSelect<T extends ObjectLiteral> {
  private readonly meta: EntityMetadata;
  private readonly head: string;
  private readonly cols: string;
  private readonly table: string;
  private readonly sqlCache = new Map<string, string>();
  private readonly whereCache = new Map<string, string>();
  private readonly columns = new Map<string, ColumnMetadata>();
  private readonly selectLists = new Map<string, string>();

  constructor(private readonly ds: DataSource, entity: EntityTarget<T>) {
    this.meta = ds.getMetadata(entity);
    const esc = (n: string): string => ds.driver.escape(n);
    this.cols = this.meta.columns.map((c) => esc(c.databaseName)).join(', ');
    this.table = esc(this.meta.tableName);
    this.head = `SELECT ${this.cols} FROM ${this.table}`;
  }

  private column(prop: string): ColumnMetadata {
    let c = this.columns.get(prop);
    if (!c) {
      c = this.meta.findColumnWithPropertyName(prop);
      if (!c) throw new Error(`${this.meta.name} has no column ${prop}`);
      this.columns.set(prop, c);
    }
    return c;
  }

  /**
   * The WHERE text for this shape of `where` (made once per shape), and its parameters in order.
   * The shape names each key and, for an IN list, how many values it holds besides null and
   * whether it holds a null: the two decide the text.
   */
  private whereOf(where: Where): { shape: string; sql: string; params: unknown[] } {
    let shape = '';
    for (const k in where) {
      const v = where[k];
      if (v instanceof SqlValue) {
        shape += `${k}=${v.key},`;
      } else if (v === null) {
        shape += `${k}:null,`;
      } else if (Array.isArray(v)) {
        let n = 0;
        for (const x of v) if (x !== null) n++;
        shape += `${k}:${n}${n !== v.length ? 'n' : ''},`;
      } else {
        shape += `${k},`;
      }
    }
    let sql = this.whereCache.get(shape);
    if (sql === undefined) this.whereCache.set(shape, (sql = this.whereText(where)));
    const params: unknown[] = [];
    for (const k in where) {
      const v = where[k];
      if (v === null) continue;
      if (v instanceof SqlValue) {
        params.push(...v.params);
        continue;
      }
      const c = this.column(k);
      if (Array.isArray(v)) {
        for (const x of v) if (x !== null) params.push(this.ds.driver.preparePersistentValue(x, c));
      } else {
        params.push(this.ds.driver.preparePersistentValue(v, c));
      }
    }
    return { shape, sql, params };
  }

  private whereText(where: Where): string {
    const esc = (n: string): string => this.ds.driver.escape(n);
    const conds: string[] = [];
    for (const [k, v] of Object.entries(where)) {
      if (v instanceof SqlValue) {
        conds.push(`(${v.sql})`);
        continue;
      }
      const col = esc(this.column(k).databaseName);
      if (v === null) {
        conds.push(`${col} IS NULL`);
      } else if (Array.isArray(v)) {
        const n = v.filter((x) => x !== null).length;
        const withNull = n !== v.length;
        const inList = n ? `${col} IN (${Array(n).fill('?').join(', ')})` : '';
        conds.push(inList && withNull ? `(${inList} OR ${col} IS NULL)` : inList || (withNull ? `${col} IS NULL` : '1 = 0'));
      } else {
        conds.push(`${col} = ?`);
      }
    }
    return conds.length ? ` WHERE ${conds.join(' AND ')}` : '';
  }

  /** Rows matching `where`, in `order`, at most `limit`; `m` reads inside that transaction. */
  async find(where: Where, order: Order = [], limit?: number, m?: EntityManager): Promise<T[]> {
    const w = this.whereOf(where);
    const key = `S|${w.shape}|${order.map(([p, d]) => `${p} ${d}`).join(',')}|${limit ?? ''}`;
    let sql = this.sqlCache.get(key);
    if (!sql) {
      const esc = (n: string): string => this.ds.driver.escape(n);
      sql = this.head + w.sql
        + (order.length ? ` ORDER BY ${order.map(([p, d]) => `${esc(this.column(p).databaseName)} ${d}`).join(', ')}` : '')
        + (limit !== undefined ? ` LIMIT ${Math.trunc(limit)}` : '');
      this.sqlCache.set(key, prepared(sql));
    }
    const rows = await selectRows(this.ds, sql, w.params, m);
    return rows.map((r) => this.hydrate(r));
  }

  /**
   * As find, with one more column the database computes per row (`extra`, a correlated
   * subquery, say): one statement instead of a query per row. Each row comes with its value.
   */
  async findWith(where: Where, extra: SqlValue, order: Order = []): Promise<Array<[T, unknown]>> {
    const w = this.whereOf(where);
    const key = `X|${extra.key}|${w.shape}|${order.map(([p, d]) => `${p} ${d}`).join(',')}`;
    let sql = this.sqlCache.get(key);
    if (!sql) {
      const esc = (n: string): string => this.ds.driver.escape(n);
      sql = `SELECT ${this.cols}, (${extra.sql}) AS attachd_extra FROM ${this.table}${w.sql}`
        + (order.length ? ` ORDER BY ${order.map(([p, d]) => `${esc(this.column(p).databaseName)} ${d}`).join(', ')}` : '');
      this.sqlCache.set(key, prepared(sql));
    }
    const rows = await selectRows(this.ds, sql, [...extra.params, ...w.params]);
    return rows.map((r) => [this.hydrate(r), r.attachd_extra]);
  }

  /**
   * UPDATE … SET values WHERE where: a compare-and-swap when `where` names the expected state.
   * Returns the rows it matched (as TypeORM's update reports them on each driver).
   */
  async update(where: Where, values: { [K in keyof T]?: T[K] | SqlValue }, m?: EntityManager): Promise<number> {
    const w = this.whereOf(where);
    const set = Object.entries(values).filter(([, v]) => v !== undefined);
    if (!set.length) throw new Error(`UPDATE of ${this.meta.tableName} with nothing to set`);
    const key = `U|${set.map(([k, v]) => (v instanceof SqlValue ? `${k}=${v.key}` : k)).join(',')}|${w.shape}`;
    let sql = this.sqlCache.get(key);
    if (!sql) {
      const esc = (n: string): string => this.ds.driver.escape(n);
      const assign = ([k, v]: [string, unknown]): string => `${esc(this.column(k).databaseName)} = ${v instanceof SqlValue ? v.sql : '?'}`;
      sql = `UPDATE ${esc(this.meta.tableName)} SET ${set.map(assign).join(', ')}${w.sql}`;
      this.sqlCache.set(key, prepared(sql));
    }
    const params = [...set.flatMap(([k, v]) => (v instanceof SqlValue ? v.params : [this.ds.driver.preparePersistentValue(v, this.column(k))])), ...w.params];
    return (await writeRows(this.ds, sql, params, m)).affected;
  }

  /**
   * INSERT the row's defined columns, in one statement: no re-read of the row afterwards, as a
   * repository insert does. The generated id (auto-increment) and the columns' declared defaults
   * are set on `row`, so it reads as the stored row does. A UNIQUE violation propagates.
   */
  async insert(row: T, m?: EntityManager): Promise<T> {
    const r = row as Record<string, unknown>;
    const cols = this.meta.columns.filter((c) => r[c.propertyName] !== undefined);
    const key = `I|${cols.map((c) => c.propertyName).join(',')}`;
    let sql = this.sqlCache.get(key);
    if (!sql) {
      const esc = (n: string): string => this.ds.driver.escape(n);
      sql = `INSERT INTO ${esc(this.meta.tableName)} (${cols.map((c) => esc(c.databaseName)).join(', ')}) VALUES (${cols.map(() => '?').join(', ')})`;
      this.sqlCache.set(key, prepared(sql));
    }
    const params = cols.map((c) => this.ds.driver.preparePersistentValue(r[c.propertyName], c));
    const { raw } = await writeRows(this.ds, sql, params, m);
    for (const c of this.meta.columns) {
      if (r[c.propertyName] !== undefined) continue;
      if (c.isGenerated && c.generationStrategy === 'increment') {
        // better-sqlite3 answers lastInsertRowid, mysql2 an OK packet with insertId.
        r[c.propertyName] = Number(typeof raw === 'object' && raw !== null ? (raw as { insertId: number }).insertId : raw);
      } else if (c.default !== undefined && typeof c.default !== 'function') {
        r[c.propertyName] = this.ds.driver.prepareHydratedValue(c.default, c);
      } else if (c.isNullable) {
        r[c.propertyName] = null;
      }
    }
    return row;
  }

  /** This entity's columns for a join: `alias.col AS prefixcol`, each (see hydrateFrom). */
  selectList(alias: string, prefix: string): string {
    const key = `${alias}|${prefix}`;
    let list = this.selectLists.get(key);
    if (list === undefined) {
      const esc = (n: string): string => this.ds.driver.escape(n);
      list = this.meta.columns.map((c) => `${alias}.${esc(c.databaseName)} AS ${esc(prefix + c.databaseName)}`).join(', ');
      this.selectLists.set(key, list);
    }
    return list;
  }

  /** A row of a join read with selectList(…, prefix) as the entity; null when its id is NULL (no match). */
  hydrateFrom(row: Record<string, unknown>, prefix: string): T | null {
    const id = this.meta.primaryColumns[0];
    if (id && (row[prefix + id.databaseName] ?? null) === null) return null;
    const e = this.meta.create(undefined, { fromDeserializer: true }) as T;
    for (const c of this.meta.columns) {
      (e as Record<string, unknown>)[c.propertyName] = this.ds.driver.prepareHydratedValue(row[prefix + c.databaseName], c);
    }
    return e;
  }

  async findOne(where: Where, order: Order = [], m?: EntityManager): Promise<T | null> {
    return (await this.find(where, order, 1, m))[0] ?? null;
  }

  private hydrate(row: Record<string, unknown>): T {
    return this.hydrateFrom(row, '') as T;
  }
}

/**
 * A hot SELECT's rows: straight on SQLite's connection (sqlite-serial.ts) or a MySQL pooled one
 * (mysql-direct.ts), else through TypeORM (a transaction's `m`). The text should be one
 * `prepared(…)` marked, for MySQL.
 */
export async function selectRows(ds: DataSource, sql: string, params: unknown[], m?: EntityManager): Promise<Array<Record<string, unknown>>> {
  const direct = sqliteDirect(ds);
  if (direct) return direct.all(sql, params);
  const mysql = mysqlDirect(ds, m);
  if (mysql) return (await mysql(sql, params)) as Array<Record<string, unknown>>;
  return (await (m ?? ds.manager).query(sql, params)) as Array<Record<string, unknown>>;
}

/** A hot write, as selectRows: the rows it matched, and the driver's raw answer (the inserted id's carrier). */
export async function writeRows(ds: DataSource, sql: string, params: unknown[], m?: EntityManager): Promise<{ affected: number; raw: unknown }> {
  const direct = sqliteDirect(ds);
  if (direct) return direct.run(sql, params);
  const mysql = mysqlDirect(ds, m);
  if (mysql) {
    const raw = (await mysql(sql, params)) as { affectedRows?: number };
    return { affected: raw?.affectedRows ?? 0, raw };
  }
  const qr = m?.queryRunner ?? ds.createQueryRunner();
  try {
    const res = await qr.query(sql, params, true);
    return { affected: res.affected ?? 0, raw: res.raw };
  } finally {
    if (!m?.queryRunner) await qr.release();
  }
}

const perSource = new WeakMap<DataSource, Map<unknown, FastSelect<ObjectLiteral>>>();

/** The FastSelect of `entity` on `ds`, made once (its SQL texts are kept with it). */
export function fastSelect<T extends ObjectLiteral>(ds: DataSource, entity: EntityTarget<T>): FastSelect<T> {
  let m = perSource.get(ds);
  if (!m) perSource.set(ds, (m = new Map()));
  let f = m.get(entity);
  if (!f) m.set(entity, (f = new FastSelect(ds, entity) as unknown as FastSelect<ObjectLiteral>));
  return f as unknown as FastSelect<T>;
}
