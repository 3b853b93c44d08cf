// The two cycles the attach benchmark drives, each worker on its own keep-alive connection:
//  - nova: attach a volume to a server through nova-api, wait for in-use; detach, wait for
//    available (the whole Nova + Cinder path, as a user of `server add volume --wait` sees it);
//  - cinder: the legacy Cinder cycle create → available → os-reserve → os-initialize_connection
//    → os-attach → os-begin_detaching → os-terminate_connection → os-detach → delete, as Nova
//    drove it before the attachments API; it runs the same against ours and the real Cinder.
import type { Client } from './http-client';

export { Client, type Reply } from './http-client';

/** Step name → durations (ms). */
export type Timings = Map<string, number[]>;

export function record(t: Timings, step: string, ms: number): void {
  const xs = t.get(step);
  if (xs) xs.push(ms); else t.set(step, [ms]);
}

const now = (): number => Number(process.hrtime.bigint()) / 1e6;
const pause = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/**
 * Polls GET `path` until `done(body)`: at once, then after 1, 2, 4… ms (capped at `capMs`), so a
 * fast step is seen quickly without a busy loop. Counts the polls.
 */
export async function pollUntil(c: Client, path: string, done: (b: any) => boolean, what: string, polls: { n: number }, capMs = 20, limitMs = 60_000): Promise<void> { // eslint-disable-line @typescript-eslint/no-explicit-any
  const deadline = Date.now() + limitMs;
  for (let wait = 1; ; wait = Math.min(capMs, wait * 2)) {
    const r = await c.req('GET', path);
    polls.n++;
    if (r.status === 200 && done(r.body)) return;
    if (JSON.stringify(r.body ?? '').includes('"error')) throw new Error(`${what}: ${JSON.stringify(r.body).slice(0, 300)}`);
    if (Date.now() > deadline) throw new Error(`${what}: not within ${limitMs} ms (last ${r.status})`);
    await pause(wait);
  }
}

/** Nova + Cinder: attach `volume` to `server`, wait in-use; detach, wait available. */
export async function novaCycle(nova: Client, cinder: Client, server: string, volume: string, t: Timings, polls: { n: number }): Promise<void> {
  const status = (want: string) => (b: any): boolean => b?.volume?.status === want; // eslint-disable-line @typescript-eslint/no-explicit-any
  const t0 = now();
  await nova.expect('POST', `/servers/${server}/os-volume_attachments`, 200, { volumeAttachment: { volumeId: volume } });
  await pollUntil(cinder, `/volumes/${volume}`, status('in-use'), `attach ${volume}`, polls);
  const t1 = now();
  record(t, 'attach', t1 - t0);
  await nova.expect('DELETE', `/servers/${server}/os-volume_attachments/${volume}`, 202);
  await pollUntil(cinder, `/volumes/${volume}`, status('available'), `detach ${volume}`, polls);
  const t2 = now();
  record(t, 'detach', t2 - t1);
  record(t, 'cycle', t2 - t0);
}

const CONNECTOR = { ip: '127.0.0.1', host: 'bench-host', initiator: 'iqn.1993-08.org.debian:01:bench0000001' };
const INSTANCE = '5a7c0e2e-2f0b-4e4e-9a55-3f5a1c0d9b11';

/** The legacy cycle's actions between available and delete: name, body, expected status. */
export const LEGACY_ACTIONS: ReadonlyArray<[string, unknown, number]> = [
  ['os-reserve', { 'os-reserve': null }, 202],
  ['os-initialize_connection', { 'os-initialize_connection': { connector: CONNECTOR } }, 200],
  ['os-attach', { 'os-attach': { instance_uuid: INSTANCE, mountpoint: '/dev/vdb', mode: 'rw' } }, 202],
  ['os-begin_detaching', { 'os-begin_detaching': null }, 202],
  ['os-terminate_connection', { 'os-terminate_connection': { connector: CONNECTOR } }, 202],
  ['os-detach', { 'os-detach': {} }, 202],
];

/** The legacy Cinder cycle; `c` is rooted at /v3/{project_id}. */
export async function cinderCycle(c: Client, t: Timings, polls: { n: number }, name: string): Promise<void> {
  const t0 = now();
  let mark = t0;
  const step = (s: string): void => { const n = now(); record(t, s, n - mark); mark = n; };
  const vid = (await c.expect('POST', '/volumes', 202, { volume: { size: 1, name } })).body.volume.id as string;
  step('create');
  await pollUntil(c, `/volumes/${vid}`, (b) => b?.volume?.status === 'available', `create ${vid}`, polls);
  step('create->available');
  const act = `/volumes/${vid}/action`;
  for (const [key, body, code] of LEGACY_ACTIONS) {
    await c.expect('POST', act, code, body);
    step(key);
  }
  await c.expect('DELETE', `/volumes/${vid}`, 202);
  step('delete');
  record(t, 'cycle', now() - t0);
}
