// A bounded attach/detach load for the fault tests: each worker owns one server and one volume
// and drives it by what it sees (available → attach, in-use → detach, in flight → look again),
// so it keeps going through outages and recoveries. Every HTTP status is counted.
import type { Cluster } from '../e2e/cluster';

export interface LoadResult {
  /** "<METHOD> <status>" → count. */
  statuses: Map<string, number>;
  /** Faults whose message says the volume was already attached (the race this must never show). */
  alreadyAttached: number;
  /** What the rows looked like at the first few of those (for the failure message). */
  evidence: string[];
  cycles: number;
}

export interface Pair {
  server: string;
  volume: string;
}

/** What the load drives: the fault suite's Cluster, or another layout with the same two calls. */
export type LoadTarget = Pick<Cluster, 'req' | 'novaQuery'>;

/** Runs until stop() resolves its promise (or `maxMs` passes); at most `maxOps` requests per worker. */
export function startLoad(c: LoadTarget, pairs: Pair[], o: { maxMs: number; maxOps?: number }): { stop(): Promise<LoadResult>; cycles(): number } {
  const res: LoadResult = { statuses: new Map(), alreadyAttached: 0, cycles: 0, evidence: [] };
  const deadline = Date.now() + o.maxMs;
  let stopping = false;
  const count = (k: string): void => { res.statuses.set(k, (res.statuses.get(k) ?? 0) + 1); };
  const pause = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
  const worker = async (p: Pair): Promise<void> => {
    for (let ops = 0; !stopping && Date.now() < deadline && ops < (o.maxOps ?? 100_000); ops++) {
      try {
        const v = await c.req('cinder', 'GET', `/volumes/${p.volume}`);
        count(`GET ${v.status}`);
        const status = v.body?.volume?.status as string | undefined;
        if (status === 'available') {
          const r = await c.req('nova', 'POST', `/v2.1/servers/${p.server}/os-volume_attachments`, { volumeAttachment: { volumeId: p.volume } });
          count(`POST ${r.status}`);
          if (JSON.stringify(r.body ?? '').includes('already attached')) {
            res.alreadyAttached++;
            if (res.evidence.length < 5) {
              const rows = await c.novaQuery('SELECT id, deleted, attach_state, attach_state_at, attach_request_id, connection_info IS NOT NULL AS ci FROM block_device_mapping WHERE volume_id = ? ORDER BY id DESC LIMIT 3', [p.volume]).catch((e: Error) => e.message);
              res.evidence.push(`${new Date().toISOString()} volume ${p.volume} (${status}): ${JSON.stringify(rows)}`);
            }
          }
        } else if (status === 'in-use') {
          const r = await c.req('nova', 'DELETE', `/v2.1/servers/${p.server}/os-volume_attachments/${p.volume}`);
          count(`DELETE ${r.status}`);
          if (r.status === 202) res.cycles++;
        } else {
          await pause(50);
        }
      } catch (e) {
        count(`error ${(e as Error).name}`);
        await pause(100);
      }
    }
  };
  const running = Promise.all(pairs.map(worker));
  return {
    cycles: () => res.cycles,
    async stop() {
      stopping = true;
      await running;
      return res;
    },
  };
}

/** Statuses that must never appear: a 5xx other than 503 (a lost dependency is a 503). */
export function serverErrors(r: LoadResult): string[] {
  return [...r.statuses.keys()].filter((k) => /\s5\d\d$/.test(k) && !k.endsWith(' 503'));
}
