// kill -9 of the all-in-one (all four services in one process, in-process transport, SQLite) at
// steps of an attach and a detach, then a start on the same data. Here no broker keeps a cast
// and no other process finishes anything: what the killed process was doing is gone with it,
// and its own start-up and periodic repairs must finish or undo every step. Within a bound the
// audit (fault suite's drift.ts, read from both SQLite files, exports from os-volume-exports)
// finds nothing, and the volume attaches and detaches again.
import { expect } from 'chai';
import Database from 'better-sqlite3';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort, spawnDaemon, waitFor, writeConfig, type Daemon } from '../../support/processes';
import { drift, fullDrift, waitNoDrift, type Audited } from '../faults/drift';
import { ATTACH_STEPS, ATTACH_STEPS_V3, DETACH_STEPS, DETACH_STEPS_V3 } from '../faults/fault-cluster';

type Json = any; // eslint-disable-line @typescript-eslint/no-explicit-any
const ADMIN = 'admin:demo';
/** Repair period (s): one process repairs its own work, nothing else waits on it, so it can be short. */
const INTERVAL = 1;
/** Two reconciler intervals past pending_volume_op_timeout, plus start-up slack. */
const CONVERGE_MS = (3 * INTERVAL + 10) * 1000;

const FLOWS: Array<['attachments' | 'legacy', Array<[string, string]>, Array<[string, string]>]> = [
  ['attachments', ATTACH_STEPS_V3, DETACH_STEPS_V3],
  ['legacy', ATTACH_STEPS, DETACH_STEPS],
];

for (const [flow, attachSteps, detachSteps] of FLOWS) describe(`all-in-one (${flow} flow): kill -9 at each step of an attach and a detach, then a restart`, function () {
  this.timeout(10 * 60_000);
  // Made in before(): a describe body runs even when --grep leaves none of its tests to run.
  let dataDir = '';
  let control = '';
  let config = '';
  let nova = '';
  let cinder = '';
  let aio: Daemon | null = null;
  let server = '';

  const start = async (): Promise<void> => {
    aio = await spawnDaemon('attachd-all', ['--config-file', config, '--data-dir', dataDir], {
      env: { TRANSPORT_URL: '', NOVA_DATABASE_URL: '', CINDER_DATABASE_URL: '', ATTACHD_PAUSE_CONTROL: control }, ready: /attachd is running/, timeoutMs: 60_000,
    });
  };
  const req = async (base: string, method: string, path: string, body?: unknown, token = 'demo:demo'): Promise<{ status: number; body: Json }> => {
    const r = await fetch(base + path, {
      method, headers: { 'X-Auth-Token': token, 'Content-Type': 'application/json', 'X-OpenStack-Nova-API-Version': '2.1' },
      body: body === undefined ? undefined : JSON.stringify(body), signal: AbortSignal.timeout(60_000),
    });
    const text = await r.text();
    return { status: r.status, body: text ? JSON.parse(text) : null };
  };
  const volumeStatus = async (vid: string): Promise<string> => (await req(cinder, 'GET', `/v3/demo/volumes/${vid}`)).body.volume.status;
  const waitVolume = async (vid: string, want: string): Promise<void> => { await waitFor(async () => (await volumeStatus(vid)) === want, 30_000, `volume ${vid} ${want}`, 50); };
  const attach = (vid: string) => req(nova, 'POST', `/v2.1/servers/${server}/os-volume_attachments`, { volumeAttachment: { volumeId: vid } });
  const detach = (vid: string) => req(nova, 'DELETE', `/v2.1/servers/${server}/os-volume_attachments/${vid}`);
  const query = (file: string) => async <T>(sql: string, params: unknown[] = []): Promise<T[]> => {
    const db = new Database(join(dataDir, file), { readonly: true, fileMustExist: true });
    try {
      return db.prepare(sql).all(...params) as T[];
    } finally {
      db.close();
    }
  };
  const audited: Audited = {
    novaQuery: query('nova.sqlite'), cinderQuery: query('cinder.sqlite'), controlPort: 0, controlPorts: [],
    exports: async () => {
      const r = await req(cinder, 'GET', '/v3/demo/os-volume-exports', undefined, ADMIN);
      expect(r.status, JSON.stringify(r.body)).to.equal(200);
      return r.body.backends.flatMap((b: Json) => b.exports as string[]);
    },
  };

  /** Arm `point`, start `op`, wait until the process stops there, kill -9 it and start it again. */
  const killAt = async (point: string, op: () => Promise<unknown>): Promise<void> => {
    rmSync(join(control, 'hit'), { force: true });
    writeFileSync(join(control, 'armed'), point);
    const pending = op().catch((e: unknown) => e); // dies with the process
    try {
      await waitFor(() => existsSync(join(control, 'hit')) && readFileSync(join(control, 'hit'), 'utf8').startsWith(point), 30_000, `paused at ${point}`, 20);
    } finally {
      rmSync(join(control, 'armed'), { force: true });
    }
    const gone = new Promise((r) => aio?.proc.once('exit', r));
    aio?.proc.kill('SIGKILL');
    await gone;
    await pending;
    await start();
  };

  const convergedAndUsable = async (vid: string): Promise<void> => {
    await waitNoDrift(audited, CONVERGE_MS, drift);
    if ((await volumeStatus(vid)) === 'in-use') {
      expect((await detach(vid)).status).to.equal(202);
      await waitVolume(vid, 'available');
    }
    const a = await attach(vid);
    expect(a.status, JSON.stringify(a.body)).to.equal(200);
    await waitVolume(vid, 'in-use');
    expect((await detach(vid)).status).to.equal(202);
    await waitVolume(vid, 'available');
    await waitNoDrift(audited, CONVERGE_MS, fullDrift);
  };

  before(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'attachd-aio-kill-'));
    control = join(dataDir, 'pause');
    mkdirSync(control);
    const [np, cp] = [await freePort(), await freePort()];
    nova = `http://127.0.0.1:${np}`;
    cinder = `http://127.0.0.1:${cp}`;
    // Short repair periods, as the fault suite's cluster: each repair comes within the bound.
    config = writeConfig('attachd.conf', [
      '[DEFAULT]', `osapi_compute_listen_port = ${np}`, `osapi_volume_listen_port = ${cp}`,
      `periodic_interval = ${INTERVAL}`, 'attach_transition_timeout = 30',
      'use_default_quota_class = false', 'quota_volumes = -1', 'quota_gigabytes = -1',
      // pending_volume_op_timeout stays at its 60 s: what the killed nova-api was doing is taken
      // over at the start, not after it (no other nova-api can be doing it).
      '[compute]', `volume_reconcile_interval = ${INTERVAL}`, 'volume_op_retry_timeout = 15',
      '[api]', 'auth_strategy = noauth2',
      ...(flow === 'legacy' ? ['[workarounds]', 'use_legacy_volume_attach_flow = true'] : []),
    ].join('\n'));
    await start();
    const s = await req(nova, 'POST', '/v2.1/servers', { server: { name: 'kill', imageRef: '70a599e0-31e7-49b7-b260-868f441e862b', flavorRef: '1' } });
    expect(s.status, JSON.stringify(s.body)).to.equal(202);
    server = s.body.server.id;
    await waitFor(async () => (await req(nova, 'GET', `/v2.1/servers/${server}`)).body.server.status === 'ACTIVE', 30_000, 'server ACTIVE', 50);
  });
  after(async () => {
    await aio?.stop();
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  });
  afterEach(function () {
    if (this.currentTest?.state === 'failed') process.stderr.write(aio?.output() ?? '');
  });

  const newVolume = async (): Promise<string> => {
    const r = await req(cinder, 'POST', '/v3/demo/volumes', { volume: { size: 1 } });
    expect(r.status, JSON.stringify(r.body)).to.equal(202);
    await waitVolume(r.body.volume.id, 'available');
    return r.body.volume.id;
  };

  for (const [, point] of attachSteps) {
    it(`attach: killed at ${point}`, async () => {
      const vid = await newVolume();
      await killAt(point, () => attach(vid));
      await convergedAndUsable(vid);
    });
  }

  for (const [, point] of detachSteps) {
    it(`detach: killed at ${point}`, async () => {
      const vid = await newVolume();
      expect((await attach(vid)).status).to.equal(200);
      await waitVolume(vid, 'in-use');
      await killAt(point, () => detach(vid));
      await convergedAndUsable(vid);
    });
  }
});
