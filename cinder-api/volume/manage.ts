// volume_api.manage_existing (cinder/volume/api.py) and its API flow: the checks, the 'managing'
// row (size 0) counted as one volume in the quota in its transaction (cinder-volume counts its
// gigabytes once the backend says its size), and the cast to the backend `host` names (or an up
// service of `cluster`). Cinder casts through its scheduler; this project's cinder-api stands in
// for it, as for a create. manage_existing_snapshot at the end.
import { isServiceUp } from '../../common/service';
import { getLogger } from '../../common/log';
import type { Service, Snapshot, Volume } from '../../cinder-common/entities';
import { InvalidVolume, InvalidVolumeType, NoValidBackend, ServiceNotFound, ServiceUnavailable, VolumeTypeNotFound } from '../../cinder-common/exception';
import { Action } from '../../cinder-common/message-field';
import { transactionWithRetry } from '../../common/db/retry';
import { serviceHostOf } from '../../cinder-common/objects';
import type { RequestContext as Ctx } from '../../common/context';
import type { VolumeAPI } from './api';
import type { SnapshotAPI } from './snapshots';
import { isMultiattachSpec, type TypeWithSpecs } from './types';
import { capabilitiesOf, satisfiesExtraSpecs } from './capabilities-filter';
import { poolName } from './pools';

const LOG = getLogger('cinder-api.volume-manage');

export const MANAGE_POLICY = 'volume_extension:volume_manage';
export const UNMANAGE_POLICY = 'volume_extension:volume_unmanage';

export interface ManageRequest {
  host: string | null;
  cluster: string | null;
  ref: Record<string, unknown> | string;
  name: string | null;
  description: string | null;
  volumeType: string | null;
  metadata: Record<string, string> | null;
  availabilityZone: string | null;
  bootable: boolean;
}

/** volume_name_template 'volume-%s': the id a backend name names, if any (extract_id_from_volume_name). */
function idInName(name: string): string | null {
  const m = /^volume-(.+)$/s.exec(name);
  return m ? m[1] : null;
}

/** What uuid.UUID(s, version=4) takes: 32 hex digits, hyphens anywhere, braces or urn:uuid: around. */
function uuidLike(s: string): boolean {
  const bare = s.replace(/^urn:uuid:/i, '').replace(/^\{(.*)\}$/s, '$1').replace(/-/g, '');
  return /^[0-9a-f]{32}$/i.test(bare);
}

/**
 * _get_service_by_host_cluster: the backend's service, up and enabled, or ServiceUnavailable
 * (400). `missing`: the error for a service that is not there (the volume manage controller's
 * 400 "Host '…' not found" by default).
 */
async function manageService(api: VolumeAPI, r: Pick<ManageRequest, 'host' | 'cluster'>, missing?: () => Error): Promise<Service> {
  const services = await api.db.serviceList('cinder-volume');
  const host = r.host === null ? null : serviceHostOf(r.host);
  const cluster = r.cluster === null ? null : serviceHostOf(r.cluster);
  const found = host !== null ? services.find((s) => s.host === host)
    : services.find((s) => s.clusterName !== null && serviceHostOf(s.clusterName) === cluster && isServiceUp(s.updatedAt, api.d.serviceDownTime));
  if (!found) {
    LOG.error(`Unable to find service: cinder-volume for given host: ${r.host ?? 'None'} and cluster ${r.cluster ?? 'None'}.`);
    throw missing?.() ?? new ServiceUnavailable({}, `${r.host ? 'Host' : 'Cluster'} '${r.host ?? r.cluster}' not found`);
  }
  if (found.disabled || !isServiceUp(found.updatedAt, api.d.serviceDownTime)) {
    LOG.error(`Unable to manage existing ${missing ? 'snapshot' : 'volume'} on a service that is ${found.disabled ? 'disabled' : 'down'}.`);
    throw new ServiceUnavailable();
  }
  return found;
}

/** The type asked for by name or id (400 when there is none), else the default one. */
async function manageType(api: VolumeAPI, ctx: Ctx, asked: string | null): Promise<TypeWithSpecs> {
  if (!asked) return api.types.getDefault();
  try {
    return await api.types.getByNameOrId(ctx, asked);
  } catch (e) {
    if (e instanceof VolumeTypeNotFound) throw new InvalidVolumeType({ reason: `Cannot find requested '${asked}' volume type` });
    throw e;
  }
}

/** The new 'managing' volume, its cast sent; a cast the broker refuses takes the row back (503). */
export async function manageExisting(api: VolumeAPI, ctx: Ctx, r: ManageRequest): Promise<{ volume: Volume; typeName: string | null }> {
  api.authorize(ctx, MANAGE_POLICY);
  const type = await manageType(api, ctx, r.volumeType);
  const ref = r.ref;
  if (typeof ref === 'object' && typeof ref['source-name'] === 'string') {
    const id = idInName(ref['source-name']);
    if (id !== null && uuidLike(id) && await api.db.volumeGet(id)) {
      throw new InvalidVolume({}, 'Unable to manage existing volume. The volume is already managed');
    }
  }
  if (type.encrypted || type.cipherless) throw new InvalidVolumeType({}, 'Managing to an encrypted volume type is not supported.');
  const service = await manageService(api, r);
  const caps = capabilitiesOf(service);
  const availabilityZone = r.availabilityZone ?? service.availabilityZone;
  // The scheduler's manage_existing: the backend must pass the filters (the type's extra specs,
  // the zone); the host then names its pool, unless the request named one.
  const placed = satisfiesExtraSpecs(caps, type.specs) && availabilityZone === (service.availabilityZone ?? api.d.defaultAz);
  const host = r.cluster === null && r.host !== null && r.host.includes('#') ? r.host : poolName(service, caps);
  const values: Partial<Volume> = {
    userId: ctx.userId, projectId: ctx.projectId, status: 'managing', attachStatus: 'detached', size: 0, host, clusterName: service.clusterName,
    availabilityZone, volumeTypeId: type.type.id, displayName: r.name, displayDescription: r.description,
    bootable: r.bootable, multiattach: isMultiattachSpec(type.specs),
  };
  // QuotaReserveTask and QuotaCommitTask of the API's flow: the volume counts (size 0) with its row.
  const quota = api.d.quota;
  const projectId = ctx.projectId ?? '';
  const v = quota ? await quota.createVolume(projectId, 0, type.type.name, await quota.checkVolumeCreate(projectId, 0), (m) => api.db.volumeCreate(values, m))
    : await api.db.volumeCreate(values);
  try {
    if (r.metadata && Object.keys(r.metadata).length) await api.db.metadataReplace(v.id, r.metadata);
    if (!placed) {
      await notPlaced(api, ctx, v);
      return { volume: v, typeName: type.type.name };
    }
    await api.d.rpc.manageExisting(ctx, v, ref);
  } catch (e) {
    // EntryCreateTask's revert: the row goes, with what it counted (should the database be gone
    // too, the reconciler ends it error_managing after lost_cast_timeout).
    LOG.exception(`Could not cast manage_existing for ${v.id}`, e, { context: ctx });
    await api.db.volumeSoftDelete(v.id, v, type.type.name).catch((e2: unknown) => LOG.warning(`Volume ${v.id} left managing: ${(e2 as Error).message}`));
    throw e;
  }
  return { volume: v, typeName: type.type.name };
}

/** The scheduler's NoValidBackend for a manage: error_managing, with the user message that says why. */
async function notPlaced(api: VolumeAPI, ctx: Ctx, v: Volume): Promise<void> {
  LOG.warning(`Failed to manage volume ${v.id}: its backend ${v.host} does not pass the filters`, { context: ctx });
  await transactionWithRetry(api.db.ds, async (m) => {
    if (!await api.db.volumeConditionalUpdate(v.id, { status: 'managing' }, { status: 'error_managing' }, m)) return;
    await api.messages.createIn(m, ctx, Action.SCHEDULE_ALLOCATE_VOLUME,
      { resourceUuid: v.id, exception: new NoValidBackend({ reason: `Cannot place volume ${v.id} on ${v.host}` }) });
  }, { what: `unplaced manage of ${v.id}` });
}

/**
 * volume_api.manage_existing_snapshot: the volume's backend service up and enabled (else 404,
 * as its ServiceNotFound reaches the API, or 400), then a snapshot made as a forced create
 * (create_snapshot_in_db with commit_quota) whose cast is manage_existing_snapshot instead.
 */
export async function manageExistingSnapshot(api: SnapshotAPI, ctx: Ctx, v: Volume, ref: unknown,
  r: { name: string | null; description: string | null; metadata: Record<string, string> }): Promise<Snapshot> {
  await manageService(api.volumes, { host: v.host, cluster: null }, () => new ServiceNotFound({ service_id: null, host: v.host === null ? null : serviceHostOf(v.host) }));
  return api.create(ctx, v, { ...r, inUse: true }, ref);
}
