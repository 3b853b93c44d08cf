// The fault suite's cluster: four processes with short reconciler intervals and timeouts, and
// test pause points controllable per daemon (common/fault/pause.ts), so every repair happens
// within a bound the tests can assert.
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { waitFor } from '../../support/processes';
import { Cluster } from '../e2e/cluster';

export type Service = 'nova-api' | 'nova-compute' | 'cinder-api' | 'cinder-volume';

export type Flow = 'attachments' | 'legacy';

/** Every step of the attach (the legacy flow), per service, at which a kill leaves work half-done. */
export const ATTACH_STEPS: Array<[Service, string]> = [
  ['nova-api', 'nova-api.attach.after-bdm-insert'],
  ['nova-api', 'nova-api.attach.after-reserve'],
  ['nova-api', 'nova-api.attach.after-cast'],
  ['cinder-api', 'cinder-api.os-reserve.after-update'],
  ['nova-compute', 'nova-compute.attach.after-initialize-connection'],
  ['cinder-api', 'cinder-api.os-initialize_connection.after-rpc'],
  ['cinder-volume', 'cinder-volume.initialize_connection.after-export'],
  ['nova-compute', 'nova-compute.attach.after-connect'],
  ['nova-compute', 'nova-compute.attach.after-guest-attach'],
  ['nova-compute', 'nova-compute.attach.after-save-connection-info'],
  ['cinder-volume', 'cinder-volume.attach_volume.after-attachment-create'],
  ['cinder-api', 'cinder-api.os-attach.after-rpc'],
  ['nova-compute', 'nova-compute.attach.after-os-attach'],
];

/** The attach's steps through Cinder's attachments API. */
export const ATTACH_STEPS_V3: Array<[Service, string]> = [
  ['nova-api', 'nova-api.attach.after-bdm-insert'],
  ['cinder-api', 'cinder-api.attachment-create.after-insert'],
  ['nova-api', 'nova-api.attach.after-reserve'],
  ['nova-api', 'nova-api.attach.after-cast'],
  ['cinder-volume', 'cinder-volume.attachment_update.after-export'],
  ['cinder-api', 'cinder-api.attachment-update.after-rpc'],
  ['nova-compute', 'nova-compute.attach.after-initialize-connection'],
  ['nova-compute', 'nova-compute.attach.after-connect'],
  ['nova-compute', 'nova-compute.attach.after-guest-attach'],
  ['nova-compute', 'nova-compute.attach.after-save-connection-info'],
  ['cinder-api', 'cinder-api.attachment-complete.after-attachment'],
  ['nova-compute', 'nova-compute.attach.after-os-attach'],
];

/** The detach's steps through Cinder's attachments API. */
export const DETACH_STEPS_V3: Array<[Service, string]> = [
  ['nova-api', 'nova-api.detach.after-intent'],
  ['cinder-api', 'cinder-api.os-begin_detaching.after-update'],
  ['nova-api', 'nova-api.detach.after-begin-detaching'],
  ['nova-compute', 'nova-compute.detach.after-guest-detach'],
  ['nova-compute', 'nova-compute.detach.after-disconnect'],
  ['nova-compute', 'nova-compute.detach.after-bdm-delete'],
  ['cinder-volume', 'cinder-volume.attachment_delete.after-remove-export'],
  ['cinder-api', 'cinder-api.attachment-delete.after-rpc'],
  ['nova-compute', 'nova-compute.detach.after-os-detach'],
];

/** Every step of a volume swap (attachments flow), per service. */
export const SWAP_STEPS: Array<[Service, string]> = [
  ['nova-api', 'nova-api.swap.after-intent'],
  ['nova-api', 'nova-api.swap.after-attachment-create'],
  ['nova-api', 'nova-api.swap.after-cast'],
  ['nova-compute', 'nova-compute.swap.after-connect'],
  ['nova-compute', 'nova-compute.swap.after-complete'],
  ['nova-compute', 'nova-compute.swap.after-commit'],
  ['nova-compute', 'nova-compute.swap.after-old-released'],
];

/** Every step of the detach (the legacy flow), per service. */
export const DETACH_STEPS: Array<[Service, string]> = [
  ['nova-api', 'nova-api.detach.after-intent'],
  ['cinder-api', 'cinder-api.os-begin_detaching.after-update'],
  ['nova-api', 'nova-api.detach.after-begin-detaching'],
  ['nova-compute', 'nova-compute.detach.after-guest-detach'],
  ['nova-compute', 'nova-compute.detach.after-disconnect'],
  ['cinder-volume', 'cinder-volume.terminate_connection.after-remove-export'],
  ['cinder-api', 'cinder-api.os-terminate_connection.after-rpc'],
  ['nova-compute', 'nova-compute.detach.after-terminate-connection'],
  ['nova-compute', 'nova-compute.detach.after-bdm-delete'],
  ['cinder-volume', 'cinder-volume.detach_volume.after-remove-export'],
  ['cinder-api', 'cinder-api.os-detach.after-rpc'],
  ['nova-compute', 'nova-compute.detach.after-os-detach'],
];

/** An extend's steps (cinder-api's reserve, cinder-volume's backend grown) before the quota commit. */
export const EXTEND_STEPS: Array<[Service, string]> = [
  ['cinder-api', 'cinder-api.extend.after-reserve'],
  ['cinder-volume', 'cinder-volume.extend_volume.after-backend-extend'],
];

/** A snapshot create's and delete's backend steps (cinder-volume's), before the row says so. */
export const SNAPSHOT_STEPS: Array<[Service, string]> = [
  ['cinder-volume', 'cinder-volume.create_snapshot.after-backend'],
  ['cinder-volume', 'cinder-volume.delete_snapshot.after-backend'],
];

/** A manage's backend step (cinder-volume renamed the object to the volume's) before the row and the quota say so. */
export const MANAGE_STEPS: Array<[Service, string]> = [
  ['cinder-volume', 'cinder-volume.manage_existing.after-backend'],
];

/** A snapshot manage's backend step (cinder-volume renamed the object to the snapshot's) before the row says so. */
export const SNAPSHOT_MANAGE_STEPS: Array<[Service, string]> = [
  ['cinder-volume', 'cinder-volume.manage_existing_snapshot.after-backend'],
];

/** A group's steps: cinder-api's intent recorded before its cast (create, update, delete), cinder-volume's volumes deleted before the group row. */
export const GROUP_STEPS: Array<[Service, string]> = [
  ['cinder-api', 'cinder-api.group_create.after-row'],
  ['cinder-api', 'cinder-api.group_update.after-mark'],
  ['cinder-api', 'cinder-api.group_create_from_src.after-rows'],
  ['cinder-api', 'cinder-api.group_delete.after-mark'],
  ['cinder-api', 'cinder-api.group_snapshot_create.after-rows'],
  ['cinder-api', 'cinder-api.group_snapshot_delete.after-mark'],
  ['cinder-volume', 'cinder-volume.delete_group_snapshot.after-snapshots'],
  ['cinder-volume', 'cinder-volume.delete_group.after-volumes'],
];

/** A retype's steps (cinder-api's intent and reservations, cinder-volume's driver call) before the type and quota commit. */
export const RETYPE_STEPS: Array<[Service, string]> = [
  ['cinder-api', 'cinder-api.retype.after-reserve'],
  ['cinder-volume', 'cinder-volume.retype.after-driver'],
];

/** A rebuild's steps: the intent written (cast not sent yet), the guest destroyed, spawned before its volumes are back. */
export const REBUILD_STEPS: Array<[Service, string]> = [
  ['nova-api', 'nova-api.rebuild.after-intent'],
  ['nova-compute', 'nova-compute.rebuild.after-destroy'],
  ['nova-compute', 'nova-compute.rebuild.after-spawn'],
];

/** A server delete nova-api runs itself (its compute down): killed after a volume's release, before its row goes. */
export const LOCAL_DELETE_STEPS: Array<[Service, string]> = [
  ['nova-api', 'nova-api.local_delete.after-release'],
];

/** Reconciler period of nova-compute and cinder-volume in this suite (seconds). */
export const INTERVAL = 2;
/** RPC timeout: a call to a killed cinder-volume is given up after it (seconds). */
export const RPC_TIMEOUT = 5;
/**
 * How long the cluster may drift after the killed service is back: two reconciler intervals,
 * plus one RPC timeout when the kill swallowed a call in flight, plus start-up slack.
 */
export const CONVERGE_MS = (2 * INTERVAL + RPC_TIMEOUT + 5) * 1000;
/** cinder-volume's attach_transition_timeout here (seconds): a running cinder-volume repairs a lost cast after it. */
export const TRANSITION_TIMEOUT = 30;
/** cinder-volume's lost_cast_timeout here (seconds): a create, delete or extend whose cast never came is ended after it. */
export const LOST_CAST_TIMEOUT = 5;

/** Whether nova-api counts each compute available (os-availability-zone/detail); [] while it answers 503 (MariaDB away). */
async function computesAvailable(cluster: Cluster): Promise<boolean[]> {
  const r = await cluster.req('nova', 'GET', '/v2.1/os-availability-zone/detail', undefined, { 'X-Auth-Token': 'admin:demo' });
  const zones = (r.status === 200 ? r.body.availabilityZoneInfo : []) as Array<{ hosts: Record<string, { 'nova-compute'?: { available: boolean } }> | null }>;
  return zones.flatMap((z) => Object.values(z.hosts ?? {})).flatMap((h) => (h['nova-compute'] ? [h['nova-compute'].available] : []));
}

/** Until nova-api counts every compute down (its host unavailable, past service_down_time). */
export async function waitComputeDown(cluster: Cluster, timeoutMs: number): Promise<void> {
  await waitFor(async () => {
    const up = await computesAvailable(cluster);
    return up.length > 0 && up.every((a) => !a);
  }, timeoutMs, 'nova-compute counted down', 500);
}

/**
 * Until nova-api counts every compute up again. Heartbeats cannot be written while MariaDB is
 * away, so an outage (or two overlapping) longer than service_down_time leaves each compute
 * counted down until its next beat, and a server created meanwhile finds no host, as in Nova.
 */
export async function waitComputeUp(cluster: Cluster, timeoutMs: number): Promise<void> {
  await waitFor(async () => {
    const up = await computesAvailable(cluster);
    return up.length > 0 && up.every((a) => a);
  }, timeoutMs, 'nova-compute counted up', 250);
}

/** nova.conf lines that select the flow (the attachments API is the default). */
export function legacyConf(flow: Flow): string[] {
  return flow === 'legacy' ? ['[workarounds]', 'use_legacy_volume_attach_flow = true'] : [];
}

/** The fault cluster: short intervals and timeouts so every repair runs within the bound. */
export function faultCluster(controlRoot: string, flow: Flow = 'attachments'): { cluster: Cluster; opts: Parameters<Cluster['start']>[1] } {
  return {
    cluster: new Cluster(),
    opts: {
      connector: 'iscsi', rpcTimeout: RPC_TIMEOUT,
      novaConf: [`volume_reconcile_interval = ${INTERVAL}`, `pending_volume_op_timeout = ${INTERVAL}`, 'volume_op_retry_timeout = 15',
        ...legacyConf(flow)],
      cinderConf: ['[DEFAULT]', `periodic_interval = ${INTERVAL}`, `attach_transition_timeout = ${TRANSITION_TIMEOUT}`, `lost_cast_timeout = ${LOST_CAST_TIMEOUT}`],
      daemonEnv: (name) => {
        mkdirSync(join(controlRoot, name), { recursive: true });
        return { ATTACHD_PAUSE_CONTROL: join(controlRoot, name) };
      },
    },
  };
}


/**
 * Arm `point` in the running `svc`, start `op`, wait until the step is reached, kill -9 the
 * service and start it again. Resolves once it is back (its start-up repairs done).
 */
export async function killAt(cluster: Cluster, controlRoot: string, svc: Service, point: string, op: () => Promise<unknown>): Promise<void> {
  const dir = join(controlRoot, svc);
  rmSync(join(dir, 'hit'), { force: true });
  writeFileSync(join(dir, 'armed'), point);
  const pending = op().catch((e: unknown) => e); // the killed service may drop this request
  try {
    await waitFor(() => existsSync(join(dir, 'hit')) && readFileSync(join(dir, 'hit'), 'utf8').startsWith(point), 30_000, `${svc} paused at ${point}`, 50);
  } finally {
    rmSync(join(dir, 'armed'), { force: true });
  }
  await cluster.kill9(svc);
  await cluster.startDaemon(svc);
  await pending;
}
