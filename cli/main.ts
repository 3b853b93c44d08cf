// `attachd`: a novaclient/cinderclient-like CLI for the attach flow. Talks REST only; auth by
// token (noauth2 "user:project", the default "admin:admin") or, when OS_AUTH_URL is set and no
// token is given, by password against our minimal Keystone, taking endpoints from its catalog.
import { Command, Option } from 'commander';
import { CliError, RestClient } from './http';
import { listTable, propertyTable } from './format';
import { VERSION } from '../common/cmd';
import { DEFAULT_IMAGE_ID } from '../nova-api/stubs/glance';
import { writeFileSync } from 'node:fs';
import { renderSequenceSvg } from '../common/trace/diagram';
import { renderTracePage } from '../common/trace/page';
import type { SpanRecord } from '../common/trace/tracer';

type Obj = Record<string, unknown>;

interface GlobalOpts {
  osComputeUrl?: string;
  osVolumeUrl?: string;
  osToken?: string;
  osAuthUrl?: string;
  osUsername?: string;
  osPassword?: string;
  osProjectName?: string;
  json?: boolean;
  format?: 'table' | 'json' | 'value';
  column?: string[];
}

interface Clients {
  nova: RestClient;
  cinder: RestClient;
}

const WANT_COMPUTE = '2.79';
const FINAL_VOLUME = new Set(['available', 'in-use', 'error', 'error_deleting', 'error_attaching', 'error_detaching', 'deleted']);

async function authenticate(o: GlobalOpts): Promise<{ token: string; compute?: string; volume?: string }> {
  if (o.osToken || !o.osAuthUrl) return { token: o.osToken ?? 'admin:admin' };
  const keystone = new RestClient(o.osAuthUrl);
  const r = await keystone.request<{ token: { catalog: Array<{ type: string; endpoints: Array<{ interface: string; url: string }> }> } }>('POST', '/auth/tokens', {
    auth: {
      identity: { methods: ['password'], password: { user: { name: o.osUsername, password: o.osPassword, domain: { name: 'Default' } } } },
      scope: { project: { name: o.osProjectName ?? o.osUsername, domain: { name: 'Default' } } },
    },
  });
  const url = (type: string): string | undefined =>
    r.body.token.catalog.find((c) => c.type === type)?.endpoints.find((e) => e.interface === 'public')?.url;
  return { token: r.headers.get('x-subject-token') ?? '', compute: url('compute'), volume: url('volumev3') };
}

async function clients(o: GlobalOpts): Promise<Clients> {
  const auth = await authenticate(o);
  const computeUrl = o.osComputeUrl ?? auth.compute ?? 'http://127.0.0.1:8774/v2.1';
  const volumeUrl = o.osVolumeUrl ?? auth.volume ?? 'http://127.0.0.1:8776/v3';
  // Negotiate the compute microversion against what the server advertises.
  let version = '2.1';
  try {
    const doc = await new RestClient(computeUrl).get<{ version?: { version?: string } }>('');
    const max = doc.version?.version ?? '2.1';
    const num = (v: string): number[] => v.split('.').map(Number);
    const [a, b] = num(max);
    const [c, d] = num(WANT_COMPUTE);
    version = a > c || (a === c && b >= d) ? WANT_COMPUTE : max;
  } catch (e) {
    if (e instanceof CliError && e.errorClass === 'ConnectFailure') throw e;
  }
  return {
    nova: new RestClient(computeUrl, { token: auth.token, headers: { 'OpenStack-API-Version': `compute ${version}`, 'X-OpenStack-Nova-API-Version': version } }),
    cinder: new RestClient(volumeUrl, { token: auth.token }),
  };
}

async function findServer(nova: RestClient, ref: string): Promise<Obj> {
  try {
    return (await nova.get<{ server: Obj }>(`/servers/${encodeURIComponent(ref)}`)).server;
  } catch (e) {
    if (!(e instanceof CliError) || e.status !== 404) throw e;
  }
  const list = (await nova.get<{ servers: Obj[] }>(`/servers?name=${encodeURIComponent(ref)}`)).servers.filter((s) => s.name === ref);
  if (list.length === 0) throw new CliError('CommandError', `No server with a name or ID of '${ref}' exists.`);
  if (list.length > 1) throw new CliError('CommandError', `Multiple server matches found for '${ref}', use an ID to be more specific.`);
  return (await nova.get<{ server: Obj }>(`/servers/${String(list[0].id)}`)).server;
}

async function findVolume(cinder: RestClient, ref: string): Promise<Obj> {
  try {
    return (await cinder.get<{ volume: Obj }>(`/volumes/${encodeURIComponent(ref)}`)).volume;
  } catch (e) {
    if (!(e instanceof CliError) || e.status !== 404) throw e;
  }
  const list = (await cinder.get<{ volumes: Obj[] }>(`/volumes/detail?name=${encodeURIComponent(ref)}`)).volumes.filter((v) => v.name === ref);
  if (list.length === 0) throw new CliError('CommandError', `No volume with a name or ID of '${ref}' exists.`);
  if (list.length > 1) throw new CliError('CommandError', `Multiple volume matches found for '${ref}', use an ID to be more specific.`);
  return list[0];
}

/** Poll a volume until it reaches a final status (or `want`), printing each change to stderr. */
async function waitVolume(cinder: RestClient, id: string, want: string, timeoutSec: number): Promise<Obj> {
  const deadline = Date.now() + timeoutSec * 1000;
  let last = '';
  for (;;) {
    let vol: Obj;
    try {
      vol = (await cinder.get<{ volume: Obj }>(`/volumes/${id}`)).volume;
    } catch (e) {
      if (want === 'deleted' && e instanceof CliError && e.status === 404) {
        process.stderr.write(`Volume ${id}: deleted\n`);
        return { id, status: 'deleted' };
      }
      throw e;
    }
    const status = String(vol.status);
    if (status !== last) process.stderr.write(`Volume ${id}: ${status}\n`);
    last = status;
    if (status === want) return vol;
    // Another final status means the operation failed (e.g. an attach rolled back to available).
    if (FINAL_VOLUME.has(status)) throw new CliError('ResourceInErrorState', `Volume ${id} ended in status ${status} (wanted ${want})`);
    if (Date.now() > deadline) throw new CliError('TimeoutException', `Volume ${id} did not reach ${want} within ${timeoutSec}s (status ${status})`);
    await new Promise((r) => setTimeout(r, 500));
  }
}

/** Poll until GET answers 404 (bounded by the timeout). */
async function waitServerGone(nova: RestClient, id: string, timeoutSec: number): Promise<void> {
  const deadline = Date.now() + timeoutSec * 1000;
  for (;;) {
    try {
      await nova.get(`/servers/${id}`);
    } catch (e) {
      if (e instanceof CliError && e.status === 404) {
        process.stderr.write(`Server ${id}: deleted\n`);
        return;
      }
      throw e;
    }
    if (Date.now() > deadline) throw new CliError('TimeoutException', `Server ${id} was not deleted within ${timeoutSec}s`);
    await new Promise((r) => setTimeout(r, 500));
  }
}

const plain = (v: unknown): string => (v === null || v === undefined ? '' : typeof v === 'object' ? JSON.stringify(v) : String(v));

/** table (default), json, or value: the selected fields (-c) bare, one object per line (for scripts). -c also trims a one-object table. */
function out(o: GlobalOpts, value: unknown, table: () => string): void {
  const format = o.json ? 'json' : o.format ?? 'table';
  if (format === 'json') return void process.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
  if (format === 'table') {
    const one = !Array.isArray(value) && o.column?.length ? Object.fromEntries(o.column.map((c) => [c, (value as Obj)[c]])) : null;
    return void process.stdout.write(`${one ? propertyTable(one) : table()}\n`);
  }
  const pick = (obj: Obj): unknown[] => (o.column?.length ? o.column.map((c) => obj[c]) : Object.values(obj));
  const lines = Array.isArray(value) ? (value as Obj[]).map((r) => pick(r).map(plain).join(' ')) : pick(value as Obj).map(plain);
  process.stdout.write(lines.map((l) => `${l}\n`).join(''));
}

function attachedTo(v: Obj): string {
  const atts = Array.isArray(v.attachments) ? (v.attachments as Obj[]) : [];
  return atts.map((a) => String(a.server_id)).join(' ');
}

export function buildProgram(): Command {
  const program = new Command('attachd')
    .description('Command-line client for attachd (Nova + Cinder volume attach)')
    .version(VERSION, '--version')
    .addOption(new Option('--os-compute-url <url>', 'Nova endpoint').env('OS_COMPUTE_URL'))
    .addOption(new Option('--os-volume-url <url>', 'Cinder endpoint').env('OS_VOLUME_URL'))
    .addOption(new Option('--os-token <token>', 'token (noauth2: user:project; default admin:admin)').env('OS_TOKEN'))
    .addOption(new Option('--os-auth-url <url>', 'Keystone v3 URL (password auth)').env('OS_AUTH_URL'))
    .addOption(new Option('--os-username <name>').env('OS_USERNAME'))
    .addOption(new Option('--os-password <password>').env('OS_PASSWORD'))
    .addOption(new Option('--os-project-name <name>').env('OS_PROJECT_NAME'))
    .option('--json', 'print JSON instead of tables (same as -f json)')
    .addOption(new Option('-f, --format <format>', 'output format').choices(['table', 'json', 'value']))
    .option('-c, --column <field>', 'show only this field (repeatable; -f value, or the table of one object)', (v: string, prev: string[] = []) => [...prev, v]);
  const g = (): GlobalOpts => program.opts<GlobalOpts>();
  const timeoutOpt = (): Option => new Option('--timeout <seconds>', 'how long --wait waits').default('120').argParser((v) => Number(v));

  program.command('server-create <name>').description('Create a server')
    .option('--flavor <flavor>', 'flavor id', '1').option('--image <image>', 'image id', DEFAULT_IMAGE_ID)
    .option('--wait', 'wait until ACTIVE').addOption(timeoutOpt())
    .action(async (name: string, o: { flavor: string; image: string; wait?: boolean; timeout: number }) => {
      const { nova } = await clients(g());
      const r = await nova.request<{ server: Obj }>('POST', '/servers', { server: { name, flavorRef: o.flavor, imageRef: o.image } });
      let server = r.body.server;
      if (o.wait) {
        const deadline = Date.now() + o.timeout * 1000;
        for (;;) {
          server = (await nova.get<{ server: Obj }>(`/servers/${String(server.id)}`)).server;
          if (server.status === 'ACTIVE') break;
          if (server.status === 'ERROR') throw new CliError('ResourceInErrorState', `Server ${String(server.id)} is in ERROR`);
          if (Date.now() > deadline) throw new CliError('TimeoutException', `Server ${String(server.id)} not ACTIVE within ${o.timeout}s`);
          await new Promise((res) => setTimeout(res, 500));
        }
      }
      out(g(), server, () => propertyTable(server));
    });
  program.command('server-list').description('List servers').action(async () => {
    const { nova } = await clients(g());
    const servers = (await nova.get<{ servers: Obj[] }>('/servers/detail')).servers;
    out(g(), servers, () => listTable([['ID', (s) => s.id], ['Name', (s) => s.name], ['Status', (s) => s.status], ['Host', (s) => s['OS-EXT-SRV-ATTR:host']]], servers));
  });
  program.command('server-show <server>').description('Show a server').action(async (ref: string) => {
    const { nova } = await clients(g());
    const s = await findServer(nova, ref);
    out(g(), s, () => propertyTable(s));
  });
  program.command('server-delete <server>').description('Delete a server (its volumes are detached)')
    .option('--wait', 'wait until the server is gone').addOption(timeoutOpt())
    .action(async (ref: string, o: { wait?: boolean; timeout: number }) => {
      const { nova } = await clients(g());
      const s = await findServer(nova, ref);
      await nova.request('DELETE', `/servers/${String(s.id)}`);
      process.stdout.write(`Request to delete server ${ref} has been accepted.\n`);
      if (o.wait) await waitServerGone(nova, String(s.id), o.timeout);
    });

  program.command('volume-create <size>').description('Create a volume (size in GiB)')
    .option('--name <name>').option('--description <text>').option('--wait', 'wait until available').addOption(timeoutOpt())
    .action(async (size: string, o: { name?: string; description?: string; wait?: boolean; timeout: number }) => {
      const { cinder } = await clients(g());
      const n = Number(size);
      const r = await cinder.request<{ volume: Obj }>('POST', '/volumes', { volume: { size: Number.isInteger(n) ? n : size, name: o.name ?? null, description: o.description ?? null } });
      let vol = r.body.volume;
      if (o.wait) vol = await waitVolume(cinder, String(vol.id), 'available', o.timeout);
      out(g(), vol, () => propertyTable(vol));
    });
  program.command('volume-list').description('List volumes').action(async () => {
    const { cinder } = await clients(g());
    const vols = (await cinder.get<{ volumes: Obj[] }>('/volumes/detail')).volumes;
    out(g(), vols, () => listTable([['ID', (v) => v.id], ['Status', (v) => v.status], ['Name', (v) => v.name], ['Size', (v) => v.size],
      ['Volume Type', (v) => v.volume_type], ['Bootable', (v) => v.bootable], ['Attached to', attachedTo]], vols));
  });
  program.command('volume-show <volume>').description('Show a volume').action(async (ref: string) => {
    const { cinder } = await clients(g());
    const v = await findVolume(cinder, ref);
    out(g(), v, () => propertyTable(v));
  });
  program.command('volume-delete <volume>').description('Delete a volume').option('--wait').addOption(timeoutOpt())
    .action(async (ref: string, o: { wait?: boolean; timeout: number }) => {
      const { cinder } = await clients(g());
      const v = await findVolume(cinder, ref);
      await cinder.request('DELETE', `/volumes/${String(v.id)}`);
      process.stdout.write(`Request to delete volume ${ref} has been accepted.\n`);
      if (o.wait) await waitVolume(cinder, String(v.id), 'deleted', o.timeout);
    });
  program.command('volume-reset-state <volume>').description('Reset a volume\'s status (admin)')
    .option('--state <state>', 'new status', 'available').option('--attach-status <status>', 'attached|detached')
    .action(async (ref: string, o: { state: string; attachStatus?: string }) => {
      const { cinder } = await clients(g());
      const v = await findVolume(cinder, ref);
      const body: Obj = { status: o.state };
      if (o.attachStatus) body.attach_status = o.attachStatus;
      await cinder.request('POST', `/volumes/${String(v.id)}/action`, { 'os-reset_status': body });
    });

  program.command('volume-attach <server> <volume> [device]').description('Attach a volume to a server')
    .option('--wait', 'wait until the volume is in-use').addOption(timeoutOpt())
    .action(async (sref: string, vref: string, device: string | undefined, o: { wait?: boolean; timeout: number }) => {
      const { nova, cinder } = await clients(g());
      const s = await findServer(nova, sref);
      const vid = String((await findVolume(cinder, vref)).id);
      const r = await nova.request<{ volumeAttachment: Obj }>('POST', `/servers/${String(s.id)}/os-volume_attachments`, {
        volumeAttachment: { volumeId: vid, ...(device ? { device } : {}) },
      });
      const att = r.body.volumeAttachment;
      if (o.wait) await waitVolume(cinder, vid, 'in-use', o.timeout);
      out(g(), att, () => propertyTable(att));
    });
  program.command('volume-detach <server> <volume>').description('Detach a volume from a server')
    .option('--wait', 'wait until the volume is available').addOption(timeoutOpt())
    .action(async (sref: string, vref: string, o: { wait?: boolean; timeout: number }) => {
      const { nova, cinder } = await clients(g());
      const s = await findServer(nova, sref);
      const vid = String((await findVolume(cinder, vref)).id);
      await nova.request('DELETE', `/servers/${String(s.id)}/os-volume_attachments/${vid}`);
      if (o.wait) await waitVolume(cinder, vid, 'available', o.timeout);
    });
  program.command('volume-attachments <server>').description('List a server\'s volume attachments').action(async (sref: string) => {
    const { nova } = await clients(g());
    const s = await findServer(nova, sref);
    const atts = (await nova.get<{ volumeAttachments: Obj[] }>(`/servers/${String(s.id)}/os-volume_attachments`)).volumeAttachments;
    out(g(), atts, () => listTable([['ID', (a) => a.id], ['DEVICE', (a) => a.device], ['SERVER ID', (a) => a.serverId], ['VOLUME ID', (a) => a.volumeId]], atts));
  });
  program.command('trace [request-id]')
    .description('One request as a sequence diagram (SVG, or HTML with the SVG inside) from the spans Nova and Cinder recorded; the request id may be local or global. Without one, list recent requests (admin)')
    .addOption(new Option('--format <format>', 'svg or html').choices(['svg', 'html']).default('svg'))
    .option('-o, --output <file>', 'write to FILE instead of stdout')
    .action(async (id: string | undefined, o: { format: 'svg' | 'html'; output?: string }) => {
      const cs = await clients(g());
      if (!id) {
        const reqs = await recentTraces(cs);
        out(g(), reqs, () => listTable([['Started', (r) => new Date(Number(r.start)).toISOString()], ['Request', (r) => r.globalRequestId ?? r.requestId],
          ['Process', (r) => r.service], ['Call', (r) => r.name], ['ms', (r) => Number(r.duration).toFixed(1)], ['Status', (r) => r.status]], reqs));
        return;
      }
      const spans = await gatherSpans(cs, id);
      if (!spans.length) throw new CliError('NotFound', `No spans recorded for request ${id}.`, 404);
      const text = o.format === 'html' ? renderTracePage(spans, id) : renderSequenceSvg(spans, `${id}`) + '\n';
      if (o.output) writeFileSync(o.output, text);
      else process.stdout.write(text);
    });
  return program;
}

/** Both APIs' spans of the request, then of every trace it touched (Cinder's spans carry Nova's id as global only). */
async function gatherSpans(cs: Clients, id: string): Promise<SpanRecord[]> {
  const ask = async (c: RestClient, key: string): Promise<SpanRecord[]> =>
    (await c.get<{ spans: SpanRecord[] }>(`/os-traces/${encodeURIComponent(key)}`)).spans;
  const bySpan = new Map<string, SpanRecord>();
  const add = (list: SpanRecord[]): void => { for (const s of list) bySpan.set(s.spanId, s); };
  for (const c of [cs.nova, cs.cinder]) add(await ask(c, id));
  const traces = [...new Set([...bySpan.values()].map((s) => s.traceId))].slice(0, 10);
  for (const t of traces) for (const c of [cs.nova, cs.cinder]) add(await ask(c, t));
  return [...bySpan.values()].sort((a, b) => a.start - b.start);
}

async function recentTraces(cs: Clients): Promise<Obj[]> {
  const seen = new Map<string, Obj>();
  for (const c of [cs.nova, cs.cinder]) {
    for (const r of (await c.get<{ requests: Obj[] }>('/os-traces?limit=50')).requests) seen.set(String(r.traceId), r);
  }
  return [...seen.values()].sort((a, b) => Number(b.start) - Number(a.start)).slice(0, 50);
}

export async function main(argv = process.argv): Promise<number> {
  try {
    await buildProgram().parseAsync(argv);
    return 0;
  } catch (e) {
    const err = e instanceof CliError ? e : new CliError((e as Error).name || 'Error', (e as Error).message);
    process.stderr.write(`${err.render()}\n`);
    return 1;
  }
}
