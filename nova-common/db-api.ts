// The nova database operations both processes use. State changes are single UPDATEs guarded by
// the expected state (compare-and-swap: instanceConditionalUpdate, bdmTransition); callers check
// the boolean. The plain updates cannot touch a state column (common/db/cas.ts).
import { methodNames, traceMethods } from '../common/trace';
import { randomUUID } from 'node:crypto';
import { causalWrite } from '../common/db/causal';
import { fastSelect, writeRows } from '../common/db/fast-select';
import { prepared } from '../common/db/prepared';
import { requireExpected, type AtLeastOne, type OneOrMany, type PlainValues } from '../common/db/cas';
import { In, IsNull, LessThan, Not, type DataSource, type FindOperator } from 'typeorm';
import type { BdmState } from './bdm-states';
import { BlockDeviceMapping, Instance, InstanceAction, InstanceActionEvent, RequestSpec, Tag, type RequestSpecData } from './entities';
import { isDuplicateEntry } from './db';
import { transactionWithRetry } from '../common/db/retry';
import type { TaskState, VmState } from './objects';

/** An instance's expected state (compare-and-swap): a scalar is equality, a list is IN (null inside: IS NULL too). */
export type InstanceExpected = AtLeastOne<{ vmState: OneOrMany<VmState | null>; taskState: OneOrMany<TaskState | null> }>;

/** The state columns of an instance: written only by a conditional update (or the soft delete). */
type InstanceStateColumn = 'vmState' | 'taskState' | 'powerState';

/** The values of a plain instance update. */
export type InstanceValues = PlainValues<Instance, InstanceStateColumn>;

const now = (): Date => new Date();

/**
 * The rows `read` finds for `keys`, read 500 keys at a time: a list of every server would pass
 * SQLite's limit on bound parameters (32766) in one IN list.
 */
async function inSlices<T>(keys: string[], read: (part: string[]) => Promise<T[]>): Promise<T[]> {
  const out: T[] = [];
  for (let i = 0; i < keys.length; i += 500) out.push(...await read(keys.slice(i, i + 500)));
  return out;
}

export class NovaDB {
  constructor(readonly ds: DataSource) {}

  get instances() { return this.ds.getRepository(Instance); }
  get bdms() { return this.ds.getRepository(BlockDeviceMapping); }

  /** A live instance; with projectId, only if it belongs to that project. */
  async instanceGet(uuid: string, projectId?: string | null): Promise<Instance | null> {
    const row = await fastSelect(this.ds, Instance).findOne({ uuid, deleted: 0 });
    if (!row || (projectId !== undefined && projectId !== null && row.projectId !== projectId)) return null;
    return row;
  }

  /**
   * instance_get_active_by_window_joined: servers, deleted ones too, launched before `end` and
   * not terminated before `begin`, of `projectId` (null: all), in (project_id, uuid) order.
   */
  async instancesActiveInWindow(begin: Date, end: Date, projectId: string | null): Promise<Instance[]> {
    // Times bound as the column stores them (SQLite keeps text), as every other write and read does.
    const col = this.ds.getMetadata(Instance).findColumnWithPropertyName('launchedAt')!;
    const at = (d: Date): unknown => this.ds.driver.preparePersistentValue(d, col);
    const q = this.instances.createQueryBuilder('i')
      .where('(i.terminated_at IS NULL OR i.terminated_at > :begin)', { begin: at(begin) })
      .andWhere('i.launched_at < :end', { end: at(end) });
    if (projectId !== null) q.andWhere('i.project_id = :projectId', { projectId });
    return q.orderBy('i.project_id', 'ASC').addOrderBy('i.uuid', 'ASC').getMany();
  }

  /** UPDATE instances SET values WHERE uuid=? AND <expected>; true when the row matched (Nova's save(expected_task_state=…)). */
  async instanceConditionalUpdate(uuid: string, expected: InstanceExpected, values: Partial<Instance>): Promise<boolean> {
    requireExpected(expected, 'instanceConditionalUpdate');
    return (await fastSelect(this.ds, Instance).update({ uuid, deleted: 0, ...expected }, { ...values, updatedAt: now() })) > 0;
  }

  /** A write that is no state transition (name, metadata, lock); false when there is no live row. */
  async instanceUpdate(uuid: string, values: InstanceValues): Promise<boolean> {
    return (await fastSelect(this.ds, Instance).update({ uuid, deleted: 0 }, { ...values, updatedAt: now() })) > 0;
  }

  async instanceSoftDelete(instance: Instance): Promise<boolean> {
    const t = now();
    const res = await this.instances.createQueryBuilder().update()
      .set({ deleted: instance.id, deletedAt: t, terminatedAt: t, vmState: 'deleted', taskState: null, powerState: 0, updatedAt: t })
      .where({ id: instance.id, deleted: 0 })
      .execute();
    // Nova's instance_destroy takes the tags along (hard-deleted). The server is gone either way:
    // tags a kill or a lost database leaves behind belong to a deleted server, which nothing shows.
    if ((res.affected ?? 0) > 0) await this.ds.getRepository(Tag).delete({ resourceId: instance.uuid }).catch(() => undefined);
    return (res.affected ?? 0) > 0;
  }

  /** Live instances per host (the scheduler's num_instances). */
  async instanceCountsByHost(): Promise<Map<string, number>> {
    const rows = await this.instances.createQueryBuilder('i').select('i.host', 'host').addSelect('COUNT(*)', 'n')
      .where('i.deleted = 0').andWhere('i.host IS NOT NULL').groupBy('i.host')
      .getRawMany<{ host: string; n: number | string }>();
    return new Map(rows.map((r) => [r.host, Number(r.n)]));
  }

  async bdmsByInstance(uuid: string): Promise<BlockDeviceMapping[]> {
    return fastSelect(this.ds, BlockDeviceMapping).find({ instanceUuid: uuid, deleted: 0 }, [['id', 'ASC']]);
  }

  async bdmByVolumeAndInstance(volumeId: string, uuid: string): Promise<BlockDeviceMapping | null> {
    return fastSelect(this.ds, BlockDeviceMapping).findOne({ volumeId, instanceUuid: uuid, deleted: 0 }, [['id', 'ASC']]);
  }

  /** The live block_device_mapping row as stored, column names and all (nova-manage prints it). */
  async bdmRowByVolumeAndInstance(volumeId: string, uuid: string): Promise<Record<string, unknown> | null> {
    const rows = (await this.ds.query('SELECT * FROM block_device_mapping WHERE volume_id = ? AND instance_uuid = ? AND deleted = 0 ORDER BY id',
      [volumeId, uuid])) as Array<Record<string, unknown>>;
    return rows[0] ?? null;
  }

  async bdmGet(id: number): Promise<BlockDeviceMapping | null> {
    return fastSelect(this.ds, BlockDeviceMapping).findOne({ id, deleted: 0 });
  }

  /** INSERT a row; a UNIQUE violation propagates (see isDuplicateEntry). */
  async bdmCreate(values: Partial<BlockDeviceMapping>): Promise<BlockDeviceMapping> {
    const t = now();
    const row = this.bdms.create({
      uuid: randomUUID(), deleteOnTermination: false, encrypted: false, deleted: 0, createdAt: t, updatedAt: null, ...values,
    });
    // A single autocommit INSERT (no save() transaction) keeps the unique-index check cheap.
    return fastSelect(this.ds, BlockDeviceMapping).insert(row);
  }

  /** Roll back an attach that never completed: the row goes away entirely ("undo the reservation", docs/attach-detach.md). */
  async bdmDestroy(id: number): Promise<void> {
    await this.bdmDestroyCausal('id', id, null);
  }

  /** Soft delete (deleted = id frees the device name for the unique index); no intent is left on it. */
  async bdmSoftDelete(id: number): Promise<boolean> {
    const t = now();
    const res = await this.bdms.createQueryBuilder().update()
      .set({ deleted: id, deletedAt: t, updatedAt: t, attachState: null, attachStateAt: t }).where({ id, deleted: 0 }).execute();
    return (res.affected ?? 0) > 0;
  }

  /**
   * Soft-delete the row only while it is as `seen`: its intent, connection and attachments. False
   * once something else moved it on (a compute back from down, finishing what it held). `keep`:
   * the intent the hidden row carries on (a release still to be done).
   */
  async bdmSoftDeleteIf(seen: Pick<BlockDeviceMapping, 'id' | 'attachState' | 'connectionInfo' | 'attachmentId' | 'swapVolumeId' | 'swapAttachmentId'>,
    keep: BdmState | null = null): Promise<boolean> {
    const t = now();
    return (await fastSelect(this.ds, BlockDeviceMapping).update(
      { id: seen.id, deleted: 0, attachState: seen.attachState, connectionInfo: seen.connectionInfo, attachmentId: seen.attachmentId,
        swapVolumeId: seen.swapVolumeId, swapAttachmentId: seen.swapAttachmentId },
      { deleted: seen.id, deletedAt: t, updatedAt: t, attachState: keep, attachStateAt: t },
    )) > 0;
  }

  /** A server's rows hidden with `state` still on them (soft-deleted before their release ended). */
  async bdmsHiddenOf(uuid: string, state: BdmState): Promise<BlockDeviceMapping[]> {
    return (await this.bdms.findBy({ instanceUuid: uuid, attachState: state })).filter((b) => b.deleted !== 0);
  }

  /** "save connection_info" (docs/attach-detach.md): store it on the still-live row. */
  async bdmSetConnectionInfo(id: number, connectionInfo: string): Promise<boolean> {
    return (await fastSelect(this.ds, BlockDeviceMapping).update({ id, deleted: 0 }, { connectionInfo, updatedAt: now() })) > 0;
  }

  /**
   * Compare-and-swap of a row's intent: attach_state from one of `from` to `to` (stamping
   * attach_state_at), with `extra` columns in the same UPDATE. Live rows only unless
   * `deleted` is 'any' (a detach-committing row is already soft-deleted).
   */
  async bdmTransition(id: number, from: ReadonlyArray<BdmState | null>, to: BdmState | null, extra: Partial<BlockDeviceMapping> = {},
    deleted: 'live' | 'any' = 'live'): Promise<boolean> {
    const t = now();
    return (await fastSelect(this.ds, BlockDeviceMapping).update(
      { id, attachState: [...from], ...(deleted === 'live' ? { deleted: 0 } : {}) },
      { ...extra, attachState: to, attachStateAt: t, updatedAt: t },
    )) > 0;
  }

  /** Claim a row a Python nova-api wrote without intent (NULL state, never connected). */
  async bdmClaimForeign(id: number, to: BdmState, extra: Partial<BlockDeviceMapping> = {}): Promise<boolean> {
    const t = now();
    return (await fastSelect(this.ds, BlockDeviceMapping).update({ id, deleted: 0, attachState: null, connectionInfo: null },
      { ...extra, attachState: to, attachStateAt: t, updatedAt: t })) > 0;
  }

  /**
   * Take a row out of Nova's view (soft delete) but keep its intent: a rollback does this before
   * it releases the volume, so no one sees the volume 'available' while the row still counts.
   */
  async bdmHide(id: number, state: BdmState): Promise<boolean> {
    const t = now();
    return (await fastSelect(this.ds, BlockDeviceMapping).update({ id, deleted: 0, attachState: state }, { deleted: id, deletedAt: t, updatedAt: t })) > 0;
  }

  /** DELETE a row by uuid if it is still in `state` (an INSERT whose answer was lost). */
  async bdmDestroyByUuidIf(uuid: string, state: BdmState): Promise<boolean> {
    return this.bdmDestroyCausal('uuid', uuid, state);
  }

  /** DELETE the row if it is still in `state` (an attach rolled back: "undo the reservation" drops the row). */
  async bdmDestroyIf(id: number, state: BdmState): Promise<boolean> {
    return this.bdmDestroyCausal('id', id, state);
  }

  /**
   * The three DELETEs above run on rollbacks, often right after a lost connection: causal, so on
   * Galera they see a write that committed on the node that went away (common/db/causal.ts).
   * `state` null: whatever the row's state.
   */
  private async bdmDestroyCausal(key: 'id' | 'uuid', value: number | string, state: BdmState | null): Promise<boolean> {
    const e = (n: string): string => this.ds.driver.escape(n);
    const sql = `DELETE FROM ${e('block_device_mapping')} WHERE ${e(key)} = ?${state === null ? '' : ` AND ${e('attach_state')} = ?`}`;
    return (await causalWrite(this.ds, sql, state === null ? [value] : [value, state])) > 0;
  }

  /** The row whatever its deleted flag (the reconciler follows soft-deleted detach-committing rows). */
  async bdmGetAny(id: number): Promise<BlockDeviceMapping | null> {
    return this.bdms.findOneBy({ id });
  }

  /** Rows with an unfinished intent whose instance lives on `host` (deleted instances included). */
  async bdmsPendingOnHost(host: string): Promise<Array<{ bdm: BlockDeviceMapping; instance: Instance }>> {
    const bdms = await this.bdms.findBy({ attachState: Not(IsNull()) as FindOperator<BdmState> });
    if (!bdms.length) return [];
    const uuids = [...new Set(bdms.map((b) => b.instanceUuid).filter((u): u is string => !!u))];
    const instances = new Map((await this.instances.findBy({ uuid: In(uuids), host })).map((i) => [i.uuid, i]));
    return bdms.filter((b) => b.instanceUuid && instances.has(b.instanceUuid))
      .map((bdm) => ({ bdm, instance: instances.get(bdm.instanceUuid as string) as Instance }));
  }

  /**
   * Settled live rows of a volume whose instance on `host` is deleted, at most `limit`: what a
   * delete left behind (Nova soft-deletes them with the instance).
   */
  async bdmsLeftByDeletedOnHost(host: string, limit = 50): Promise<Array<{ bdm: BlockDeviceMapping; instance: Instance }>> {
    const bdms = await this.bdms.createQueryBuilder('b').innerJoin(Instance, 'i', 'i.uuid = b.instanceUuid')
      .where('b.deleted = 0 AND b.volumeId IS NOT NULL AND b.attachState IS NULL AND i.deleted <> 0 AND i.host = :host', { host })
      .orderBy('b.id', 'ASC').limit(limit).getMany();
    if (!bdms.length) return [];
    const instances = new Map((await this.instances.findBy({ uuid: In([...new Set(bdms.map((b) => b.instanceUuid as string))]) })).map((i) => [i.uuid, i]));
    return bdms.filter((b) => instances.has(b.instanceUuid as string)).map((bdm) => ({ bdm, instance: instances.get(bdm.instanceUuid as string) as Instance }));
  }

  /** Live rows of other attachments of the volume (another server holds or is taking it). */
  async bdmsOfVolumeExcept(volumeId: string, exceptId: number): Promise<BlockDeviceMapping[]> {
    const rows = await fastSelect(this.ds, BlockDeviceMapping).find({ volumeId, deleted: 0 }, [['id', 'ASC']]);
    return rows.filter((b) => b.id !== exceptId);
  }

  /**
   * Live servers with no host whose delete was cut short ('deleting' since before `before`):
   * nothing else finishes them (nova-api/compute/hostless-deletes.ts).
   */
  async instancesDeletingWithoutHost(before: Date, limit = 100): Promise<Instance[]> {
    return this.instances.find({
      where: { host: IsNull(), taskState: 'deleting', deleted: 0, updatedAt: LessThan(before) }, order: { id: 'ASC' }, take: limit,
    });
  }

  /** An instance row whatever its deleted flag (a server delete interrupted half-way). */
  async instanceGetAny(uuid: string): Promise<Instance | null> {
    return this.instances.findOneBy({ uuid });
  }

  /** A write that is no state transition (size, delete_on_termination); the intent changes by bdmTransition only. */
  async bdmUpdate(id: number, values: PlainValues<BlockDeviceMapping, 'attachState'>): Promise<boolean> {
    return (await fastSelect(this.ds, BlockDeviceMapping).update({ id, deleted: 0 }, { ...values, updatedAt: now() })) > 0;
  }

  /** Store what a server was asked for at create (one row per instance). */
  async requestSpecCreate(instanceUuid: string, spec: RequestSpecData): Promise<void> {
    const t = now();
    const repo = this.ds.getRepository(RequestSpec);
    await repo.save(repo.create({ instanceUuid, spec: JSON.stringify(spec), createdAt: t, updatedAt: t }));
  }

  /** The request specs of these instances by uuid; an instance without one is absent. */
  async requestSpecsByInstances(uuids: string[]): Promise<Map<string, RequestSpecData>> {
    const rows = await inSlices(uuids, (part) => this.ds.getRepository(RequestSpec).findBy({ instanceUuid: In(part) }));
    return new Map(rows.map((r) => [r.instanceUuid, JSON.parse(r.spec) as RequestSpecData]));
  }

  async actionStart(a: { action: string; instanceUuid: string; requestId: string; userId: string | null; projectId: string | null }): Promise<InstanceAction> {
    const t = now();
    return fastSelect(this.ds, InstanceAction).insert(this.ds.getRepository(InstanceAction).create({ ...a, startTime: t, createdAt: t, deleted: 0 }));
  }

  async actionGet(instanceUuid: string, requestId: string): Promise<InstanceAction | null> {
    return fastSelect(this.ds, InstanceAction).findOne({ instanceUuid, requestId, deleted: 0 }, [['id', 'DESC']]);
  }

  /**
   * Record a compute step of the action started with this request id (if the API recorded
   * one): one INSERT … SELECT, which inserts nothing when there is no such action.
   */
  async eventStart(instanceUuid: string, requestId: string | null, event: string, host: string): Promise<ActionEventRef | null> {
    if (!requestId) return null;
    const meta = this.ds.getMetadata(InstanceActionEvent);
    const t = this.ds.driver.preparePersistentValue(now(), meta.findColumnWithPropertyName('startTime')!);
    const res = await writeRows(this.ds, prepared('INSERT INTO instance_actions_events (event, action_id, start_time, host, created_at, deleted) '
      + 'SELECT ?, id, ?, ?, ?, 0 FROM instance_actions WHERE instance_uuid = ? AND request_id = ? AND deleted = 0 ORDER BY id DESC LIMIT 1'),
    [event, t, host, t, instanceUuid, requestId]);
    if (!res.affected) return null;
    // better-sqlite3 answers lastInsertRowid, mysql2 an OK packet with insertId.
    const raw = res.raw;
    return { id: Number(typeof raw === 'object' && raw !== null ? (raw as { insertId: number }).insertId : raw) };
  }

  /** The event's end, and its action's (Error marks the action's message as Nova's does). */
  async eventFinish(ev: ActionEventRef | null, result: 'Success' | 'Error', traceback: string | null = null): Promise<void> {
    if (!ev) return;
    const t = now();
    await fastSelect(this.ds, InstanceActionEvent).update({ id: ev.id }, { finishTime: t, result, traceback, updatedAt: t });
    const stamp = this.ds.driver.preparePersistentValue(t, this.ds.getMetadata(InstanceAction).findColumnWithPropertyName('finishTime')!);
    const message = result === 'Error' ? ", message = 'Error'" : '';
    await writeRows(this.ds, prepared(`UPDATE instance_actions SET finish_time = ?, updated_at = ?${message} `
      + 'WHERE id = (SELECT action_id FROM instance_actions_events WHERE id = ?)'), [stamp, stamp, ev.id]);
  }

  // -- tags (2.26) ------------------------------------------------------------------------
  /** Each server's tags in the primary key's order (Nova's TagList reads them so), for these uuids. */
  async tagsOf(uuids: string[]): Promise<Map<string, string[]>> {
    const out = new Map<string, string[]>(uuids.map((u) => [u, []]));
    for (const t of await inSlices(uuids, (part) => fastSelect(this.ds, Tag).find({ resourceId: part }, [['resourceId', 'ASC'], ['tag', 'ASC']]))) {
      out.get(t.resourceId)?.push(t.tag);
    }
    return out;
  }

  /** instance_tag_add: a tag that is already there (a racing add) is no error. */
  async tagAdd(uuid: string, tag: string): Promise<void> {
    try {
      await fastSelect(this.ds, Tag).insert(Object.assign(new Tag(), { resourceId: uuid, tag }));
    } catch (e) {
      if (!isDuplicateEntry(e)) throw e;
    }
  }

  /** instance_tag_set: exactly `tags` afterwards, in one transaction (redone whole after a lost connection). */
  async tagsSet(uuid: string, tags: string[]): Promise<void> {
    const want = [...new Set(tags)];
    await transactionWithRetry(this.ds, async (m) => {
      const have = (await fastSelect(this.ds, Tag).find({ resourceId: uuid }, [], undefined, m)).map((t) => t.tag);
      const gone = have.filter((t) => !want.includes(t));
      if (gone.length) await m.delete(Tag, { resourceId: uuid, tag: In(gone) });
      for (const tag of want.filter((t) => !have.includes(t))) await fastSelect(this.ds, Tag).insert(Object.assign(new Tag(), { resourceId: uuid, tag }), m);
    }, { retryOnDisconnect: true, what: `tags of server ${uuid}` });
  }

  /** instance_tag_delete (one) or instance_tag_delete_all (no `tag`); whether a row went. */
  async tagsDelete(uuid: string, tag?: string): Promise<boolean> {
    return ((await this.ds.getRepository(Tag).delete(tag === undefined ? { resourceId: uuid } : { resourceId: uuid, tag })).affected ?? 0) > 0;
  }
}

/** An action event eventStart recorded. */
export interface ActionEventRef { id: number }

// Every operation is one unit of work (a statement or a transaction): a span each, towards the
// database lifeline (docs/tracing.md).
traceMethods(NovaDB.prototype, methodNames(NovaDB.prototype), { peer: 'database', prefix: 'db.' });
