// QoS specs in `quality_of_service_specs` (cinder/db/sqlalchemy/api.py qos_specs_* and
// volume_type_qos_*). A spec is its root row and its live child rows; each change of a spec or of
// its associations is one transaction, so a kill or a lost database leaves all of it or none.
// Roots are the rows named 'QoS_Specs_Name' without a specs_id: a child row of that key (a
// spec may set one) is only a key, where Cinder's queries also take it for a spec.
import { randomUUID } from 'node:crypto';
import type { DataSource, EntityManager } from 'typeorm';
import { putOwn } from '../common/api/own-keys';
import { fastSelect, selectRows } from '../common/db/fast-select';
import { prepared } from '../common/db/prepared';
import { transactionWithRetry } from '../common/db/retry';
import type { CinderDB } from './db-api';
import { QualityOfServiceSpecs, VolumeType } from './entities';
import { InvalidVolumeType, QoSSpecsExists, QoSSpecsKeyNotFound, QoSSpecsNotFound, VolumeTypeNotFound } from './exception';

export const ROOT_KEY = 'QoS_Specs_Name';
export const CONSUMER_KEY = 'consumer';
export const DEFAULT_CONSUMER = 'back-end';

export type QosValues = Record<string, string | null>;

export interface QosSpec {
  id: string;
  name: string;
  consumer: string;
  specs: QosValues;
  createdAt: Date | null;
  updatedAt: Date | null;
}

export interface QosAssociation { association_type: 'volume_type'; name: string | null; id: string }

/** The columns a list may filter on (Cinder: the model's columns; anything else lists nothing). */
export const QOS_COLUMNS: ReadonlyMap<string, keyof QualityOfServiceSpecs> = new Map<string, keyof QualityOfServiceSpecs>([
  ['id', 'id'], ['specs_id', 'specsId'], ['key', 'key'], ['value', 'value'], ['created_at', 'createdAt'],
  ['updated_at', 'updatedAt'], ['deleted_at', 'deletedAt'], ['deleted', 'deleted'],
]);

const now = (): Date => new Date();

/** One spec from its root and children (_dict_with_qos_specs). */
function specOf(root: QualityOfServiceSpecs, children: QualityOfServiceSpecs[]): QosSpec {
  const specs: QosValues = {};
  let consumer = DEFAULT_CONSUMER;
  let updatedAt: Date | null = null;
  for (const c of children) {
    if (c.updatedAt && (!updatedAt || c.updatedAt > updatedAt)) updatedAt = c.updatedAt;
    if (c.key === CONSUMER_KEY) consumer = c.value ?? DEFAULT_CONSUMER;
    else putOwn(specs, c.key ?? '', c.value);
  }
  return { id: root.id, name: root.value ?? '', consumer, specs, createdAt: root.createdAt, updatedAt };
}

export class QosDB {
  constructor(private readonly db: CinderDB) {}

  private get ds(): DataSource { return this.db.ds; }
  private get rows() { return fastSelect(this.ds, QualityOfServiceSpecs); }

  private tx<T>(fn: (m: EntityManager) => Promise<T>, what: string): Promise<T> {
    return transactionWithRetry(this.ds, fn, { what });
  }

  private async root(id: string, m?: EntityManager): Promise<QualityOfServiceSpecs> {
    const r = await this.rows.findOne({ id, key: ROOT_KEY, specsId: null, deleted: false }, [], m);
    if (!r) throw new QoSSpecsNotFound({ specs_id: id });
    return r;
  }

  private children(id: string, m?: EntityManager): Promise<QualityOfServiceSpecs[]> {
    return this.rows.find({ specsId: id, deleted: false }, [['createdAt', 'ASC'], ['id', 'ASC']], undefined, m);
  }

  /** qos_specs_get: a live spec (QoSSpecsNotFound otherwise). */
  async get(id: string, m?: EntityManager): Promise<QosSpec> {
    const root = await this.root(id, m);
    return specOf(root, await this.children(id, m));
  }

  /** Every live spec with its root row, for the API's filters and sort. */
  async list(): Promise<Array<{ root: QualityOfServiceSpecs; spec: QosSpec }>> {
    const all = await this.rows.find({ deleted: false }, [['createdAt', 'ASC'], ['id', 'ASC']]);
    const kids = new Map<string, QualityOfServiceSpecs[]>();
    for (const r of all) if (r.specsId !== null) kids.set(r.specsId, [...kids.get(r.specsId) ?? [], r]);
    return all.filter((r) => r.specsId === null && r.key === ROOT_KEY).map((root) => ({ root, spec: specOf(root, kids.get(root.id) ?? []) }));
  }

  /**
   * qos_specs_create: the root, the consumer and each key, in one transaction, unless a live
   * spec has the name already (`sameName` compares as the table's collation does).
   */
  async create(name: string, consumer: string, specs: QosValues, sameName: (a: string, b: string) => boolean): Promise<QosSpec> {
    return this.tx(async (m) => {
      const roots = await this.rows.find({ key: ROOT_KEY, specsId: null, deleted: false }, [], undefined, m);
      if (roots.some((r) => r.value !== null && sameName(r.value, name))) throw new QoSSpecsExists({ specs_id: name });
      const at = now();
      const row = (specsId: string | null, key: string, value: string | null): QualityOfServiceSpecs => Object.assign(new QualityOfServiceSpecs(), {
        id: randomUUID(), specsId, key, value, createdAt: at, updatedAt: null, deletedAt: null, deleted: false,
      });
      const root = await this.rows.insert(row(null, ROOT_KEY, name), m);
      const kids = [row(root.id, CONSUMER_KEY, consumer), ...Object.entries(specs).map(([k, v]) => row(root.id, k, v))];
      for (const k of kids) await this.rows.insert(k, m);
      return specOf(root, kids);
    }, `qos specs create ${name}`);
  }

  /** qos_specs_update: each key (the consumer too) set on its live row, or a new row. */
  async update(id: string, values: QosValues): Promise<void> {
    await this.tx(async (m) => {
      await this.root(id, m);
      const have = new Map((await this.children(id, m)).map((c) => [c.key, c]));
      const at = now();
      for (const [key, value] of Object.entries(values)) {
        const row = have.get(key);
        if (row) {
          await this.rows.update({ id: row.id }, { value, updatedAt: at }, m);
        } else {
          await this.rows.insert(Object.assign(new QualityOfServiceSpecs(), {
            id: randomUUID(), specsId: id, key, value, createdAt: at, updatedAt: null, deletedAt: null, deleted: false,
          }), m);
        }
      }
    }, `qos specs update ${id}`);
  }

  /**
   * delete_keys: the keys deleted in order up to the first one the spec lacks, which is then
   * QoSSpecsKeyNotFound (the ones before it stay deleted, as Cinder's). The consumer is no key.
   */
  async deleteKeys(id: string, keys: string[]): Promise<void> {
    const missing = await this.tx(async (m) => {
      await this.root(id, m);
      const have = new Map((await this.children(id, m)).filter((c) => c.key !== CONSUMER_KEY).map((c) => [c.key, c]));
      const at = now();
      for (const key of keys) {
        const row = have.get(key);
        if (!row) return key;
        await this.rows.update({ id: row.id, deleted: false }, { deleted: true, deletedAt: at }, m);
      }
      return null;
    }, `qos specs delete_keys ${id}`);
    if (missing !== null) throw new QoSSpecsKeyNotFound({ specs_id: id, specs_key: missing });
  }

  /** The live volume types the spec is associated with. */
  async types(id: string, m?: EntityManager): Promise<VolumeType[]> {
    return fastSelect(this.ds, VolumeType).find({ qosSpecsId: id, deleted: false }, [['createdAt', 'ASC'], ['id', 'ASC']], undefined, m);
  }

  async associations(id: string): Promise<QosAssociation[]> {
    await this.root(id);
    return (await this.types(id)).map((t) => ({ association_type: 'volume_type', name: t.name, id: t.id }));
  }

  private async type(typeId: string, m: EntityManager): Promise<VolumeType> {
    const t = await fastSelect(this.ds, VolumeType).findOne({ id: typeId, deleted: false }, [], m);
    if (!t) throw new VolumeTypeNotFound({ volume_type_id: typeId });
    return t;
  }

  /**
   * associate_qos_with_type: a type without a live spec takes this one (a compare-and-swap on
   * what it pointed at); one with another live spec is InvalidVolumeType; with this one, nothing.
   */
  async associate(id: string, typeId: string): Promise<void> {
    await this.tx(async (m) => {
      await this.root(id, m);
      const t = await this.type(typeId, m);
      const current = t.qosSpecsId;
      if (current === id) return;
      const live = current !== null && await this.rows.findOne({ id: current, key: ROOT_KEY, specsId: null, deleted: false }, [], m);
      if (live) throw new InvalidVolumeType({ reason: `Type ${typeId} is already associated with another qos specs: ${current}` });
      const fs = fastSelect(this.ds, VolumeType);
      if (!await fs.update({ id: typeId, qosSpecsId: current }, { qosSpecsId: id, updatedAt: now() }, m)) {
        throw new InvalidVolumeType({ reason: `Type ${typeId} is already associated with another qos specs` });
      }
    }, `qos specs associate ${id}`);
  }

  /** volume_type_qos_disassociate: the type (which must exist) loses this spec, if it had it. */
  async disassociate(id: string, typeId: string): Promise<void> {
    await this.tx(async (m) => {
      await this.root(id, m);
      await this.type(typeId, m);
      await fastSelect(this.ds, VolumeType).update({ id: typeId, qosSpecsId: id }, { qosSpecsId: null, updatedAt: now() }, m);
    }, `qos specs disassociate ${id}`);
  }

  /** volume_type_qos_disassociate_all: every type (deleted ones too, as Cinder's) loses it. */
  async disassociateAll(id: string, m?: EntityManager): Promise<void> {
    const run = async (mm: EntityManager): Promise<void> => {
      await this.root(id, mm);
      await fastSelect(this.ds, VolumeType).update({ qosSpecsId: id }, { qosSpecsId: null, updatedAt: now() }, mm);
    };
    await (m ? run(m) : this.tx(run, `qos specs disassociate_all ${id}`));
  }

  /**
   * destroy: a spec still associated is refused (`inUse`) unless forced, which first
   * disassociates every type; then the root and its children are marked deleted.
   */
  async delete(id: string, force: boolean, inUse: () => Error): Promise<void> {
    await this.tx(async (m) => {
      await this.root(id, m);
      if ((await this.types(id, m)).length) {
        if (!force) throw inUse();
        await this.disassociateAll(id, m);
      }
      const at = now();
      await this.rows.update({ specsId: id, deleted: false }, { deleted: true, deletedAt: at }, m);
      await this.rows.update({ id, deleted: false }, { deleted: true, deletedAt: at }, m);
    }, `qos specs delete ${id}`);
  }
}

/** A volume type's live spec as a connection needs it: its consumer and keys. */
export interface TypeQos { consumer: string; specs: QosValues }

/**
 * volume_type_qos_specs_get as a correlated subquery on `typeIdColumn`: the live spec's child
 * rows as one JSON object (key → value, the consumer among them), NULL when the type has none.
 * A read of a volume takes it as one more column instead of one more statement.
 */
export function typeQosColumn(ds: DataSource, typeIdColumn: string): { sql: string; params: unknown[] } {
  const e = (n: string): string => ds.driver.escape(n);
  const mysql = ds.options.type === 'mysql' || ds.options.type === 'mariadb';
  const agg = mysql ? 'JSON_OBJECTAGG' : 'json_group_object';
  return {
    sql: `SELECT ${agg}(c.${e('key')}, c.${e('value')}) FROM volume_types qt `
      + `JOIN quality_of_service_specs qr ON qr.id = qt.qos_specs_id AND qr.specs_id IS NULL AND qr.${e('key')} = ? AND qr.deleted = ? `
      + `JOIN quality_of_service_specs c ON c.specs_id = qr.id AND c.deleted = ? WHERE qt.id = ${typeIdColumn}`,
    params: [ROOT_KEY, false, false],
  };
}

/** That column's value (mysql2 parses JSON itself, better-sqlite3 answers the text) as a spec; null without one. */
export function qosFromColumn(raw: unknown): TypeQos | null {
  if (raw === null || raw === undefined) return null;
  const rows = (typeof raw === 'string' ? JSON.parse(raw) : raw) as Record<string, string | null>;
  // SQLite aggregates no rows into {}; a live spec always has its consumer row.
  if (!Object.keys(rows).length) return null;
  let consumer = DEFAULT_CONSUMER;
  const specs: QosValues = {};
  for (const [k, v] of Object.entries(rows)) {
    if (k === CONSUMER_KEY) consumer = v ?? DEFAULT_CONSUMER;
    else putOwn(specs, k, v);
  }
  return { consumer, specs };
}

/** A type's live spec, on its own (retype's check). */
export async function typeQosSpecs(ds: DataSource, typeId: string): Promise<TypeQos | null> {
  const col = typeQosColumn(ds, '?');
  const rows = await selectRows(ds, prepared(`SELECT (${col.sql}) AS q`), [...col.params, typeId]);
  return qosFromColumn(rows[0]?.q);
}
