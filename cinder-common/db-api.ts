// The cinder database operations both processes use. Every status transition is one UPDATE
// guarded by the expected state (Cinder's conditional_update, volumeConditionalUpdate /
// attachmentConditionalUpdate): callers check the boolean and raise, so two racing requests can
// never both win. The plain updates cannot touch a status column (common/db/cas.ts).
import { methodNames, traceMethods } from '../common/trace';
import { randomUUID } from 'node:crypto';
import { Brackets, type DataSource, type EntityManager, type ObjectLiteral } from 'typeorm';
import { transactionWithRetry, withDbRetry } from '../common/db/retry';
import { mysqlChildrenSoftDelete, mysqlVolumeDestroy, VOLUME_CHILDREN } from './volume-destroy-mysql';
import { putOwn } from '../common/api/own-keys';
import { fastSelect, selectRows, SqlValue } from '../common/db/fast-select';
import { prepared } from '../common/db/prepared';
import { requireExpected, type AtLeastOne, type OneOrMany, type PlainValues } from '../common/db/cas';
import type { AttachStatus, MigrationStatus, VolumeStatus } from './volume-status';
import {
  Encryption, Service, Volume, VolumeAdminMetadata, VolumeAttachment, VolumeGlanceMetadata, VolumeMetadata, VolumeType, VolumeTypeExtraSpec, VolumeTypeProject,
} from './entities';
import { QuotaDB } from './quota-db';
import { qosFromColumn, typeQosColumn, type TypeQos } from './qos-db';

const now = (): Date => new Date();

/** Expected values (compare-and-swap): a scalar is equality, an array is IN (null inside means IS NULL too). */
export type Expected = AtLeastOne<{
  status: OneOrMany<VolumeStatus | null>;
  attachStatus: OneOrMany<AttachStatus | null>;
  migrationStatus: OneOrMany<MigrationStatus | null>;
  multiattach: boolean;
  /** The type read before a retype: a change of type meanwhile fails the swap. */
  volumeTypeId: string;
  /** null: in no group (a volume in a group is deleted with it, not alone). */
  groupId: string | null;
}>;

/** The status columns of a volume: written only by a conditional update (or an admin's reset-status). */
type VolumeStateColumn = 'status' | 'attachStatus' | 'migrationStatus';

export interface VolumeFilter {
  projectId?: string | null;
  name?: string;
  status?: string;
}

/** What a volume view shows of an attachment row. */
export type AttachmentBrief = Pick<VolumeAttachment, 'id' | 'volumeId' | 'instanceUuid' | 'attachedHost' | 'mountpoint' | 'attachTime' | 'attachStatus'>;

/** What a volume view needs beside the row: metadata (user, admin) and attachments by volume id, type names by type id. */
export interface ViewExtras {
  user: Map<string, Record<string, string>>;
  admin: Map<string, Record<string, string>>;
  /** volume_glance_metadata. */
  image: Map<string, Record<string, string>>;
  typeNames: Map<string, string | null>;
  /** Live attachment rows, each volume's in attachmentsOf's order (created_at, id). */
  attachments: Map<string, AttachmentBrief[]>;
}

/** The attachment columns of viewExtras' UNION: [result column, property], hydrated as the entity's own. */
const BRIEF: Array<[string, keyof AttachmentBrief]> = [
  ['k', 'id'], ['v', 'instanceUuid'], ['a_status', 'attachStatus'], ['a_host', 'attachedHost'], ['a_mount', 'mountpoint'], ['a_time', 'attachTime'],
];

/** The admin metadata column's value: keys are unique per volume (adminMetadataSet); JSON null (a NULL column) reads as ''. */
function adminMetadataOf(raw: unknown): Record<string, string> {
  const out: Record<string, string> = {};
  // mysql2 parses a JSON column itself; better-sqlite3 answers the text.
  const parsed = (raw === null || raw === undefined ? {} : typeof raw === 'string' ? JSON.parse(raw) : raw) as Record<string, string | null>;
  for (const [k, v] of Object.entries(parsed)) putOwn(out, k, v ?? '');
  return out;
}

/** A volume type as a create or a retype reads it: with its extra specs and whether it is encrypted. */
export interface TypeRead {
  type: VolumeType;
  specs: Record<string, string | null>;
  encrypted: boolean;
  /** Encrypted with no cipher: no key algorithm to ask a key manager for. */
  cipherless: boolean;
}

export class CinderDB {
  constructor(readonly ds: DataSource) {}

  private get isMysql(): boolean { return this.ds.options.type === 'mysql' || this.ds.options.type === 'mariadb'; }

  get volumes() { return this.ds.getRepository(Volume); }
  get attachments() { return this.ds.getRepository(VolumeAttachment); }
  get metadata() { return this.ds.getRepository(VolumeMetadata); }
  get adminMetadata() { return this.ds.getRepository(VolumeAdminMetadata); }
  get services() { return this.ds.getRepository(Service); }
  get volumeTypes() { return this.ds.getRepository(VolumeType); }
  get typeExtraSpecs() { return this.ds.getRepository(VolumeTypeExtraSpec); }
  get typeProjects() { return this.ds.getRepository(VolumeTypeProject); }

  /** A live volume with its type's name (deleted types too, as the quota code reads it), in one statement. */
  async volumeGetWithTypeName(id: string): Promise<{ volume: Volume; typeName: string | null } | null> {
    const e = (n: string): string => this.ds.driver.escape(n);
    const name = new SqlValue('type_name', `SELECT t.${e('name')} FROM ${e('volume_types')} t WHERE t.${e('id')} = ${e('volumes')}.${e('volume_type_id')}`);
    const [hit] = await fastSelect(this.ds, Volume).findWith({ id, deleted: false }, name);
    return hit ? { volume: hit[0], typeName: (hit[1] ?? null) as string | null } : null;
  }

  /** A live volume; with projectId, only if it belongs to that project. */
  async volumeGet(id: string, projectId?: string | null): Promise<Volume | null> {
    const row = await fastSelect(this.ds, Volume).findOne({ id, deleted: false });
    if (!row || (projectId !== undefined && projectId !== null && row.projectId !== projectId)) return null;
    return row;
  }

  async volumeList(f: VolumeFilter): Promise<Volume[]> {
    const where: ObjectLiteral = { deleted: false };
    if (f.projectId) where.projectId = f.projectId;
    if (f.name !== undefined) where.displayName = f.name;
    if (f.status !== undefined) where.status = f.status;
    return this.volumes.find({ where, order: { createdAt: 'DESC', id: 'DESC' } });
  }

  /** `m`: inside that transaction (a create commits its quota reservation with the row). */
  async volumeCreate(values: Partial<Volume>, m?: EntityManager): Promise<Volume> {
    const row = this.volumes.create({
      id: randomUUID(), status: 'creating', attachStatus: 'detached', bootable: false, multiattach: false, deleted: false,
      sharedTargets: true, useQuota: true, createdAt: now(), updatedAt: null, ...values,
    });
    return fastSelect(this.ds, Volume).insert(row, m);
  }

  /**
   * UPDATE volumes SET values WHERE id=? AND <expected> [AND each of `filters`, conditions on
   * other tables such as volumeSnapshotFilter's]; true when the row matched.
   */
  async volumeConditionalUpdate(id: string, expected: Expected, values: Partial<Volume>, m?: EntityManager, filters: Record<string, SqlValue> = {}): Promise<boolean> {
    requireExpected(expected, 'volumeConditionalUpdate');
    return (await fastSelect(this.ds, Volume).update({ id, deleted: false, ...expected, ...filters }, { ...values, updatedAt: now() }, m)) > 0;
  }

  /** A write that is no state transition (names, flags, export location); false when there is no live row. */
  async volumeUpdate(id: string, values: PlainValues<Volume, VolumeStateColumn>, m?: EntityManager): Promise<boolean> {
    return (await fastSelect(this.ds, Volume).update({ id, deleted: false }, { ...values, updatedAt: now() }, m)) > 0;
  }

  /** os-reset_status: the admin says what the state is, so nothing is expected. */
  async volumeResetStatus(id: string, values: Partial<Pick<Volume, VolumeStateColumn>>): Promise<boolean> {
    return (await fastSelect(this.ds, Volume).update({ id, deleted: false }, { ...values, updatedAt: now() })) > 0;
  }

  /**
   * os-unreserve as Cinder's: from 'attaching' back to 'in-use' when the volume has attachments,
   * else 'available', decided by the database in the same UPDATE (a CASE over the attachment rows).
   */
  async volumeUnreserve(id: string, multiattach: boolean): Promise<boolean> {
    const e = (n: string): string => this.ds.driver.escape(n);
    const hasAttachments = `EXISTS (SELECT 1 FROM ${e('volume_attachment')} a WHERE a.${e('volume_id')} = ${e('volumes')}.${e('id')}`
      + ` AND a.${e('deleted')} = 0 AND a.${e('attach_status')} <> 'detached')`;
    const status = new SqlValue('unreserve', `CASE WHEN ${hasAttachments} THEN 'in-use' ELSE 'available' END`);
    return (await fastSelect(this.ds, Volume).update({ id, deleted: false, status: 'attaching', multiattach }, { status, updatedAt: now() })) > 0;
  }

  /**
   * The volume's row, its quota usage and its children (volumeChildrenSoftDelete) go together,
   * the usage released only by the statement that deleted the row. On MySQL/MariaDB that is one
   * statement (volume-destroy-mysql.ts); on SQLite one transaction. Either is re-run on a
   * deadlock or a lost connection: it is idempotent.
   */
  async volumeSoftDelete(id: string, held?: Volume, heldTypeName?: string | null): Promise<void> {
    const t = now();
    const what = `soft delete of volume ${id}`;
    if (this.isMysql) {
      // `held`/`heldTypeName`: as below. The size released is the row's own, in the statement.
      const typeName = held && heldTypeName !== undefined ? heldTypeName : (await this.volumeGetWithTypeName(id))?.typeName ?? null;
      await withDbRetry(async () => {
        // Already gone (a redo): children a crash could not have left are swept all the same.
        if (!await mysqlVolumeDestroy(this.ds, id, t, typeName)) await mysqlChildrenSoftDelete(this.ds, id, t);
      }, { retryOnDisconnect: true, what });
      return;
    }
    await transactionWithRetry(this.ds, async (m) => {
      const volumes = fastSelect(this.ds, Volume);
      // `held`: the row the caller read under the volume's lock while it was 'deleting', when
      // its size, type and project no longer change; else read here. `heldTypeName`: its
      // type's name, read with it (volumeGetWithTypeName), for the per-type quota resources.
      const live = held ?? await volumes.findOne({ id, deleted: false }, [], m);
      const deleted = await volumes.update({ id, deleted: false }, { deleted: true, deletedAt: t, updatedAt: t, status: 'deleted', terminatedAt: t }, m);
      if (live && deleted) await new QuotaDB(this.ds).releaseIn(m, live, held ? heldTypeName : undefined);
      await this.volumeChildrenSoftDelete(id, t, m);
    }, { retryOnDisconnect: true, what });
  }

  /**
   * As Cinder's volume_destroy, the rows that hang off a volume go with it: its metadata, its
   * attachments (a forced delete can pass one still reserved or attaching, which would otherwise
   * outlive its volume) and its transfer offers (a volume reset to available while offered). On
   * MariaDB one multi-table UPDATE (volume-destroy-mysql.ts); SQLite updates one table at a
   * time, as MariaDB does with `oneStatement` false (what bench:requests compares it with).
   */
  async volumeChildrenSoftDelete(id: string, t: Date, m: EntityManager, oneStatement = true): Promise<void> {
    if (this.isMysql && oneStatement) return mysqlChildrenSoftDelete(this.ds, id, t, m);
    for (const e of VOLUME_CHILDREN) await fastSelect<ObjectLiteral>(this.ds, e).update({ volumeId: id, deleted: false }, { deleted: true, deletedAt: t }, m);
  }

  /** Volumes a backend owns (host@backend, with or without #pool). */
  async volumesOnHost(serviceHost: string): Promise<Volume[]> {
    return this.volumes.createQueryBuilder('v')
      .where('v.deleted = :d', { d: false })
      .andWhere(new Brackets((b) => b.where('v.host = :h', { h: serviceHost }).orWhere('v.host LIKE :p', { p: `${serviceHost}#%` })))
      .getMany();
  }

  /** Volumes (not deleted) per status, one GROUP BY (the attachd_volumes gauge, read at scrape time). */
  async volumeCountsByStatus(): Promise<Array<{ status: string | null; count: number }>> {
    const rows = await this.volumes.createQueryBuilder('v').select('v.status', 'status').addSelect('COUNT(*)', 'n')
      .where('v.deleted = :d', { d: false }).groupBy('v.status')
      .getRawMany<{ status: string | null; n: number | string }>();
    return rows.map((r) => ({ status: r.status, count: Number(r.n) }));
  }

  // -- metadata --------------------------------------------------------------------------
  /** Each volume's key/values of one kind: user (the default), admin (`true`) or image. */
  async metadataGet(volumeIds: string[], admin: boolean | 'image' = false): Promise<Map<string, Record<string, string>>> {
    const out = new Map<string, Record<string, string>>();
    if (!volumeIds.length) return out;
    const table = admin === 'image' ? VolumeGlanceMetadata : admin ? VolumeAdminMetadata : VolumeMetadata;
    const rows: Array<{ volumeId: string; key: string | null; value: string | null }> = await fastSelect<VolumeMetadata | VolumeGlanceMetadata>(this.ds, table)
      .find({ volumeId: volumeIds, deleted: false }, [['id', 'ASC']]);
    for (const r of rows) {
      const m = out.get(r.volumeId) ?? {};
      putOwn(m, r.key ?? '', r.value ?? '');
      out.set(r.volumeId, m);
    }
    return out;
  }

  /**
   * A live volume and its admin metadata, in one statement: the volume manager's legacy
   * initialize_connection and attach_volume read both under the volume's lock.
   */
  async volumeGetWithAdminMetadata(id: string): Promise<{ volume: Volume; admin: Record<string, string> } | null> {
    const [hit] = await fastSelect(this.ds, Volume).findWith({ id, deleted: false }, this.adminMetadataColumn(`${this.ds.driver.escape('volumes')}.${this.ds.driver.escape('id')}`));
    return hit ? { volume: hit[0], admin: adminMetadataOf(hit[1]) } : null;
  }

  /** As volumeGetWithAdminMetadata, with the volume type's QoS spec (typeQosColumn) in the same statement: what a connection needs. */
  async volumeGetForConnection(id: string): Promise<{ volume: Volume; admin: Record<string, string>; qos: TypeQos | null } | null> {
    const V = fastSelect(this.ds, Volume);
    const admin = this.adminMetadataColumn('v.id');
    const qos = typeQosColumn(this.ds, 'v.volume_type_id');
    const rows = await selectRows(this.ds, prepared(`SELECT ${V.selectList('v', 'v__')}, (${admin.sql}) AS attachd_admin, (${qos.sql}) AS attachd_qos `
      + 'FROM volumes v WHERE v.id = ? AND v.deleted = ? LIMIT 1'), [...admin.params, ...qos.params, id, false]);
    const volume = rows[0] ? V.hydrateFrom(rows[0], 'v__') : null;
    return volume ? { volume, admin: adminMetadataOf(rows[0].attachd_admin), qos: qosFromColumn(rows[0].attachd_qos) } : null;
  }

  /** A volume's live admin metadata as one JSON object, a correlated subquery on `volumeIdColumn`. */
  private adminMetadataColumn(volumeIdColumn: string): SqlValue {
    const e = (n: string): string => this.ds.driver.escape(n);
    const agg = this.isMysql ? 'JSON_OBJECTAGG' : 'json_group_object';
    return new SqlValue('admin_metadata', `SELECT ${agg}(COALESCE(m.${e('key')}, ''), COALESCE(m.${e('value')}, '')) `
      + `FROM volume_admin_metadata m WHERE m.volume_id = ${volumeIdColumn} AND m.deleted = ?`, [false]);
  }

  /**
   * What a volume view shows beside the row, in one statement: the user and the admin metadata
   * of `volumeIds` (each table in id order), their live attachments, and the names of `typeIds`,
   * deleted types too (a volume keeps showing the type it was made with). A UNION of the four
   * tables, so a poll of a volume costs one round trip for all of it. The attachment columns are
   * NULL in the other parts and hydrated by the driver as a find of the entity would.
   */
  async viewExtras(volumeIds: string[], typeIds: Array<string | null>): Promise<ViewExtras> {
    const out: ViewExtras = { user: new Map(), admin: new Map(), image: new Map(), typeNames: new Map(), attachments: new Map() };
    if (!volumeIds.length) return out;
    const types = [...new Set(typeIds.filter((t): t is string => !!t))];
    const q = this.ds.driver.escape.bind(this.ds.driver);
    const marks = (n: number): string => Array(n).fill('?').join(', ');
    const none = 'NULL AS a_status, NULL AS a_host, NULL AS a_mount, NULL AS a_time, NULL AS a_created';
    // Image metadata values are TEXT: cast to the others' VARCHAR(255) on MariaDB, where a TEXT
    // column would put the UNION's sort on a disk table (the API never stores a longer value).
    const part = (kind: number, table: string, value = q('value')): string =>
      `SELECT ${kind} AS kind, id, volume_id, ${q('key')} AS k, ${value} AS v, ${none} FROM ${table} WHERE volume_id IN (${marks(volumeIds.length)}) AND deleted = ?`;
    const imagePart = part(4, 'volume_glance_metadata', this.isMysql ? `CAST(${q('value')} AS CHAR(255))` : q('value'));
    const attPart = `SELECT 3 AS kind, 0 AS id, volume_id, id AS k, instance_uuid AS v, attach_status AS a_status, attached_host AS a_host,
      mountpoint AS a_mount, attach_time AS a_time, created_at AS a_created FROM volume_attachment WHERE volume_id IN (${marks(volumeIds.length)}) AND deleted = ?`;
    const typePart = types.length ? ` UNION ALL SELECT 2 AS kind, 0 AS id, id AS volume_id, NULL AS k, name AS v, ${none} FROM volume_types WHERE id IN (${marks(types.length)})` : '';
    const rows = (await selectRows(this.ds, prepared(`${part(0, 'volume_metadata')} UNION ALL ${part(1, 'volume_admin_metadata')} UNION ALL ${imagePart} `
      + `UNION ALL ${attPart}${typePart} ORDER BY kind, id, a_created, k`),
      [...volumeIds, false, ...volumeIds, false, ...volumeIds, false, ...volumeIds, false, ...types])) as Array<Record<string, unknown> & { kind: number | string; volume_id: string; k: string | null; v: string | null }>;
    const meta = this.ds.getMetadata(VolumeAttachment);
    const cols = BRIEF.map(([col, prop]) => [col, prop, meta.findColumnWithPropertyName(prop)!] as const);
    for (const r of rows) {
      const kind = Number(r.kind);
      if (kind === 2) {
        out.typeNames.set(r.volume_id, r.v);
      } else if (kind === 3) {
        const a = { volumeId: r.volume_id } as Record<string, unknown>;
        for (const [col, prop, c] of cols) a[prop] = this.ds.driver.prepareHydratedValue(r[col], c);
        const list = out.attachments.get(r.volume_id) ?? [];
        list.push(a as unknown as AttachmentBrief);
        out.attachments.set(r.volume_id, list);
      } else {
        const target = kind === 4 ? out.image : kind ? out.admin : out.user;
        const m = target.get(r.volume_id) ?? {};
        putOwn(m, r.k ?? '', r.v ?? '');
        target.set(r.volume_id, m);
      }
    }
    return out;
  }

  /**
   * Replace the user metadata of a volume (PUT semantics), as Cinder's
   * _volume_x_metadata_update(delete=True): rows whose key is not among the new keys are deleted
   * (a comparison in SQL, under the column's collation: on MariaDB 'K' survives a new 'k'), rows
   * whose key is (exactly, as Python's `in`) get the new value, the other keys are added. One
   * transaction, so a reader never sees the volume without metadata; re-run whole on a deadlock
   * or a lost connection (a second run ends in the same rows). `image`: the image metadata;
   * `merge`: delete=False, nothing deleted.
   */
  async metadataReplace(volumeId: string, meta: Record<string, string>, image = false, merge = false): Promise<void> {
    const t = now();
    const keys = Object.keys(meta);
    const table = image ? VolumeGlanceMetadata : VolumeMetadata;
    await transactionWithRetry(this.ds, async (m) => {
      // delete=False (a merge) deletes nothing: a key another request added meanwhile stays.
      if (!merge) {
        const gone = m.createQueryBuilder().update(table).set({ deleted: true, deletedAt: t })
          .where({ volumeId, deleted: false });
        if (keys.length) gone.andWhere(`${this.ds.driver.escape('key')} NOT IN (:...keys)`, { keys });
        await gone.execute();
      }
      const left = new Map(Object.entries(meta));
      for (const row of await m.find(table, { where: { volumeId, deleted: false } })) {
        if (row.key === null || !left.has(row.key)) continue;
        const value = left.get(row.key) as string;
        left.delete(row.key);
        if (row.value !== value) await m.update(table, { id: row.id }, { value, updatedAt: t });
      }
      const rows = [...left].map(([key, value]) => ({ volumeId, key, value, createdAt: t, deleted: false }));
      if (rows.length) await m.insert(table, rows);
    }, { retryOnDisconnect: true, what: `${image ? 'image ' : ''}metadata of volume ${volumeId}` });
  }

  /** One key of a volume's user metadata deleted, compared in SQL as Cinder's volume_metadata_delete (on MariaDB, 'K' goes with 'k'). */
  async metadataDeleteKey(volumeId: string, key: string): Promise<void> {
    await this.ds.createQueryBuilder().update(VolumeMetadata).set({ deleted: true, deletedAt: now() })
      .where({ volumeId, key, deleted: false }).execute();
  }

  /**
   * One key of a volume's image metadata deleted: Cinder finds the row whose key is exactly
   * `key` (in Python) and deletes it by id; none such is GlanceMetadataNotFound (the caller's).
   */
  async imageMetadataDeleteKey(volumeId: string, key: string): Promise<boolean> {
    const rows = await fastSelect(this.ds, VolumeGlanceMetadata).find({ volumeId, deleted: false }, [['id', 'ASC']]);
    const row = rows.filter((r) => r.key === key).pop();
    if (!row) return false;
    await fastSelect(this.ds, VolumeGlanceMetadata).update({ id: row.id, deleted: false }, { deleted: true, deletedAt: now() });
    return true;
  }

  /** `exists`: whether the caller, holding the volume's lock, saw the key (false: insert at once). */
  async adminMetadataSet(volumeId: string, key: string, value: string, exists = true): Promise<void> {
    const t = now();
    const meta = fastSelect(this.ds, VolumeAdminMetadata);
    if (!exists || !await meta.update({ volumeId, key, deleted: false }, { value, updatedAt: t })) {
      await meta.insert(this.adminMetadata.create({ volumeId, key, value, createdAt: t, deleted: false }));
    }
  }

  /**
   * Set key only when absent (update=False); returns the value the volume now has. `known`: the
   * volume's admin metadata as just read with it (volumeGetWithAdminMetadata), so not read again.
   */
  async adminMetadataAdd(volumeId: string, key: string, value: string, known?: Record<string, string>): Promise<string> {
    const meta = fastSelect(this.ds, VolumeAdminMetadata);
    if (known && Object.hasOwn(known, key)) return known[key];
    const row = known ? null : await meta.findOne({ volumeId, key, deleted: false });
    if (row) return row.value ?? '';
    await meta.insert(this.adminMetadata.create({ volumeId, key, value, createdAt: now(), deleted: false }));
    return value;
  }

  async adminMetadataDelete(volumeId: string, key: string): Promise<void> {
    await fastSelect(this.ds, VolumeAdminMetadata).update({ volumeId, key, deleted: false }, { deleted: true, deletedAt: now() });
  }

  // -- attachments -----------------------------------------------------------------------
  async attachmentsOf(volumeIds: string[]): Promise<VolumeAttachment[]> {
    if (!volumeIds.length) return [];
    return fastSelect(this.ds, VolumeAttachment).find({ volumeId: volumeIds, deleted: false }, [['createdAt', 'ASC'], ['id', 'ASC']]);
  }

  /**
   * A live attachment and its live volume (null when the volume is gone), in one statement:
   * the attachment actions of cinder-api read both first.
   */
  async attachmentWithVolume(id: string): Promise<{ att: VolumeAttachment; volume: Volume | null } | null> {
    const hit = await this.attachmentWithVolumeAnd(id, false);
    return hit && { att: hit.att, volume: hit.volume };
  }

  /** As attachmentWithVolume, with the volume type's QoS spec in the same statement: what attachment_update's connection needs. */
  async attachmentForConnection(id: string): Promise<{ att: VolumeAttachment; volume: Volume | null; qos: TypeQos | null } | null> {
    return this.attachmentWithVolumeAnd(id, true);
  }

  private async attachmentWithVolumeAnd(id: string, withQos: boolean): Promise<{ att: VolumeAttachment; volume: Volume | null; qos: TypeQos | null } | null> {
    const A = fastSelect(this.ds, VolumeAttachment);
    const V = fastSelect(this.ds, Volume);
    const qos = withQos ? typeQosColumn(this.ds, 'v.volume_type_id') : null;
    const rows = await selectRows(this.ds, prepared(`SELECT ${A.selectList('a', 'a__')}, ${V.selectList('v', 'v__')}${qos ? `, (${qos.sql}) AS attachd_qos` : ''} `
      + 'FROM volume_attachment a LEFT JOIN volumes v ON v.id = a.volume_id AND v.deleted = ? WHERE a.id = ? AND a.deleted = ? LIMIT 1'),
    [...qos?.params ?? [], false, id, false]) as Array<Record<string, unknown>>;
    const att = rows[0] ? A.hydrateFrom(rows[0], 'a__') : null;
    return att ? { att, volume: V.hydrateFrom(rows[0], 'v__'), qos: qosFromColumn(rows[0].attachd_qos) } : null;
  }

  async attachmentGet(id: string): Promise<VolumeAttachment | null> {
    return fastSelect(this.ds, VolumeAttachment).findOne({ id, deleted: false });
  }

  async attachmentCreate(values: Partial<VolumeAttachment>): Promise<VolumeAttachment> {
    return fastSelect(this.ds, VolumeAttachment).insert(this.attachments.create({ id: randomUUID(), deleted: false, createdAt: now(), updatedAt: null, ...values }));
  }

  /** UPDATE volume_attachment SET values WHERE id=? AND attach_status <expected>; true when the row matched. */
  async attachmentConditionalUpdate(id: string, expected: { attachStatus: OneOrMany<AttachStatus | null> }, values: Partial<VolumeAttachment>, m?: EntityManager): Promise<boolean> {
    return (await fastSelect(this.ds, VolumeAttachment).update({ id, deleted: false, attachStatus: expected.attachStatus }, { ...values, updatedAt: now() }, m)) > 0;
  }

  /** A write that is no state transition (mountpoint, connector); false when there is no live row. */
  async attachmentUpdate(id: string, values: PlainValues<VolumeAttachment, 'attachStatus'>): Promise<boolean> {
    return (await fastSelect(this.ds, VolumeAttachment).update({ id, deleted: false }, { ...values, updatedAt: now() })) > 0;
  }

  /** Soft-delete an attachment (deleted, attach_status detached, detach_time). */
  async attachmentDestroy(id: string): Promise<void> {
    const t = now();
    await fastSelect(this.ds, VolumeAttachment).update({ id, deleted: false }, { deleted: true, deletedAt: t, detachTime: t, attachStatus: 'detached', updatedAt: t });
  }

  // -- services --------------------------------------------------------------------------
  /**
   * The `binary` services, each with the size of the live volumes on its host and pools
   * (host or host#pool), the scheduler's allocated_capacity_gb: one statement.
   */
  async servicesWithAllocatedGb(binary: string): Promise<Array<{ service: Service; allocatedGb: number }>> {
    const host = `${this.ds.driver.escape('services')}.${this.ds.driver.escape('host')}`;
    const pools = this.isMysql ? `CONCAT(${host}, '#%')` : `${host} || '#%'`;
    const sum = new SqlValue('allocated_gb',
      `SELECT COALESCE(SUM(v.size), 0) FROM volumes v WHERE v.deleted = ? AND (v.host = ${host} OR v.host LIKE ${pools})`, [false]);
    const rows = await fastSelect(this.ds, Service).findWith({ binary, deleted: false }, sum, [['id', 'ASC']]);
    return rows.map(([service, gb]) => ({ service, allocatedGb: Number(gb ?? 0) }));
  }

  async serviceList(binary: string): Promise<Service[]> {
    return this.services.find({ where: { binary, deleted: false }, order: { id: 'ASC' } });
  }

  async serviceByHost(host: string, binary: string): Promise<Service | null> {
    return this.services.findOneBy({ host, binary, deleted: false });
  }

  // -- volume types ----------------------------------------------------------------------
  /** Live types; the public-or-granted filter (Cinder's _volume_type_get_query for non-admins) is added by callers. */
  private typeQuery() {
    return this.volumeTypes.createQueryBuilder('t').where('t.deleted = :d', { d: false });
  }

  private publicOrGranted(projectId: string | null): Brackets {
    return new Brackets((b) => {
      b.where('t.isPublic = :pub', { pub: true });
      if (projectId) {
        b.orWhere('EXISTS (SELECT 1 FROM volume_type_projects p WHERE p.volume_type_id = t.id AND p.project_id = :gp AND p.deleted = 0)',
          { gp: projectId });
      }
    });
  }

  async typeGet(id: string, access: TypeAccess | null = null): Promise<VolumeType | null> {
    return this.firstVisible(await fastSelect(this.ds, VolumeType).find({ id, deleted: false }), access);
  }

  async typeGetByName(name: string, access: TypeAccess | null = null): Promise<VolumeType | null> {
    return this.firstVisible(await fastSelect(this.ds, VolumeType).find({ name, deleted: false }, [['createdAt', 'ASC']]), access);
  }

  /** typeGetByName with the type's extra specs (as typeExtraSpecsGet reads them) and whether it is encrypted, in the same statement. */
  async typeGetByNameWithSpecs(name: string, access: TypeAccess | null = null): Promise<TypeRead | null> {
    return this.typeWithSpecs(await fastSelect(this.ds, VolumeType).findWith({ name, deleted: false }, this.typeSpecsColumn(), [['createdAt', 'ASC']]), access);
  }

  /** typeGet with its extra specs and whether it is encrypted, in the same statement. */
  async typeGetWithSpecs(id: string, access: TypeAccess | null = null): Promise<TypeRead | null> {
    return this.typeWithSpecs(await fastSelect(this.ds, VolumeType).findWith({ id, deleted: false }, this.typeSpecsColumn()), access);
  }

  /**
   * A type's live extra specs as one JSON object, then '|', then what its live encryption is
   * (below): two correlated subqueries in one text column, so a type read carries both.
   */
  private typeSpecsColumn(): SqlValue {
    const e = (n: string): string => this.ds.driver.escape(n);
    const agg = this.isMysql ? 'JSON_OBJECTAGG' : 'json_group_object';
    const self = `${e('volume_types')}.${e('id')}`;
    const specs = `COALESCE((SELECT ${agg}(COALESCE(s.${e('key')}, ''), s.${e('value')}) `
      + `FROM volume_type_extra_specs s WHERE s.volume_type_id = ${self} AND s.deleted = ?), '{}')`;
    // 0: no encryption; 1: one with a cipher; 2: one without (no key algorithm to ask for).
    const encrypted = `(SELECT COALESCE(MAX(CASE WHEN x.cipher IS NULL OR x.cipher = '' THEN 2 ELSE 1 END), 0) FROM encryption x WHERE x.volume_type_id = ${self} AND x.deleted = ?)`;
    return new SqlValue('type_specs_encrypted', this.isMysql ? `SELECT CONCAT(${specs}, '|', ${encrypted})` : `SELECT ${specs} || '|' || ${encrypted}`, [false, false]);
  }

  private async typeWithSpecs(hits: Array<[VolumeType, unknown]>, access: TypeAccess | null): Promise<TypeRead | null> {
    const type = await this.firstVisible(hits.map(([t]) => t), access);
    if (!type) return null;
    const raw = String(hits.find(([t]) => t === type)![1]);
    const cut = raw.lastIndexOf('|');
    const specs: Record<string, string | null> = {};
    for (const [k, v] of Object.entries(JSON.parse(raw.slice(0, cut)) as Record<string, string | null>)) putOwn(specs, k, v);
    const code = Number(raw.slice(cut + 1));
    return { type, specs, encrypted: code > 0, cipherless: code === 2 };
  }

  /** The first of `types` that `access` may see: public, or private with a live grant for its project. */
  private async firstVisible(types: VolumeType[], access: TypeAccess | null): Promise<VolumeType | null> {
    for (const t of types) {
      if (!access || t.isPublic) return t;
      if (access.projectId && await fastSelect(this.ds, VolumeTypeProject).findOne({ volumeTypeId: t.id, projectId: access.projectId, deleted: 0 })) return t;
    }
    return null;
  }

  /**
   * volume_type_get_all's filters: isPublic true is public-or-granted to `projectId` (null: no
   * grants), false only private types, null both; extraSpecs must all match (key and value).
   */
  async typeList(f: { isPublic: boolean | null; projectId: string | null; extraSpecs?: Record<string, string> }): Promise<VolumeType[]> {
    const qb = this.typeQuery();
    if (f.isPublic === true) qb.andWhere(this.publicOrGranted(f.projectId));
    if (f.isPublic === false) qb.andWhere('t.isPublic = :pub', { pub: false });
    let n = 0;
    for (const [key, value] of Object.entries(f.extraSpecs ?? {})) {
      const [k, v] = [`sk${n}`, `sv${n++}`];
      qb.andWhere(`EXISTS (SELECT 1 FROM volume_type_extra_specs s WHERE s.volume_type_id = t.id AND s.${this.quote('key')} = :${k} ` +
        `AND s.${this.quote('value')} = :${v} AND s.deleted = :sd)`, { [k]: key, [v]: value, sd: false });
    }
    return qb.orderBy('t.createdAt', 'DESC').addOrderBy('t.id', 'DESC').getMany();
  }

  private quote(name: string): string {
    return this.ds.driver.escape(name);
  }

  async typeCreate(values: { name: string; description: string | null; isPublic: boolean }): Promise<VolumeType> {
    const row = this.volumeTypes.create({ id: randomUUID(), qosSpecsId: null, deleted: false, createdAt: now(), updatedAt: null, ...values });
    await this.volumeTypes.insert(row);
    return row;
  }

  /** UPDATE of a live type; false when there is none. */
  async typeUpdate(id: string, values: Partial<Pick<VolumeType, 'name' | 'description' | 'isPublic'>>): Promise<boolean> {
    const res = await this.volumeTypes.update({ id, deleted: false }, { ...values, updatedAt: now() });
    return (res.affected ?? 0) > 0;
  }

  /** Soft-delete a type with its extra specs and grants (volume_type_destroy); idempotent, so re-run whole on a deadlock or lost connection. */
  async typeDestroy(id: string): Promise<void> {
    const t = now();
    await transactionWithRetry(this.ds, async (m) => {
      await m.update(VolumeType, { id, deleted: false }, { deleted: true, deletedAt: t });
      await m.update(VolumeTypeExtraSpec, { volumeTypeId: id, deleted: false }, { deleted: true, deletedAt: t });
      await m.update(Encryption, { volumeTypeId: id, deleted: false }, { deleted: true, deletedAt: t });
      await m.createQueryBuilder().update(VolumeTypeProject).set({ deleted: () => 'id', deletedAt: t })
        .where('volume_type_id = :id AND deleted = 0', { id }).execute();
    }, { retryOnDisconnect: true, what: `delete of volume type ${id}` });
  }

  /** Whether any live volume has this type (VolumeTypeInUse, "Volume Type is currently in use."). */
  async typeInUse(id: string): Promise<boolean> {
    return (await this.volumes.count({ where: { volumeTypeId: id, deleted: false }, take: 1 })) > 0;
  }

  /** Names of types by id, deleted ones too (a volume keeps showing the type it was made with). */
  async typeNames(ids: string[]): Promise<Map<string, string | null>> {
    if (!ids.length) return new Map();
    const rows = await fastSelect(this.ds, VolumeType).find({ id: ids });
    return new Map(rows.map((r) => [r.id, r.name]));
  }

  async typeExtraSpecsGet(typeIds: string[]): Promise<Map<string, Record<string, string | null>>> {
    const out = new Map<string, Record<string, string | null>>(typeIds.map((id) => [id, {}]));
    if (!typeIds.length) return out;
    const rows = await fastSelect(this.ds, VolumeTypeExtraSpec).find({ volumeTypeId: typeIds, deleted: false }, [['id', 'ASC']]);
    for (const r of rows) putOwn(out.get(r.volumeTypeId)!, r.key ?? '', r.value);
    return out;
  }

  /** volume_type_extra_specs_update_or_create: each key updated in place, else added. */
  async typeExtraSpecsUpdateOrCreate(typeId: string, specs: Record<string, string | null>): Promise<void> {
    const t = now();
    for (const [key, value] of Object.entries(specs)) {
      const res = await this.typeExtraSpecs.update({ volumeTypeId: typeId, key, deleted: false }, { value, updatedAt: t });
      if (!res.affected) await this.typeExtraSpecs.insert({ volumeTypeId: typeId, key, value, createdAt: t, deleted: false });
    }
  }

  /** false when the type has no such live key. */
  async typeExtraSpecDelete(typeId: string, key: string): Promise<boolean> {
    const res = await this.typeExtraSpecs.update({ volumeTypeId: typeId, key, deleted: false }, { deleted: true, deletedAt: now() });
    return (res.affected ?? 0) > 0;
  }

  async typeAccessList(typeId: string): Promise<VolumeTypeProject[]> {
    return this.typeProjects.find({ where: { volumeTypeId: typeId, deleted: 0 }, order: { id: 'ASC' } });
  }

  /** false when the project already has a live grant (the unique index decides under a race). */
  async typeAccessAdd(typeId: string, projectId: string): Promise<boolean> {
    if (await this.typeProjects.findOneBy({ volumeTypeId: typeId, projectId, deleted: 0 })) return false;
    try {
      await this.typeProjects.insert({ volumeTypeId: typeId, projectId, createdAt: now(), deleted: 0 });
    } catch (e) {
      if (isDuplicateEntry(e)) return false;
      throw e;
    }
    return true;
  }

  /** Soft delete (deleted = id, freeing the unique key); false when there was no live grant. */
  async typeAccessRemove(typeId: string, projectId: string): Promise<boolean> {
    const res = await this.typeProjects.createQueryBuilder().update().set({ deleted: () => 'id', deletedAt: now() })
      .where('volume_type_id = :typeId AND project_id = :projectId AND deleted = 0', { typeId, projectId }).execute();
    return (res.affected ?? 0) > 0;
  }
}

/** Who looks at types: non-admins see public types and the private ones granted to their project. */
export interface TypeAccess {
  projectId: string | null;
}

/** A unique-key violation (MariaDB ER_DUP_ENTRY, SQLite SQLITE_CONSTRAINT_UNIQUE). */
function isDuplicateEntry(e: unknown): boolean {
  const err = e as { code?: string; driverError?: { code?: string } };
  const code = err.driverError?.code ?? err.code ?? '';
  return code === 'ER_DUP_ENTRY' || code === 'SQLITE_CONSTRAINT_UNIQUE';
}

// Every operation is one unit of work (a statement or a transaction): a span each, towards the
// database lifeline (docs/tracing.md).
traceMethods(CinderDB.prototype, methodNames(CinderDB.prototype), { peer: 'database', prefix: 'db.' });
