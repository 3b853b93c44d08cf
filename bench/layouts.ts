// The layouts the attach benchmark runs: the embedded all-in-one (one process, fake://,
// SQLite) and the multi-process one (nova-api ×A, nova-compute ×C, cinder-api, cinder-volume
// over RabbitMQ + MariaDB), all on fake drivers, noauth2 and loopback; logs at the default
// level go to files under the work directory, as a deployment's would.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { capCpu } from './cpu-cap';
import { freePort, startBin, type Proc } from './procs';
import { Client } from './cycles';

/** Cinder's URL rule wants 32 hex digits; noauth2 takes "user:project" as the token. */
export const PROJECT = '0123456789abcdef0123456789abcdef';
export const TOKEN = `bench:${PROJECT}`;

export interface Layout {
  name: string;
  /** nova-api base URLs (/v2.1), one per API process. */
  novaUrls: string[];
  /** cinder-api base URL up to /v3/{project_id}. */
  cinderUrl: string;
  procs: Proc[];
  stop(): Promise<void>;
}

/** An RPC daemon is ready once it logged "Started <name>". */
const started = (log: string, name: string) => async (): Promise<boolean> => readFileSync(log, 'utf8').includes(`Started ${name}`);
const up = (url: string) => async (): Promise<boolean> => (await fetch(url, { signal: AbortSignal.timeout(2000) })).status < 500;

/** The all-in-one in its own data directory under `work`; `trace`: [trace] enabled (off by default). */
export async function embedded(work: string, trace = false): Promise<Layout> {
  const [np, cp] = [await freePort(), await freePort()];
  const tag = trace ? 'embedded-trace' : 'embedded';
  const conf = join(work, `${tag}.conf`);
  writeFileSync(conf, [
    '[DEFAULT]', `osapi_compute_listen_port = ${np}`, `osapi_volume_listen_port = ${cp}`,
    '[api]', 'auth_strategy = noauth2', '[trace]', `enabled = ${trace}`,
  ].join('\n'));
  const env = { TRANSPORT_URL: '', NOVA_DATABASE_URL: '', CINDER_DATABASE_URL: '' };
  const p = await startBin('attachd-all', 'attachd-all', ['--config-file', conf, '--data-dir', join(work, `data-${tag}`)], env, join(work, `${tag}.log`),
    async () => (await up(`http://127.0.0.1:${np}/v2.1/`)()) && up(`http://127.0.0.1:${cp}/`)());
  return { name: trace ? 'embedded, tracing on' : 'embedded', novaUrls: [`http://127.0.0.1:${np}/v2.1`], cinderUrl: `http://127.0.0.1:${cp}/v3/${PROJECT}`, procs: [p], stop: () => p.stop() };
}

export interface Servers { transportUrl: string; novaDb: string; cinderDb: string }

/**
 * The four daemons over real servers: `apis` nova-api processes and `computes` nova-computes;
 * `trace`: [trace] enabled; `novaCpu` > 0: each nova-api and nova-compute limited to that many
 * cores (bench/cpu-cap.ts), as if each ran on a node of that size.
 */
let layouts = 0;

export async function multiProcess(work: string, s: Servers, apis = 1, computes = 1, trace = false, novaCpu = 0): Promise<Layout> {
  // Each layout has its own host names: two layouts on one broker must not share a topic server.
  const tag = `bench${layouts++}`;
  const cinderPort = await freePort();
  const cinderUrl = `http://127.0.0.1:${cinderPort}`;
  const env = { TRANSPORT_URL: s.transportUrl, NOVA_DATABASE_URL: s.novaDb, CINDER_DATABASE_URL: s.cinderDb };
  const cinderConf = join(work, 'cinder.conf');
  writeFileSync(cinderConf, [
    '[DEFAULT]', `host = ${tag}`, 'enabled_backends = fake', 'osapi_volume_listen = 127.0.0.1', `osapi_volume_listen_port = ${cinderPort}`,
    '[api]', 'auth_strategy = noauth2', '[fake]', 'volume_driver = fake', `volumes_dir = ${join(work, 'volumes')}`,
    '[trace]', `enabled = ${trace}`,
  ].join('\n'));
  const novaConf = (host: string, port: number): string => {
    const f = join(work, `nova-${host}-${port}.conf`);
    writeFileSync(f, [
      '[DEFAULT]', `host = ${host}`, 'osapi_compute_listen = 127.0.0.1', `osapi_compute_listen_port = ${port}`,
      '[api]', 'auth_strategy = noauth2', '[cinder]', `endpoint = ${cinderUrl}/v3/%(project_id)s`,
      '[compute]', 'volume_connector = fake', '[trace]', `enabled = ${trace}`,
    ].join('\n'));
    return f;
  };
  const first = novaConf(`${tag}-c0`, 0);
  const procs: Proc[] = [];
  const stop = async (): Promise<void> => { for (const p of procs.reverse()) await p.stop(); };
  /** A nova process, within its CPU budget when there is one (its cgroup goes once it stopped). */
  const nova = async (p: Proc): Promise<Proc> => {
    if (!(novaCpu > 0)) return p;
    let uncap: () => void;
    try {
      uncap = capCpu(p.pid, novaCpu, tag);
    } catch (e) {
      await p.stop();
      throw e;
    }
    return { ...p, stop: async () => { await p.stop(); uncap(); } };
  };
  try {
    for (const [bin, conf] of [['nova-manage', first], ['cinder-manage', cinderConf]]) {
      const p = await startBin(bin, bin, ['--config-file', conf, 'db', 'sync'], env, join(work, `${bin}.log`), async () => true);
      await new Promise((r) => (p.child?.exitCode !== null ? r(null) : p.child?.once('exit', r)));
    }
    const log = (n: string): string => join(work, `${n}.log`);
    procs.push(await startBin('cinder-volume', 'cinder-volume', ['--config-file', cinderConf], env, log('cinder-volume'), started(log('cinder-volume'), 'cinder-volume')));
    procs.push(await startBin('cinder-api', 'cinder-api', ['--config-file', cinderConf], env, log('cinder-api'), up(`${cinderUrl}/`)));
    for (let i = 0; i < computes; i++) {
      const l = log(`nova-compute-${i}`);
      procs.push(await nova(await startBin(`nova-compute-${i}`, 'nova-compute', ['--config-file', novaConf(`${tag}-c${i}`, 0)], env, l, started(l, 'nova-compute'))));
    }
    const novaUrls: string[] = [];
    for (let i = 0; i < apis; i++) {
      const port = await freePort();
      procs.push(await nova(await startBin(`nova-api-${i}`, 'nova-api', ['--config-file', novaConf(`${tag}-c0`, port)], env, log(`nova-api-${i}`), up(`http://127.0.0.1:${port}/v2.1/`))));
      novaUrls.push(`http://127.0.0.1:${port}/v2.1`);
    }
    return { name: `multi ${apis}api/${computes}cpu${trace ? ', tracing on' : ''}${novaCpu > 0 ? `, nova ≤${novaCpu} core each` : ''}`, novaUrls, cinderUrl: `${cinderUrl}/v3/${PROJECT}`, procs, stop };
  } catch (e) {
    await stop();
    throw e;
  }
}

/**
 * The benchmark project's volume quota lifted through the API, as an operator would (an admin
 * token), and its compute quota too when `novaUrl` is given (the points keep their servers).
 */
export async function liftQuota(cinderUrl: string, novaUrl?: string): Promise<void> {
  const admin = new Client(cinderUrl, `admin:${PROJECT}`);
  const nova = novaUrl ? new Client(novaUrl, `admin:${PROJECT}`) : null;
  try {
    await admin.expect('PUT', `/os-quota-sets/${PROJECT}`, 200, { quota_set: { volumes: -1, gigabytes: -1, per_volume_gigabytes: -1 } });
    await nova?.expect('PUT', `/os-quota-sets/${PROJECT}`, 200, { quota_set: { instances: -1, cores: -1, ram: -1 } });
  } finally {
    admin.close();
    nova?.close();
  }
}
