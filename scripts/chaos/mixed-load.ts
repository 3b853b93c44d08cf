// The campaign's load on one cluster: each worker runs its planned operations (plan.ts) against
// the round's servers and volumes, blind to their state, so refusals (400/404/409) are part of
// it. Every answer is counted as "<op> <status>" (load.ts's serverErrors() reads the same keys).
import type { Cluster } from '../../test/system/e2e/cluster';
import type { LoadResult } from '../../test/system/faults/load';
import type { Op } from './plan';

export interface Pool {
  servers: string[];
  volumes: Array<{ id: string; multiattach: boolean }>;
}

export type Target = Pick<Cluster, 'req'>;

const ADMIN = { 'X-Auth-Token': 'admin:demo' };
const nova = (v: string): Record<string, string> => ({ 'X-OpenStack-Nova-API-Version': v });
const IMAGE = '70a599e0-31e7-49b7-b260-868f441e862b';
/** Volume type of the multiattach volumes (made once per cluster by ensureMultiattachType). */
export const MULTIATTACH_TYPE = 'chaos-multiattach';

/** The two types the retypes alternate between (single-attach volumes only: a multiattach change needs an available volume). */
const RETYPE_TYPES = ['chaos-silver', 'chaos-gold'];

/** The multiattach type and the retypes' two types (made once per cluster). */
export async function ensureMultiattachType(c: Target): Promise<void> {
  const types: Array<[string, Record<string, string>]> = [[MULTIATTACH_TYPE, { multiattach: '<is> True' }], ...RETYPE_TYPES.map((n): [string, Record<string, string>] => [n, { 'vendor:tier': n }])];
  for (const [name, extra_specs] of types) {
    const r = await c.req('cinder', 'POST', '/types', { volume_type: { name, extra_specs } }, ADMIN);
    if (r.status !== 200 && r.status !== 409) throw new Error(`volume type create ${r.status} ${JSON.stringify(r.body)}`);
  }
}

async function runOp(c: Target, pool: Pool, op: Op): Promise<number> {
  const candidates = pool.volumes.filter((v) => v.multiattach === op.multiattach);
  const vols = candidates.length ? candidates : pool.volumes;
  const server = pool.servers[op.server % pool.servers.length];
  const volume = vols[op.volume % vols.length]?.id;
  const other = pool.volumes[op.other % pool.volumes.length]?.id;
  const onServer = `/v2.1/servers/${server}`;
  switch (op.kind) {
    case 'attach':
      return (await c.req('nova', 'POST', `${onServer}/os-volume_attachments`,
        { volumeAttachment: { volumeId: volume, ...(op.version === '2.79' ? { delete_on_termination: false } : {}) } }, nova(op.version))).status;
    case 'detach':
      return (await c.req('nova', 'DELETE', `${onServer}/os-volume_attachments/${volume}`, undefined, nova(op.version))).status;
    case 'swap':
      return (await c.req('nova', 'PUT', `${onServer}/os-volume_attachments/${volume}`, { volumeAttachment: { volumeId: other } },
        { ...ADMIN, ...nova(op.version) })).status;
    case 'extend': {
      const v = await c.req('cinder', 'GET', `/volumes/${volume}`);
      if (v.status !== 200) return v.status;
      return (await c.req('cinder', 'POST', `/volumes/${volume}/action`, { 'os-extend': { new_size: Number(v.body.volume.size) + 1 } },
        { 'OpenStack-API-Version': 'volume 3.42' })).status;
    }
    case 'retype': {
      const single = pool.volumes.filter((x) => !x.multiattach);
      const target = single[op.volume % Math.max(single.length, 1)]?.id;
      if (!target) return 404;
      const v = await c.req('cinder', 'GET', `/volumes/${target}`);
      if (v.status !== 200) return v.status;
      const next = RETYPE_TYPES.find((t) => t !== v.body.volume.volume_type) ?? RETYPE_TYPES[0];
      return (await c.req('cinder', 'POST', `/volumes/${target}/action`, { 'os-retype': { new_type: next, migration_policy: 'never' } })).status;
    }
    case 'transfer': {
      // An offer of the volume, taken back by its own project with the key (the volume and the quota stay).
      const made = await c.req('cinder', 'POST', '/os-volume-transfer', { transfer: { volume_id: volume, name: 'chaos' } });
      if (made.status !== 202) return made.status;
      const t = made.body.transfer as { id: string; auth_key: string };
      if (op.other % 3 === 0) return (await c.req('cinder', 'DELETE', `/os-volume-transfer/${t.id}`)).status;
      return (await c.req('cinder', 'POST', `/os-volume-transfer/${t.id}/accept`, { accept: { auth_key: t.auth_key } })).status;
    }
    case 'snapshot': {
      // A snapshot of the volume (in use or not), or one of its snapshots deleted.
      if (op.other % 2 === 0) return (await c.req('cinder', 'POST', '/snapshots', { snapshot: { volume_id: volume, force: true, name: 'chaos' } })).status;
      const list = await c.req('cinder', 'GET', `/snapshots?volume_id=${volume}`);
      const first = (list.body?.snapshots ?? [])[0] as { id: string } | undefined;
      return first ? (await c.req('cinder', 'DELETE', `/snapshots/${first.id}`)).status : list.status;
    }
    case 'create-volume': {
      const r = await c.req('cinder', 'POST', '/volumes', { volume: { size: 1, name: 'chaos', ...(op.multiattach ? { volume_type: MULTIATTACH_TYPE } : {}) } });
      if (r.status === 202) pool.volumes.push({ id: r.body.volume.id as string, multiattach: op.multiattach });
      return r.status;
    }
    case 'delete-volume': {
      const r = await c.req('cinder', 'DELETE', `/volumes/${volume}`);
      // Later operations go to the volumes left (the last one stays, its ops answer 404).
      if (r.status === 202 && pool.volumes.length > 1) pool.volumes = pool.volumes.filter((v) => v.id !== volume);
      return r.status;
    }
    case 'create-server': {
      const r = await c.req('nova', 'POST', '/v2.1/servers', { server: { name: 'chaos', imageRef: IMAGE, flavorRef: '1' } });
      if (r.status === 202) pool.servers.push(r.body.server.id as string);
      return r.status;
    }
    case 'delete-server': {
      const r = await c.req('nova', 'DELETE', onServer);
      if (r.status === 204 && pool.servers.length > 1) pool.servers = pool.servers.filter((s) => s !== server);
      return r.status;
    }
    case 'stop':
      return (await c.req('nova', 'POST', `${onServer}/action`, { 'os-stop': null })).status;
    case 'start':
      return (await c.req('nova', 'POST', `${onServer}/action`, { 'os-start': null })).status;
    case 'reboot':
      return (await c.req('nova', 'POST', `${onServer}/action`, { reboot: { type: op.volume % 2 ? 'HARD' : 'SOFT' } })).status;
    case 'rebuild':
      return (await c.req('nova', 'POST', `${onServer}/action`, { rebuild: { imageRef: IMAGE, name: 'rebuilt' } })).status;
    case 'pause': case 'unpause': case 'suspend': case 'resume':
      return (await c.req('nova', 'POST', `${onServer}/action`, { [op.kind]: null })).status;
  }
}

/** Runs the workers' operations until they are done, `maxMs` passes, or stop() is called. */
export function startMixedLoad(c: Target, pool: Pool, workers: Op[][], maxMs: number): { stop(): Promise<LoadResult> } {
  const res: LoadResult = { statuses: new Map(), alreadyAttached: 0, cycles: 0, evidence: [] };
  const deadline = Date.now() + maxMs;
  let stopping = false;
  const count = (k: string): void => { res.statuses.set(k, (res.statuses.get(k) ?? 0) + 1); };
  const worker = async (ops: Op[]): Promise<void> => {
    for (const op of ops) {
      if (stopping || Date.now() >= deadline) return;
      await new Promise((r) => setTimeout(r, op.pauseMs));
      try {
        const status = await runOp(c, pool, op);
        count(`${op.kind} ${status}`);
        res.cycles++;
      } catch (e) {
        count(`${op.kind} error ${(e as Error).name}`);
      }
    }
  };
  const running = Promise.all(workers.map(worker));
  return {
    async stop() {
      stopping = true;
      await running;
      return res;
    },
  };
}
