// The request generator: valid requests on the ids the run has made (to build up state), and
// the same requests spoiled — unknown, malformed and other projects' ids, random microversions,
// broken JSON, wrong types, huge and negative numbers, odd strings, extra and missing keys,
// wrong methods, odd query strings and Content-Types. Everything is drawn from the seeded PRNG.
import type { Prng } from './prng';

export type Service = 'nova' | 'cinder';

export interface FuzzRequest {
  service: Service;
  method: string;
  /** Path below the service's base (nova: /v2.1 root; cinder: the server root, /v3/{project}/... included). */
  path: string;
  headers: Record<string, string>;
  /** The body as sent (already text: it may be broken JSON). */
  body?: string;
  /** Nova's path is from the server root (/identity, /image), not from /v2.1. */
  root?: boolean;
  /** Which user sends it. */
  user: 'admin' | 'member';
  /** What the generator meant, for the report and for tracking state. */
  op: string;
  /** The volume a raw Cinder action holds, when the answer is 2xx (left out of the audit). */
  holds?: string;
  /** Sent instead of the user's token (a spoilt one; null: none at all). */
  token?: string | null;
  /** Spoilt: the generator changed something after building a valid request. */
  spoilt: string[];
}

export interface Owned { id: string; project: string }

/** The ids the run has made, by kind, with their project. */
export class FuzzState {
  servers: Owned[] = [];
  volumes: Owned[] = [];
  attachments: Owned[] = [];
  snapshots: Owned[] = [];
  types: string[] = [];
  qosSpecs: string[] = [];
  groupTypes: string[] = [];
  groups: Owned[] = [];
  groupSnapshots: Owned[] = [];
  /** Backend objects an unmanage left (their names), for a manage to take back. */
  unmanaged: string[] = [];
  unmanagedSnapshots: string[] = [];
  /** Volumes Nova said it attached (server, volume, project): what detach and swap aim at. */
  pairs: Array<{ server: string; volume: string; project: string }> = [];
  /** The compute service's uuid, once a services list at 2.53+ has named it. */
  computeUuid: string | null = null;
  constructor(readonly projects: { admin: string; member: string }) {}

  add(kind: 'servers' | 'volumes' | 'attachments' | 'snapshots' | 'groups' | 'groupSnapshots', id: string, project: string): void {
    if (this[kind].length < 200 && !this[kind].some((x) => x.id === id)) this[kind].push({ id, project });
  }

  forget(kind: 'servers' | 'volumes' | 'attachments' | 'snapshots', id: string): void {
    this[kind] = this[kind].filter((x) => x.id !== id);
    if (kind !== 'attachments' && kind !== 'snapshots') this.pairs = this.pairs.filter((p) => p.server !== id && p.volume !== id);
  }

  pair(server: string, volume: string, project: string): void {
    if (this.pairs.length < 200 && !this.pairs.some((p) => p.server === server && p.volume === volume)) this.pairs.push({ server, volume, project });
  }

  unpair(server: string, volume: string): void {
    this.pairs = this.pairs.filter((p) => p.server !== server || p.volume !== volume);
  }
}

const IMAGE = '70a599e0-31e7-49b7-b260-868f441e862b';
/** An ed25519 public key the key pair requests import. */
const FUZZ_SSH_KEY = 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIA608Ab7pjyUJ4GR0tzzta+DTBJ+8pXkM0tGgvWoD7eQ fuzz';
export const NASTY_STRINGS = [
  '', ' ', 'a'.repeat(256), 'x'.repeat(70_000), '\u0000', 'nul\u0000inside', '😀🛰️𝔘𝔫𝔦', '\u202eevil', '\ud800', '\uffff',
  '../../etc/passwd', '%00', '<script>', "' OR 1=1 --", 'null', 'true', '-1', '1e309', 'ünïcödé', '\n\r\t', '{}', '__proto__', 'constructor',
];
export const NASTY_NUMBERS = [0, -1, -0.5, 1.5, 2 ** 31, 2 ** 53 + 1, 1e308, -1e308, 1e20, 1e-9];
export const NASTY_VALUES: unknown[] = [null, true, false, [], {}, [1, 2], { a: 1 }, '', '1', 'abc', ...NASTY_NUMBERS];
/** Bodies that are not JSON, or JSON a strict parser refuses (the last is over Cinder's 112 KiB body limit). */
export const MALFORMED_BODIES = ['{', '{"a": }', '[1,', "{'single': 1}", '\u0000', 'null x', '{"a":1}{"b":2}', '\ufeff{}', '{"a": NaN}', '{"a": 1e999}', '"' + 'x'.repeat(200_000) + '"'];
const METHODS = ['GET', 'POST', 'PUT', 'DELETE', 'PATCH', 'HEAD', 'OPTIONS'];
export const CONTENT_TYPES = ['text/plain', 'application/xml', 'application/x-www-form-urlencoded', 'application/json; charset=latin1',
  'multipart/form-data; boundary=x', 'application/vnd.openstack.volume+json', 'application/vnd.openstack.compute+json', '', 'garbage'];
export const QUERIES = ['limit=-1', 'limit=abc', 'limit=0', 'limit=99999999999999999999', 'marker=' + '0'.repeat(36), 'marker=', 'sort=foo:bar',
  'sort=name:asc,id:desc', 'sort_key=__proto__&sort_dir=sideways', 'sort_key=id&sort_key=name', 'all_tenants=maybe', 'all_tenants=1&project_id=x',
  'status=%ZZ', 'name=%00', 'deleted=true', 'changes-since=yesterday', 'changes-since=2020-01-01T00:00:00Z', 'offset=-5', 'with_count=yes',
  'limit=1&limit=2', 'metadata={"a":', 'glance_metadata=x', 'a[b]=c', 'fields=id', 'host=' + 'h'.repeat(600), 'ip=(', 'tenant_id=',
  'flavor=99', 'cascade=banana', 'force=true', 'instance_id=x', 'volume_id=x&volume_id=y', 'vm_state=error&vm_state=active', 'node=(', 'power_state=1',
  'uuid=x&all_tenants=1', 'task_state='];

const mvNova = (r: Prng): string => r.weighted<string>([
  [6, `2.${r.int(1, 101)}`], [1, 'latest'], [1, `2.${r.int(102, 200)}`], [1, '3.0'], [1, 'garbage'], [1, '2.'], [1, '1.9'],
  [1, `2.${'9'.repeat(30)}`], [1, ''], [1, '2.1, 2.90'],
]);
export const mvCinder = (r: Prng): string => r.weighted<string>([
  [6, `volume 3.${r.int(0, 70)}`], [1, 'volume latest'], [1, `volume 3.${r.int(71, 999)}`], [1, 'volume 2.0'], [1, 'compute 3.27'],
  [1, 'volume garbage'], [1, 'volume'], [1, ''], [1, 'volume 3.27, volume 3.44'], [1, 'VOLUME 3.44'],
]);

/** A deep copy of `v` with one value somewhere inside replaced (a wrong type, a number, a string). */
export function spoilLeaf(r: Prng, v: unknown): unknown {
  if (v && typeof v === 'object' && !Array.isArray(v)) {
    const keys = Object.keys(v);
    if (!keys.length) return { [r.pick(NASTY_STRINGS.slice(0, 8))]: r.pick(NASTY_VALUES) };
    const k = r.pick(keys);
    return { ...(v as Record<string, unknown>), [k]: r.chance(0.6) ? spoilLeaf(r, (v as Record<string, unknown>)[k]) : r.pick([...NASTY_VALUES, ...NASTY_STRINGS]) };
  }
  if (Array.isArray(v) && v.length) return v.map((x, i) => (i === 0 ? spoilLeaf(r, x) : x));
  return r.pick([...NASTY_VALUES, ...NASTY_STRINGS]);
}

export function dropOrAddKey(r: Prng, v: unknown): unknown {
  if (!v || typeof v !== 'object' || Array.isArray(v)) return v;
  const o = { ...(v as Record<string, unknown>) };
  const keys = Object.keys(o);
  const inner = keys.length === 1 && o[keys[0]] && typeof o[keys[0]] === 'object' && !Array.isArray(o[keys[0]]) && r.chance(0.7);
  if (inner) return { [keys[0]]: dropOrAddKey(r, o[keys[0]]) };
  if (keys.length && r.chance(0.5)) delete o[r.pick(keys)];
  else o[r.pick(['extra', 'id', 'status', 'project_id', 'admin', '__proto__', 'x'.repeat(300)])] = r.pick(NASTY_VALUES);
  return o;
}

/** Whether `s` is JSON (a body spoilt twice may not be). */
function parses(s: string): boolean {
  try {
    JSON.parse(s);
    return true;
  } catch {
    return false;
  }
}

/** `s` %-escaped for a path (a lone surrogate as the raw bytes a careless client sends). */
function pathSegment(s: string): string {
  try {
    return encodeURIComponent(s) || '%20';
  } catch {
    return '%ED%A0%80';
  }
}

export class Generator {
  constructor(private r: Prng, private st: FuzzState) {}

  /** One request: valid ~60% of the time, spoilt otherwise. */
  next(): FuzzRequest {
    const r = this.r;
    const user = r.chance(0.65) ? 'admin' : 'member';
    const req = this.valid(user);
    if (r.chance(0.4)) this.spoil(req);
    // HEAD's answer has no body: one the parser refuses (a huge URL) could not be read.
    if (req.method === 'HEAD' && req.path.length >= 8000) req.method = 'GET';
    return req;
  }

  /** Requests that race on the same volume or server (sent together). */
  race(): FuzzRequest[] {
    const r = this.r;
    const p = this.attached('admin');
    const vol = p?.volume ?? this.volume('admin');
    const srv = p?.server ?? this.server('admin');
    const [srv2, vol2] = [this.server('admin'), this.volume('admin')];
    const att = this.idOf(this.st.attachments, 'admin');
    const ops: FuzzRequest[] = [
      this.attach('admin', srv, vol), this.cinderDelete('admin', vol), this.detach('admin', srv, vol),
      this.volumeAction('admin', vol, 'os-extend'), this.attach('admin', srv, vol), this.detach('admin', srv, vol),
      this.volumeAction('admin', vol, 'os-reserve'), this.volumeAction('admin', vol, 'os-force_delete'),
      this.make('nova', 'admin', 'PUT', `/servers/${srv}/os-volume_attachments/${vol}`, 'swap', { volumeAttachment: { volumeId: vol2 } }),
      // Another server on the same volume, another volume on the same server (device names).
      this.attach('admin', srv2, vol), this.attach('admin', srv, vol2), this.detach('admin', srv, vol2),
      // An attached volume grown (Nova's volume-extended event) and the server moved meanwhile.
      this.make('cinder', 'admin', 'POST', `/v3/${this.project('admin')}/volumes/${vol}/action`, 'action os-extend', { 'os-extend': { new_size: r.int(2, 6) } }, '3.42'),
      this.make('nova', 'admin', 'POST', `/servers/${srv}/action`, 'server-action', r.pick<unknown>([{ 'os-stop': null }, { 'os-start': null }, { reboot: { type: 'HARD' } }, { pause: null }, { unpause: null }, { suspend: null }, { resume: null }, { rebuild: { imageRef: IMAGE } },
        { 'os-resetState': { state: r.pick(['active', 'error']) } }])),
      // One attachment connected, completed and deleted at once (cinder-api deletes a 'reserved' one without cinder-volume's lock).
      this.make('cinder', 'admin', 'PUT', `/v3/${this.project('admin')}/attachments/${att}`, 'attachment-update',
        { attachment: { connector: { initiator: 'iqn.fuzz', host: 'fuzzhost', ip: '127.0.0.1', mountpoint: '/dev/vdc' } } }, '3.44'),
      this.make('cinder', 'admin', 'POST', `/v3/${this.project('admin')}/attachments/${att}/action`, 'attachment-complete', { 'os-complete': {} }, '3.44'),
      this.make('cinder', 'admin', 'DELETE', `/v3/${this.project('admin')}/attachments/${att}`, 'attachment-delete', undefined, '3.44'),
      ...(r.chance(0.3) ? [this.serverDelete('admin', srv)] : []),
    ];
    const n = r.int(2, 5);
    const out: FuzzRequest[] = [];
    for (let i = 0; i < n; i++) out.push({ ...r.pick(ops), spoilt: ['race'] });
    return out;
  }

  private project(user: 'admin' | 'member'): string {
    return this.st.projects[user];
  }

  /** An id of this kind: mostly one of the user's own, sometimes the other project's or unknown. */
  private idOf(list: Owned[], user: 'admin' | 'member'): string {
    const r = this.r;
    const mine = list.filter((x) => x.project === this.project(user));
    if (mine.length && r.chance(0.75)) return r.pick(mine).id;
    if (list.length && r.chance(0.6)) return r.pick(list).id;
    return r.uuid();
  }

  /** One of the user's attached (server, volume) pairs, mostly; null when none. */
  private attached(user: 'admin' | 'member'): { server: string; volume: string } | null {
    const mine = this.st.pairs.filter((p) => p.project === this.project(user));
    return mine.length && this.r.chance(0.8) ? this.r.pick(mine) : null;
  }

  private volume(user: 'admin' | 'member'): string {
    return this.idOf(this.st.volumes, user);
  }

  private server(user: 'admin' | 'member'): string {
    return this.idOf(this.st.servers, user);
  }

  private make(service: Service, user: 'admin' | 'member', method: string, path: string, op: string, body?: unknown, mv?: string): FuzzRequest {
    const headers: Record<string, string> = {};
    if (body !== undefined) headers['Content-Type'] = 'application/json';
    if (mv) headers[service === 'nova' ? 'X-OpenStack-Nova-API-Version' : 'OpenStack-API-Version'] = service === 'nova' ? mv : `volume ${mv}`;
    return { service, method, path, headers, body: body === undefined ? undefined : JSON.stringify(body), user, op, spoilt: [] };
  }

  private c(user: 'admin' | 'member'): string {
    return `/v3/${this.project(user)}`;
  }

  private attach(user: 'admin' | 'member', srv: string, vol: string): FuzzRequest {
    const r = this.r;
    const va: Record<string, unknown> = { volumeId: vol };
    if (r.chance(0.3)) va.device = r.pick(['/dev/vdb', '/dev/vdc', '/dev/sdz', 'vdd', '/dev/vda']);
    if (r.chance(0.2)) va.delete_on_termination = r.chance(0.5);
    if (r.chance(0.1)) va.tag = r.pick(['t1', 'x'.repeat(70)]);
    const mv = va.delete_on_termination !== undefined || va.tag ? `2.${r.int(79, 101)}` : undefined;
    return this.make('nova', user, 'POST', `/servers/${srv}/os-volume_attachments`, 'attach', { volumeAttachment: va }, mv);
  }

  private detach(user: 'admin' | 'member', srv: string, vol: string): FuzzRequest {
    return this.make('nova', user, 'DELETE', `/servers/${srv}/os-volume_attachments/${vol}`, 'detach');
  }

  private cinderDelete(user: 'admin' | 'member', vol: string): FuzzRequest {
    const q = this.r.weighted([[6, ''], [1, '?cascade=true'], [1, '?force=true']] as const);
    return this.make('cinder', user, 'DELETE', `${this.c(user)}/volumes/${vol}${q}`, 'volume-delete', undefined, q.includes('force') ? '3.23' : undefined);
  }

  private serverDelete(user: 'admin' | 'member', srv: string): FuzzRequest {
    return this.make('nova', user, 'DELETE', `/servers/${srv}`, 'server-delete');
  }

  private volumeAction(user: 'admin' | 'member', vol: string, name: string): FuzzRequest {
    const r = this.r;
    const connector = { initiator: 'iqn.1993-08.org.debian:01:fuzz', host: 'fuzzhost', ip: '127.0.0.1', multipath: false, platform: 'x86_64', os_type: 'linux' };
    const atts = this.st.attachments.map((a) => a.id);
    const bodies: Record<string, unknown> = {
      'os-reserve': {}, 'os-unreserve': {}, 'os-begin_detaching': {}, 'os-roll_detaching': {},
      'os-initialize_connection': { connector }, 'os-terminate_connection': { connector, ...(r.chance(0.3) ? { force: true } : {}) },
      'os-attach': { instance_uuid: this.server(user), mountpoint: '/dev/vdb', mode: r.pick(['rw', 'ro']) },
      'os-detach': r.chance(0.5) && atts.length ? { attachment_id: r.pick(atts) } : {},
      'os-extend': { new_size: r.weighted([[5, r.int(2, 5)], [1, 1], [1, 0], [1, -3], [1, 100000]] as const) },
      'os-reset_status': { status: r.pick(['available', 'error', 'in-use', 'creating', 'attaching', 'bogus']), ...(r.chance(0.4) ? { attach_status: r.pick(['detached', 'attached', 'nope']) } : {}) },
      'os-set_bootable': { bootable: r.pick([true, false, 'true', 'maybe']) },
      'os-update_readonly_flag': { readonly: r.pick([true, false, 'False', 2]) },
      'os-force_delete': {}, 'os-force_detach': { attachment_id: atts.length ? r.pick(atts) : r.uuid(), connector: r.chance(0.5) ? connector : null },
      'os-migrate_volume_completion': { new_volume: this.volume(user), error: false },
      'os-retype': { new_type: r.pick(['__DEFAULT__', ...this.st.types, 'nope']), migration_policy: 'never' },
      'os-set_image_metadata': { metadata: r.pick<unknown>([{ a: 'b' }, { image_name: 'x'.repeat(255) }, {}, { 'a b': 1 }]) },
      'os-unset_image_metadata': { key: r.pick(['a', 'image_name', '', 5]) }, 'os-show_image_metadata': null, 'os-volume_upload_image': { image_name: 'x' }, 'revert': { snapshot_id: r.uuid() },
    };
    const body = { [name]: bodies[name] ?? {} };
    const req = this.make('cinder', user, 'POST', `${this.c(user)}/volumes/${vol}/action`, `action ${name}`, body, name === 'os-extend' && r.chance(0.5) ? '3.42' : undefined);
    const holding = ['os-reserve', 'os-begin_detaching', 'os-initialize_connection', 'os-attach', 'os-reset_status', 'os-force_detach', 'os-detach', 'os-terminate_connection',
      'os-migrate_volume_completion', 'os-roll_detaching', 'os-unreserve'];
    if (holding.includes(name)) req.holds = vol;
    return req;
  }

  private volumeActionName(): string {
    return this.r.pick(['os-reserve', 'os-unreserve', 'os-begin_detaching', 'os-roll_detaching', 'os-initialize_connection', 'os-terminate_connection',
      'os-attach', 'os-detach', 'os-extend', 'os-extend', 'os-reset_status', 'os-set_bootable', 'os-update_readonly_flag', 'os-force_delete',
      'os-force_detach', 'os-migrate_volume_completion', 'os-retype', 'os-set_image_metadata', 'os-unset_image_metadata', 'os-show_image_metadata', 'os-volume_upload_image', 'revert',
      'os-unmanage']);
  }

  /** A well-formed request on the user's (mostly) own ids. */
  private valid(user: 'admin' | 'member'): FuzzRequest {
    const r = this.r;
    const st = this.st;
    const C = this.c(user);
    const other = user === 'admin' ? 'member' : 'admin';
    const ops: Array<readonly [number, () => FuzzRequest]> = [
      // Nova
      [st.servers.length < 6 ? 8 : 2, () => this.make('nova', user, 'POST', '/servers', 'server-create',
        { server: { name: `fz-${r.int(0, 999)}`, imageRef: IMAGE, flavorRef: r.pick(['1', '1', '2', '42']), ...(r.chance(0.2) ? { metadata: { k: 'v' } } : {}),
          // Counts no create may have (403): an unbounded one once made servers until it was killed.
          ...(r.chance(0.05) ? { min_count: r.pick<unknown>([501, 2147483647, '99999999999']) } : {}) } })],
      [3, () => this.make('nova', user, 'GET', r.pick(['/servers', '/servers/detail']) + (r.chance(0.4) ? `?${r.pick(QUERIES)}` : ''), 'server-list')],
      [3, () => this.make('nova', user, 'GET', `/servers/${this.server(user)}`, 'server-show', undefined, r.chance(0.3) ? mvNova(r) : undefined)],
      [1, () => this.make('nova', user, 'PUT', `/servers/${this.server(user)}`, 'server-update', { server: { name: r.pick(['renamed', 'ü', 'x'.repeat(255)]) } })],
      [1, () => this.serverDelete(user, this.server(user))],
      [2, () => this.make('nova', user, 'POST', `/servers/${this.server(user)}/action`, 'server-action',
        r.pick<unknown>([{ 'os-stop': null }, { 'os-start': null }, { reboot: { type: r.pick(['SOFT', 'HARD', 'soft']) } }, { lock: null }, { unlock: null },
          { pause: null }, { unpause: null }, { suspend: r.pick<unknown>([null, {}]) }, { resume: null }, { forceDelete: null },
          { rebuild: r.pick<unknown>([{ imageRef: IMAGE }, {}, null, { imageRef: 'x' }, { imageRef: IMAGE, name: r.pick(['n', ' ', 'x'.repeat(256)]), metadata: { a: 'b' } },
            { imageRef: IMAGE, key_name: r.pick([null, 'nope']), adminPass: 'p' }, { imageRef: IMAGE, personality: [{ path: '/p', contents: 'eA==' }] }]) }, { restore: null }, { resize: { flavorRef: '2' } }, { createImage: { name: 'i' } },
          { 'os-getConsoleOutput': r.pick<unknown>([{}, { length: r.pick<unknown>([3, '2', -1, -2, 'x', null, 1e20]) }, null, { lines: 1 }]) },
          { 'os-resetState': r.pick<unknown>([{ state: 'active' }, { state: 'error' }, { state: 'deleted' }, {}, null]) }, { injectNetworkInfo: null }, { resetNetwork: null }]))],
      [1, () => this.make('nova', user, r.pick(['GET', 'POST', 'PUT']), `/servers/${this.server(user)}/metadata`, 'server-metadata', r.chance(0.5) ? { metadata: { a: 'b' } } : undefined)],
      [1, () => this.make('nova', user, r.pick(['GET', 'PUT', 'DELETE']), `/servers/${this.server(user)}/metadata/${r.pick(['a', 'k', 'zz'])}`, 'server-metadata-key', { meta: { a: 'c' } })],
      [1, () => this.make('nova', user, 'GET', `/servers/${this.server(user)}/${r.pick(['ips', 'os-instance-actions', 'ips/private'])}`, 'server-sub')],
      [1, () => this.make('nova', user, r.pick(['GET', 'PUT', 'DELETE']), `/servers/${this.server(user)}/tags`, 'server-tags',
        r.pick<unknown>([undefined, { tags: ['a', 'b'] }, { tags: ['x/y'] }, { tags: Array.from({ length: 51 }, (_, i) => `t${i}`) }, { tags: 'a' }, {}]), mvNova(r))],
      [1, () => this.make('nova', user, r.pick(['GET', 'PUT', 'DELETE']), `/servers/${this.server(user)}/tags/${r.pick(['a', 'b', 'c,d', '%2F', 'x'.repeat(61), '%C3%A9'])}`, 'server-tag',
        r.chance(0.2) ? {} : undefined, mvNova(r))],
      [10, () => this.attach(user, this.server(user), this.volume(user))],
      [2, () => this.make('nova', user, 'GET', `/servers/${this.server(user)}/os-volume_attachments${r.chance(0.3) ? `?${r.pick(QUERIES)}` : ''}`, 'attachment-list', undefined, r.chance(0.5) ? mvNova(r) : undefined)],
      [2, () => this.make('nova', user, 'GET', `/servers/${this.server(user)}/os-volume_attachments/${this.volume(user)}`, 'attachment-show', undefined, r.chance(0.5) ? mvNova(r) : undefined)],
      [1, () => this.make('nova', user, 'GET', `/os-simple-tenant-usage${r.pick(['', `/${this.project(user)}`, `/${this.project(other)}`])}${r.pick(['', '?detailed=1',
        '?start=2020-01-01T00:00:00&end=2020-01-02T00:00:00', '?start=bogus', '?start=2030-01-01T00:00:00', '?limit=1&marker=x', '?limit=-1', '?x=1'])}`, 'usage', undefined,
      r.chance(0.6) ? r.pick(['2.39', '2.40', '2.75', mvNova(r)]) : undefined)],
      [1, () => this.make('nova', user, r.pick(['GET', 'GET', 'POST']), `/servers/${this.server(user)}/${r.pick(['diagnostics', 'os-server-password'])}`, 'server-diagnostics', undefined,
        r.chance(0.6) ? r.pick(['2.47', '2.48', mvNova(r)]) : undefined)],
      [3, () => {
        // Swap to another volume (admin) or update delete_on_termination on the same one (2.85).
        const p = this.attached(user) ?? { server: this.server(user), volume: this.volume(user) };
        const same = r.chance(0.5);
        return this.make('nova', user, 'PUT', `/servers/${p.server}/os-volume_attachments/${p.volume}`, same ? 'attachment-update' : 'swap',
          { volumeAttachment: { volumeId: same ? p.volume : this.volume(user), ...(same || r.chance(0.3) ? { delete_on_termination: r.chance(0.5) } : {}) } },
          same || r.chance(0.5) ? `2.${r.int(85, 101)}` : undefined);
      }],
      [7, () => {
        const p = this.attached(user);
        return p ? this.detach(user, p.server, p.volume) : this.detach(user, this.server(user), this.volume(user));
      }],
      [2, () => this.make('nova', user, 'GET', r.pick(['/flavors', '/flavors/detail', '/flavors/1', '/flavors/1/os-extra_specs', '/limits', '/os-availability-zone',
        '/os-availability-zone/detail', '/os-hosts', '/os-hosts/localhost', '/os-hosts/localhost/reboot', '/os-hosts?zone=nova', '/os-aggregates', '/os-aggregates/1', '/extensions', '/', '/servers/detail?all_tenants=1']), 'nova-misc', undefined, r.chance(0.3) ? mvNova(r) : undefined)],
      // The hypervisors: lists, pages, patterns, one by id or uuid, uptime (read only).
      [1, () => this.make('nova', user, 'GET', `/os-hypervisors${r.pick(['', '/detail', '/statistics', '/1', '/1/uptime', '/local/search', '/local/servers', '/é',
        `/${this.st.computeUuid ?? '00000000-0000-0000-0000-000000000000'}`, '?limit=1', '?limit=-1', '?marker=x', '?limit=1&limit=2', '/detail?with_servers=maybe',
        '/detail?hypervisor_hostname_pattern=local&with_servers=true', '?hypervisor_hostname_pattern=%25'])}`, 'hypervisors', undefined, mvNova(r))],
      // Key pairs: generated, imported, refused (bad names, keys, types, another user's), listed, paged, shown, deleted.
      [1, () => r.chance(0.5)
        ? this.make('nova', user, 'POST', '/os-keypairs', 'keypairs-create', r.pick<unknown>([{ keypair: { name: `fz${r.int(0, 4)}` } },
          { keypair: { name: `fz${r.int(0, 4)}`, public_key: FUZZ_SSH_KEY } }, { keypair: { name: 'fz x', type: r.pick(['x509', 'ssh', null]) } },
          { keypair: { name: r.pick(['é', 'a/b', '', ' fz', 5]), public_key: FUZZ_SSH_KEY } }, { keypair: null }, {}, { keypair: { name: 'fz', public_key: r.pick(['ssh-rsa AAAA', '', 7]) } },
          { keypair: { name: 'fz@x.y', user_id: r.pick(['admin', 'demo']), public_key: FUZZ_SSH_KEY } }]), mvNova(r))
        : this.make('nova', user, r.pick(['GET', 'GET', 'DELETE']), `/os-keypairs${r.pick(['', `/fz${r.int(0, 4)}`, '?limit=1', '?marker=fz1', '?limit=-1', '?user_id=admin',
          '/%C3%A9', '?limit=1&limit=2', '?foo=1'])}`, 'keypairs', undefined, mvNova(r))],
      // os-volumes, Nova's volume proxy (up to 2.35): creates good and bad, lists and pages, shows and deletes.
      [1, () => r.chance(0.4)
        ? this.make('nova', user, 'POST', '/os-volumes', 'os-volumes-create', r.pick<unknown>([{ volume: { size: r.pick([1, '1', 2]), display_name: 'fzp' } },
          { volume: { size: r.pick(['#$%', '', '0', 0, -1, 1.5, null]) } }, { volume: { size: 1, volume_type: r.pick(['nope', '__DEFAULT__']), metadata: { a: 'b' } } },
          { volume: { size: 1, snapshot_id: 'x' } }, { volume: { size: 1, bogus: 1 } }, { volume: null }, {}]), r.pick([undefined, '2.35', '2.36']))
        : this.make('nova', user, r.pick(['GET', 'GET', 'DELETE']), `/os-volumes${r.pick(['', '/detail', `/${this.volume(user)}`, '/', '?limit=1&offset=1', '?limit=-1',
          '?offset=x', '/detail?limit=0', '/00000000-0000-4000-8000-000000000000'])}`, 'os-volumes', undefined, r.pick([undefined, '2.35', '2.36']))],
      // The compute services: read, disable/enable, force down/up (the second of each pair undoes the first).
      [1, () => this.make('nova', user, 'GET', `/os-services${r.pick(['', '?host=compute1', '?binary=nova-compute', '?bogus=1', '?host=é'])}`, 'services-list', undefined, mvNova(r))],
      [1, () => r.chance(0.5)
        ? this.make('nova', user, 'PUT', `/os-services/${r.pick(['enable', 'disable', 'disable-log-reason', 'force-down', 'reboot'])}`, 'services-update-legacy',
          { host: r.pick(['localhost', 'nowhere', '']), binary: r.pick(['nova-compute', 'nova-scheduler']), ...(r.chance(0.5) ? { disabled_reason: 'fz' } : {}),
            ...(r.chance(0.5) ? { forced_down: r.pick([true, false, 'maybe']) } : {}) }, r.pick(['2.1', '2.11', '2.52']))
        : this.make('nova', user, 'PUT', `/os-services/${r.pick([this.st.computeUuid ?? '00000000-0000-0000-0000-000000000000', 'disable', '0'])}`, 'services-update',
          r.pick<unknown>([{ status: 'disabled', disabled_reason: 'fz' }, { status: 'enabled' }, { forced_down: true }, { forced_down: false }, {}, { status: 'x' }]), `2.${r.int(53, 101)}`)],
      // Compute quotas: read and set the projects' own limits (maybe under their usage, maybe forced), or drop them.
      [2, () => {
        const project = r.pick([this.st.projects.admin, this.st.projects.member, 'p'.repeat(r.pick([3, 256]))]);
        return r.weighted<FuzzRequest>([
          [3, this.make('nova', user, 'GET', `/os-quota-sets/${project}${r.pick(['', '/detail', '/defaults', '?user_id=u', '?bogus=1'])}`, 'quota-show', undefined, mvNova(r))],
          [2, this.make('nova', user, 'PUT', `/os-quota-sets/${project}`, 'quota-update',
            { quota_set: { [r.pick(['instances', 'cores', 'metadata_items', 'networks', 'injected_files', 'bogus'])]: r.pick([-2, -1, 0, 1, 5, '20', '2147483648', 'x']),
              ...(r.chance(0.3) ? { force: r.pick([true, 'yes', 'maybe']) } : {}) } }, mvNova(r))],
          [1, this.make('nova', user, 'DELETE', `/os-quota-sets/${project}`, 'quota-delete')],
        ]);
      }],
      [1, () => this.make('nova', user, 'POST', '/os-server-external-events', 'external-events',
        { events: [{ name: r.pick(['volume-extended', 'network-changed', 'bogus']), server_uuid: this.server(user), tag: this.volume(user) }] }, '2.51')],
      // Cinder
      [st.volumes.length < 10 ? 10 : 3, () => this.make('cinder', user, 'POST', `${C}/volumes`, 'volume-create',
        { volume: { size: r.weighted([[8, 1], [2, r.int(2, 4)]] as const), name: `fv-${r.int(0, 999)}`,
          ...(r.chance(0.15) ? { multiattach: true } : {}), ...(r.chance(0.15) && st.types.length ? { volume_type: r.pick(st.types) } : {}),
          ...(r.chance(0.1) ? { metadata: { m: 'n' } } : {}), ...(r.chance(0.1) ? { source_volid: this.volume(user) } : r.chance(0.1) ? { snapshot_id: this.idOf(st.snapshots, user) } : {}) } },
        r.chance(0.3) ? `3.${r.int(0, 70)}` : undefined)],
      // Snapshots: of any volume (in use too, with force or 3.66), read, listed, renamed, their metadata, their actions, deleted.
      [st.snapshots.length < 6 ? 3 : 1, () => this.make('cinder', user, 'POST', `${C}/snapshots`, 'snapshot-create', r.chance(0.75)
        ? { snapshot: { volume_id: this.volume(user), ...(r.chance(0.3) ? { name: r.pick(['s', '  ', 'é'.repeat(300), null, 5]) } : {}),
          ...(r.chance(0.5) ? { force: r.pick([true, true, false, 'yes', 'maybe']) } : {}), ...(r.chance(0.2) ? { metadata: r.pick<unknown>([{ k: 'v' }, { '': 'x' }, [], null]) } : {}) } }
        : r.pick<unknown>([{ snapshot: { volume_id: r.pick(['x', null, r.uuid()]) } }, { snapshot: {} }, { snapshot: null }, {}]), r.chance(0.5) ? `3.${r.int(0, 70)}` : undefined)],
      [3, () => {
        const snap = this.idOf(st.snapshots, user);
        const S = `${C}/snapshots`;
        return r.weighted<FuzzRequest>([
          [3, this.make('cinder', user, 'GET', `${S}${r.pick(['', '/detail', `/${snap}`, `/${snap}/metadata`, `/${snap}/metadata/k`])}${r.chance(0.3) ? `?${r.pick(['limit=1', `marker=${snap}`, 'sort=name:asc', 'status=available', 'bogus=1', 'with_count=x', 'all_tenants=1', 'limit=-1'])}` : ''}`,
            'snapshot-get', undefined, r.chance(0.5) ? `3.${r.int(0, 70)}` : undefined)],
          [1, this.make('cinder', user, 'PUT', `${S}/${snap}`, 'snapshot-update', r.pick<unknown>([{ snapshot: { name: 'n' } }, { snapshot: { description: 'é'.repeat(300) } }, { snapshot: {} }, { snapshot: { size: 5 } }]))],
          [1, this.make('cinder', user, r.pick(['POST', 'PUT']), `${S}/${snap}/metadata${r.pick(['', '/k'])}`, 'snapshot-metadata', r.pick<unknown>([{ metadata: { k: 'v' } }, { meta: { k: 'w' } }, { metadata: { ['k'.repeat(300)]: 'v' } }, { metadata: 'x' }]))],
          [1, this.make('cinder', user, 'DELETE', `${S}/${snap}${r.pick(['', '/metadata/k'])}`, 'snapshot-delete')],
          [1, { ...this.make('cinder', user, 'POST', `${S}/${snap}/action`, 'snapshot-action', r.pick<unknown>([
            { 'os-reset_status': { status: r.pick(['available', 'error', 'creating', 'deleting', '', 'bogus']) } }, { 'os-force_delete': {} },
            { 'os-update_snapshot_status': { status: r.pick(['available', 'error', 'error_deleting']), progress: r.pick(['50%', '101%', 'x', 5]) } }, { 'os-unmanage': {} }])),
          holds: snap }],
        ]);
      }],
      // Snapshot manage: objects an unmanage left, a volume's name, nothing, odd bodies.
      [1, () => this.make('cinder', user, 'POST', `${C}/${r.pick(['os-snapshot-manage', 'manageable_snapshots'])}`, 'snapshot-manage', { snapshot: {
        volume_id: r.chance(0.9) ? this.volume(user) : r.pick([r.uuid(), 'x']),
        ref: r.weighted<unknown>([[3, { 'source-name': st.unmanagedSnapshots.length ? r.pick(st.unmanagedSnapshots) : `snapshot-${r.uuid()}` }],
          [1, { 'source-name': `volume-${this.volume(user)}` }], [1, null], [1, 'snapshot-x'], [1, {}]]),
        ...(r.chance(0.3) ? { name: r.pick(['s', null, 'é'.repeat(300)]) } : {}), ...(r.chance(0.1) ? { metadata: r.pick<unknown>([{ a: 'b' }, { a: 1 }]) } : {}),
      } }, r.chance(0.7) ? `3.${r.int(0, 70)}` : undefined)],
      [3, () => this.make('cinder', user, 'GET', `${C}/${r.pick(['volumes', 'volumes/detail', 'volumes/summary'])}${r.chance(0.5) ? `?${r.pick(QUERIES)}` : ''}`, 'volume-list', undefined, r.chance(0.5) ? `3.${r.int(0, 70)}` : undefined)],
      [3, () => this.make('cinder', user, 'GET', `${C}/volumes/${this.volume(user)}`, 'volume-show', undefined, r.chance(0.5) ? `3.${r.int(0, 70)}` : undefined)],
      [1, () => this.make('cinder', user, 'PUT', `${C}/volumes/${this.volume(user)}`, 'volume-update', { volume: { name: 'n2', description: r.pick(['d', null, 'é'.repeat(300)]) } })],
      [3, () => this.cinderDelete(user, this.volume(user))],
      [12, () => this.volumeAction(user, this.volume(user), this.volumeActionName())],
      [2, () => this.make('cinder', user, r.pick(['GET', 'POST', 'PUT']), `${C}/volumes/${this.volume(user)}/metadata`, 'volume-metadata', { metadata: { [r.pick(['a', 'b', 'readonly'])]: r.pick(['1', 'x']) } })],
      [1, () => this.make('cinder', user, r.pick(['GET', 'PUT', 'DELETE']), `${C}/volumes/${this.volume(user)}/metadata/${r.pick(['a', 'b'])}`, 'volume-metadata-key', { meta: { a: 'z' } })],
      [4, () => {
        const vol = this.volume(user);
        const body = { attachment: { volume_uuid: vol, instance_uuid: r.chance(0.8) ? this.server(user) : null,
          ...(r.chance(0.5) ? { connector: { initiator: 'iqn.fuzz', host: 'fuzzhost', ip: '127.0.0.1' } } : {}), ...(r.chance(0.2) ? { mode: r.pick(['rw', 'ro', 'wx']) } : {}) } };
        return { ...this.make('cinder', user, 'POST', `${C}/attachments`, 'attachment-create', body, `3.${r.int(27, 70)}`), holds: vol };
      }],
      [2, () => this.make('cinder', user, 'PUT', `${C}/attachments/${this.idOf(st.attachments, user)}`, 'attachment-update',
        { attachment: { connector: { initiator: 'iqn.fuzz', host: 'fuzzhost', ip: '127.0.0.1', mountpoint: '/dev/vdc' } } }, `3.${r.int(27, 70)}`)],
      [1, () => this.make('cinder', user, 'POST', `${C}/attachments/${this.idOf(st.attachments, user)}/action`, 'attachment-complete', { 'os-complete': {} }, `3.${r.int(44, 70)}`)],
      [2, () => this.make('cinder', user, 'DELETE', `${C}/attachments/${this.idOf(st.attachments, user)}`, 'attachment-delete', undefined, `3.${r.int(27, 70)}`)],
      [2, () => this.make('cinder', user, 'GET', `${C}/attachments${r.pick(['', '/detail', `/${this.idOf(st.attachments, user)}`])}${r.chance(0.3) ? `?${r.pick(QUERIES)}` : ''}`, 'attachment-get', undefined, `3.${r.int(27, 70)}`)],
      [2, () => this.make('cinder', user, 'POST', `${C}/types`, 'type-create', { volume_type: { name: `ft-${r.int(0, 50)}`, ...(r.chance(0.3) ? { extra_specs: { multiattach: '<is> True' } } : {}), ...(r.chance(0.2) ? { 'os-volume-type-access:is_public': false } : {}) } })],
      [2, () => this.make('cinder', user, r.pick(['GET', 'PUT', 'DELETE']), `${C}/types/${st.types.length && r.chance(0.7) ? r.pick(st.types) : r.uuid()}`, 'type-one', { volume_type: { description: 'd' } })],
      [1, () => this.make('cinder', user, r.pick(['GET', 'POST']), `${C}/types/${st.types.length ? r.pick(st.types) : r.uuid()}/extra_specs`, 'type-extra-specs', { extra_specs: { [r.pick(['k', 'multiattach', 'volume_backend_name'])]: r.pick(['v', '<is> True']) } })],
      [1, () => this.make('cinder', user, 'POST', `${C}/types/${st.types.length ? r.pick(st.types) : r.uuid()}/action`, 'type-access',
        { [r.pick(['addProjectAccess', 'removeProjectAccess'])]: { project: this.project(other) } })],
      [1, () => this.make('cinder', user, 'GET', `${C}/types${r.chance(0.3) ? `?${r.pick(QUERIES)}` : ''}`, 'type-list')],
      [2, () => this.make('cinder', user, r.pick(['GET', 'PUT', 'GET', 'DELETE']), `${C}/os-quota-sets/${r.pick([this.project(user), this.project(other), 'x'])}${r.chance(0.2) ? '/defaults' : r.chance(0.2) ? '?usage=true' : ''}`, 'quota',
        { quota_set: { [r.pick(['volumes', 'gigabytes', 'per_volume_gigabytes', 'snapshots', 'bogus'])]: r.weighted([[3, 1000], [1, -1], [1, 0], [1, -2]] as const) } })],
      [1, () => this.make('cinder', user, r.pick(['GET', 'PUT']), `${C}/os-quota-class-sets/default`, 'quota-class', { quota_class_set: { volumes: 1000 } })],
      [1, () => this.make('cinder', user, r.pick(['GET', 'GET', 'PUT']), `${C}/os-services${r.chance(0.5) ? `/${r.pick(['enable', 'disable', 'disable-log-reason', 'freeze', 'get-log', 'bogus'])}` : ''}`, 'services',
        { host: r.pick(['localhost@fake', 'nohost']), binary: r.pick(['cinder-volume', 'cinder-scheduler', 'x']) })],
      // QoS specs: made with odd names, consumers, keys and per-GB values (a volume of a type they reach gets them at connection),
      // read, listed, changed, keys dropped, associated with the run's types and taken away again, deleted with and without force.
      [1, () => this.make('cinder', user, 'POST', `${C}/qos-specs`, 'qos-create', r.pick<unknown>([
        { qos_specs: { name: `fq-${r.int(0, 9)}`, consumer: r.pick(['front-end', 'back-end', 'both', 'x', '', null]), [r.pick(['total_iops_sec', 'read_bytes_sec_per_gb', 'k'])]: r.pick(['10', 'lots', '-5', '9'.repeat(20), 7, null]) } },
        { qos_specs: { name: r.pick(['', '  ', 'é'.repeat(300), 5, null]) } }, { qos_specs: { name: 'fq', [r.pick(['', 'k'.repeat(256), 'a b'])]: 'v' } }, { qos_specs: null }, {}, { qos_specs: { name: 'fq' }, x: 1 }]))],
      [2, () => {
        const q = st.qosSpecs.length && r.chance(0.8) ? r.pick(st.qosSpecs) : r.pick([r.uuid(), 'x', '%00']);
        const type = st.types.length && r.chance(0.8) ? r.pick(st.types) : r.pick([r.uuid(), '']);
        return r.weighted<FuzzRequest>([
          [2, this.make('cinder', user, 'GET', `${C}/qos-specs${r.pick(['', `/${q}`, `/${q}/associations`, '?limit=1', `?marker=${q}`, '?sort=value:asc', '?sort_key=name', '?name=fq-1', '?limit=x'])}`, 'qos-get')],
          [2, this.make('cinder', user, 'PUT', `${C}/qos-specs/${q}`, 'qos-update', { qos_specs: { [r.pick(['consumer', 'total_iops_sec', 'total_iops_sec_per_gb', 'k'])]: r.pick(['front-end', 'both', '5', 'x', null, 5]) } })],
          [1, this.make('cinder', user, 'PUT', `${C}/qos-specs/${q}/delete_keys`, 'qos-delete-keys', r.pick<unknown>([{ keys: ['k', 'total_iops_sec'] }, { keys: [] }, { keys: ['k', 'k'] }, { keys: 'k' }, {}]))],
          [2, this.make('cinder', user, 'GET', `${C}/qos-specs/${q}/${r.pick(['associate', 'disassociate'])}${r.chance(0.9) ? `?vol_type_id=${type}` : ''}`, 'qos-associate')],
          [1, this.make('cinder', user, r.pick(['GET', 'DELETE']), `${C}/qos-specs/${q}${r.pick(['/disassociate_all', '', '?force=true', '?force=maybe'])}`, 'qos-delete')],
        ]);
      }],
      // Group types (3.11+): made with odd names, visibility and specs, read, listed, changed, their specs set and dropped, deleted.
      [1, () => this.make('cinder', user, 'POST', `${C}/group_types`, 'group-type-create', r.pick<unknown>([
        { group_type: { name: `fg-${r.int(0, 9)}`, ...(r.chance(0.3) ? { is_public: r.pick([false, 'no', 'maybe']) } : {}), ...(r.chance(0.5) ? { group_specs: r.pick([{ k: 'v' }, null, { 'a b': 'v' }, { k: 5 }]) } : {}) } },
        { group_type: { name: r.pick(['', '  ', 'é'.repeat(300), 5, null]) } }, { group_type: null }, {}, { group_type: { name: 'fg' }, x: 1 }]), `3.${r.int(9, 70)}`)],
      [2, () => {
        const g = st.groupTypes.length && r.chance(0.8) ? r.pick(st.groupTypes) : r.pick([r.uuid(), 'default', 'x', '%00']);
        const mv = `3.${r.int(10, 70)}`;
        return r.weighted<FuzzRequest>([
          [2, this.make('cinder', user, 'GET', `${C}/group_types${r.pick(['', `/${g}`, '?is_public=none', '?is_public=x', '?limit=1', `?marker=${g}`, '?sort=name:asc', '?sort=x', '?offset=-1'])}`, 'group-type-get', undefined, mv)],
          [2, this.make('cinder', user, 'PUT', `${C}/group_types/${g}`, 'group-type-update', { group_type: { [r.pick(['name', 'description', 'is_public', 'x'])]: r.pick(['fg-u', '', '  ', null, true, 5]) } }, mv)],
          [2, this.make('cinder', user, r.pick(['GET', 'POST']), `${C}/group_types/${g}/group_specs`, 'group-specs', { group_specs: { [r.pick(['k', 'a b', ''])]: r.pick(['v', null, 5]) } }, mv)],
          [1, this.make('cinder', user, r.pick(['GET', 'PUT', 'DELETE']), `${C}/group_types/${g}/group_specs/${r.pick(['k', 'x', '%00'])}`, 'group-spec', r.pick<unknown>([{ k: 'v2' }, { x: 'v' }, { k: 'a', x: 'b' }, {}]), mv)],
          [1, this.make('cinder', user, 'DELETE', `${C}/group_types/${g}`, 'group-type-delete', undefined, mv)],
        ]);
      }],
      // Groups (3.13+) and group snapshots (3.14+): made with odd types and bodies, volumes made in them, read and listed,
      // volumes added and removed, copied, snapshotted, reset and deleted (with and without their volumes).
      [1, () => this.make('cinder', user, 'POST', `${C}/groups`, 'group-create', r.pick<unknown>([
        { group: { group_type: st.groupTypes.length && r.chance(0.8) ? r.pick(st.groupTypes) : r.pick(['nope', r.uuid(), '']), volume_types: [r.pick(['__DEFAULT__', ...st.types.slice(0, 3), 'nope'])], ...(r.chance(0.3) ? { name: r.pick(['g', ' ', 'é'.repeat(300)]) } : {}) } },
        { group: { group_type: 'x', volume_types: [] } }, { group: {} }, {}, { group: { group_type: 'x', volume_types: ['a', 'a'] } }]), `3.${r.int(12, 70)}`)],
      [2, () => {
        const g = this.idOf(st.groups, user);
        const mv = `3.${r.int(12, 70)}`;
        return r.weighted<FuzzRequest>([
          [2, this.make('cinder', user, 'GET', `${C}/groups${r.pick(['', '/detail', `/${g}`, `/${g}?list_volume=${r.pick(['True', 'x'])}`, '?sort=name:asc', '?bogus=1', `?marker=${g}`, '?limit=1', '?all_tenants=1'])}`, 'group-get', undefined, mv)],
          [2, this.make('cinder', user, 'POST', `${C}/volumes`, 'volume-in-group', { volume: { size: 1, group_id: g, ...(r.chance(0.8) ? { volume_type: '__DEFAULT__' } : {}) } }, mv)],
          [2, this.make('cinder', user, 'PUT', `${C}/groups/${g}`, 'group-update', { group: { [r.pick(['name', 'description', 'add_volumes', 'remove_volumes', 'x'])]: r.pick([this.idOf(st.volumes, user), `${this.idOf(st.volumes, user)},`, 'n', '', null, 5]) } }, mv)],
          // A reset may leave the group in any status: the audit leaves that group out.
          [1, { ...this.make('cinder', user, 'POST', `${C}/groups/${g}/action`, 'group-action', r.pick<unknown>([{ delete: { 'delete-volumes': r.pick([true, false, 'x']) } }, { delete: {} },
            { reset_status: { status: r.pick(['available', 'error', 'creating', 'deleting', 'x', '']) } }, { bogus: {} }]), mv), holds: g }],
          [1, this.make('cinder', user, 'POST', `${C}/groups/action`, 'group-copy', { 'create-from-src': r.pick<unknown>([{ source_group_id: g }, { group_snapshot_id: this.idOf(st.groupSnapshots, user) }, { source_group_id: g, group_snapshot_id: g }, {}]) }, mv)],
          [1, this.make('cinder', user, 'POST', `${C}/group_snapshots`, 'group-snapshot-create', { group_snapshot: { group_id: g, ...(r.chance(0.2) ? { x: 1 } : {}) } }, mv)],
          [2, this.make('cinder', user, r.pick(['GET', 'GET', 'DELETE']), `${C}/group_snapshots${r.pick(['', '/detail', `/${this.idOf(st.groupSnapshots, user)}`, '?group_id=x'])}`, 'group-snapshot-get', undefined, mv)],
          [1, (() => {
            const gs = this.idOf(st.groupSnapshots, user);
            return { ...this.make('cinder', user, 'POST', `${C}/group_snapshots/${gs}/action`, 'group-snapshot-reset', { reset_status: { status: r.pick(['available', 'error', 'creating', 'x']) } }, mv), holds: gs };
          })()],
        ]);
      }],
      // Volume type encryption: made, read key by key, changed and deleted on the run's types (volumes of them are refused).
      [1, () => {
        const type = st.types.length && r.chance(0.8) ? r.pick(st.types) : r.uuid();
        return this.make('cinder', user, r.pick(['GET', 'GET', 'POST', 'PUT', 'DELETE']), `${C}/types/${type}/encryption${r.pick(['', '', '/provider', '/x', '/created_at'])}`, 'type-encryption',
          { encryption: { provider: r.pick(['luks', '', 5]), control_location: r.pick(['front-end', 'back-end', 'side']), cipher: r.pick(['aes-xts-plain64', null, '']),
            key_size: r.pick([256, '128', 'abc', -1, null, 1.5]) } });
      }],
      // workers/cleanup (3.24): odd filters; the backends that are up make a reconciler pass.
      [1, () => this.make('cinder', user, r.pick(['POST', 'POST', 'GET']), `${C}/workers${r.chance(0.9) ? '/cleanup' : ''}`, 'workers-cleanup',
        Object.fromEntries(Object.entries({ is_up: r.pick([true, 'false', 'maybe', null]), host: r.pick(['localhost', 'nohost', 'a b', null]), binary: r.pick(['cinder-volume', 'cinder-scheduler', null, 5]),
          service_id: r.pick([1, '1', '', 'x', '9'.repeat(12)]), resource_type: r.pick(['volume', 'backup', '', 'x'.repeat(50)]), resource_id: r.pick([r.uuid(), 'x', null]), disabled: r.pick([false, 'yes']) })
          .filter(() => r.chance(0.4))),
        r.chance(0.8) ? `3.${r.int(20, 70)}` : undefined)],
      // Run-time log levels (3.32): odd binaries, servers, prefixes and levels; no prefix that sets every logger.
      [1, () => this.make('cinder', user, r.pick(['PUT', 'PUT', 'GET']), `${C}/os-services/${r.pick(['set-log', 'get-log'])}`, 'services-log',
        Object.fromEntries(Object.entries({ binary: r.pick(['*', '', 'cinder-volume', 'cinder-api', 'cinder-backup', 'nova-api', 5]), server: r.pick(['localhost', 'localhost@fake', 'nohost', null, 7]),
          prefix: r.pick(['no.such.logger', 'cinder-volume.manager', null, 5, 'é'.repeat(300)]), level: r.pick(['INFO', 'debug', 'TRACE', null, 7, '']) }).filter(() => r.chance(0.6))),
        r.chance(0.8) ? `3.${r.int(28, 70)}` : undefined)],
      [1, () => this.make('cinder', user, r.pick(['GET', 'GET', 'POST']), `${C}/${r.pick(['capabilities/localhost@fake', 'capabilities/localhost', 'capabilities/nohost',
        'capabilities/%23', 'capabilities', 'resource_filters', 'resource_filters?resource=volume', 'resource_filters?resource=%00', 'clusters', 'clusters/detail?is_up=x',
        'clusters/c1', 'clusters?frozen=1'])}`, 'capabilities', undefined,
      r.chance(0.7) ? `3.${r.int(0, 70)}` : undefined)],
      [1, () => this.make('cinder', user, 'GET', r.pick(['/', '/v3', '/v3/', `${C}/limits`, `${C}/extensions`, `${C}/os-volume-exports`, '/v2', '/v1']), 'cinder-misc', undefined, r.chance(0.3) ? `3.${r.int(0, 70)}` : undefined)],
      [1, () => this.make('cinder', user, 'PUT', `${C}/clusters/${r.pick(['enable', 'disable', 'x'])}`, 'clusters-update',
        r.pick<unknown>([{ name: 'c1' }, { name: 'c1', binary: null, disabled_reason: '  ' }, {}, { name: 5 }]), r.chance(0.8) ? `3.${r.int(0, 70)}` : undefined)],
      [1, () => this.make('cinder', user, 'POST', `${C}/os-volume-exports/action`, 'exports-sync', { 'os-sync': r.pick([{}, null]) })],
      // Volume manage: objects an unmanage left, names of managed volumes or of nothing, odd hosts and bodies.
      [1, () => this.make('cinder', user, 'POST', `${C}/${r.pick(['os-volume-manage', 'manageable_volumes'])}`, 'volume-manage', { volume: {
        ref: r.weighted<unknown>([[3, { 'source-name': st.unmanaged.length ? r.pick(st.unmanaged) : `volume-${r.uuid()}` }], [1, { 'source-name': `volume-${this.volume(user)}` }],
          [1, { 'source-name': `volume-${r.uuid()}` }], [1, { 'source-name': r.pick(['snapshot-x', '../etc', '', 5]) }], [1, 'volume-x'], [1, {}]]),
        ...(r.chance(0.9) ? { host: r.pick(['localhost@fake', 'localhost@fake#fake', 'nowhere@fake', '', 'a b']) } : {}), ...(r.chance(0.2) ? { cluster: r.pick(['c1', '']) } : {}),
        ...(r.chance(0.3) ? { name: r.pick(['m', '  ', null, 'é'.repeat(300)]) } : {}), ...(r.chance(0.2) ? { volume_type: r.pick(['__DEFAULT__', ...st.types, 'nope']) } : {}),
        ...(r.chance(0.1) ? { bootable: r.pick([true, 'maybe']) } : {}), ...(r.chance(0.1) ? { metadata: r.pick<unknown>([{ a: 'b' }, { a: 1 }]) } : {}),
      } }, r.chance(0.7) ? `3.${r.int(0, 70)}` : undefined)],
      // Volume transfers: offers made, listed, withdrawn, and taken with keys that are mostly wrong.
      [2, () => this.make('cinder', user, 'POST', `${C}/${r.pick(['os-volume-transfer', 'volume-transfers'])}`, 'transfer-create',
        { transfer: { volume_id: this.volume(user), ...(r.chance(0.5) ? { name: r.pick(['t', '  ', null, 'é'.repeat(300)]) } : {}), ...(r.chance(0.3) ? { no_snapshots: r.pick([true, 'x']) } : {}) } },
        r.chance(0.5) ? `3.${r.int(0, 70)}` : undefined)],
      [2, () => this.make('cinder', user, r.pick(['GET', 'GET', 'DELETE']), `${C}/${r.pick(['os-volume-transfer', 'volume-transfers'])}${r.pick(['', '/detail', `/${r.uuid()}`, '?name=t', '?all_tenants=1', '?limit=1&offset=1', '?marker=x'])}`,
        'transfer-get', undefined, r.chance(0.5) ? `3.${r.int(0, 70)}` : undefined)],
      // User messages (volumes no backend takes leave some): lists with odd queries, shows and deletes of unknown ids.
      [1, () => this.make('cinder', user, r.pick(['GET', 'GET', 'DELETE', 'POST']), `${C}/messages${r.pick(['', `/${r.uuid()}`, '/x', '?resource_uuid=x', '?bogus=1',
        '?limit=1&offset=1', '?marker=x', '?sort=event_id:asc', '?resource_uuid~=a', '?limit=x', '?all_tenants=1', '?sort_key=deleted&sort_dir=up'])}`,
      'messages', r.pick([undefined, {}, { message: {} }]), r.chance(0.8) ? `3.${r.int(0, 70)}` : undefined)],
      [1, () => this.make('cinder', user, 'POST', `${C}/os-volume-transfer/${r.uuid()}/accept`, 'transfer-accept', { accept: { auth_key: r.pick(['0123456789abcdef', 5, '']) } })],
      [1, () => this.make('cinder', user, r.pick(['GET', 'PUT', 'DELETE']), `${C}/types/${st.types.length ? r.pick(st.types) : r.uuid()}/extra_specs/${r.pick(['k', 'multiattach', '%F0%9F%98%80'])}`, 'type-extra-spec', { [r.pick(['k', 'multiattach'])]: 'v' })],
      [1, () => this.make('cinder', user, 'GET', `${C}/types/${st.types.length ? r.pick(st.types) : r.uuid()}/os-volume-type-access`, 'type-access-list')],
      // The embedded identity and image stub on nova-api's port.
      [1, () => ({ ...this.make('nova', user, 'POST', '/identity/v3/auth/tokens', 'identity-login', r.pick<unknown>([
        { auth: { identity: { methods: ['password'], password: { user: { name: r.pick(['admin', 'fuzzer', 'nobody']), domain: { name: 'Default' }, password: r.pick(['wrong', '']) } } },
          scope: { project: { name: r.pick(['admin', 'fuzzproject']), domain: { name: 'Default' } } } } },
        { auth: { identity: { methods: ['token'], token: { id: r.pick(['garbage', 'admin:admin', '']) } } } },
        { auth: { identity: { methods: 'password' } } }, { auth: {} }, {}])), root: true })],
      [1, () => ({ ...this.make('nova', user, 'GET', r.pick(['/identity', '/identity/v3', '/image', '/image/v2/images', `/image/v2/images/${r.pick([IMAGE, r.uuid()])}`]), 'root-misc'), root: true })],
    ];
    return r.weighted(ops)();
  }

  /** Spoil a valid request in one or two ways. */
  private spoil(req: FuzzRequest): void {
    const r = this.r;
    const n = r.chance(0.8) ? 1 : 2;
    for (let i = 0; i < n; i++) {
      const how = r.weighted<string>([[4, 'id'], [3, 'microversion'], [2, 'malformed'], [4, 'leaf'], [3, 'keys'], [2, 'nonobject'], [2, 'method'],
        [2, 'query'], [2, 'content-type'], [1, 'project'], [1, 'empty'], [1, 'huge'], [1, 'token']]);
      req.spoilt.push(how);
      switch (how) {
        case 'id': {
          const ids = req.path.match(/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/g);
          const bad = r.pick([r.uuid(), 'not-a-uuid', '1', pathSegment(r.pick(NASTY_STRINGS.slice(0, 12))), r.uuid().toUpperCase(), r.uuid().replace(/-/g, ''), '..', '%2e%2e', 'x'.repeat(600)]);
          if (ids) req.path = req.path.replace(r.pick(ids), bad);
          break;
        }
        case 'microversion':
          if (req.service === 'nova') req.headers[r.chance(0.8) ? 'X-OpenStack-Nova-API-Version' : 'OpenStack-API-Version'] = r.chance(0.8) ? mvNova(r) : `compute ${mvNova(r)}`;
          else req.headers['OpenStack-API-Version'] = mvCinder(r);
          break;
        case 'malformed':
          req.body = r.pick(MALFORMED_BODIES);
          req.headers['Content-Type'] ??= 'application/json';
          break;
        case 'leaf':
          req.body = JSON.stringify(req.body !== undefined && parses(req.body) ? spoilLeaf(r, JSON.parse(req.body)) : r.pick(NASTY_VALUES));
          req.headers['Content-Type'] = 'application/json';
          break;
        case 'keys':
          if (req.body !== undefined && parses(req.body)) req.body = JSON.stringify(dropOrAddKey(r, JSON.parse(req.body)));
          break;
        case 'nonobject':
          req.body = JSON.stringify(r.pick([[], 1, 'str', null, true, [{}], { '': {} }]));
          req.headers['Content-Type'] = 'application/json';
          break;
        case 'method':
          req.method = r.pick(METHODS);
          break;
        case 'query':
          req.path += (req.path.includes('?') ? '&' : '?') + r.pick(QUERIES);
          break;
        case 'content-type': {
          const t = r.pick(CONTENT_TYPES);
          if (t) req.headers['Content-Type'] = t; else delete req.headers['Content-Type'];
          if (req.body === undefined) req.body = '{}';
          break;
        }
        case 'project':
          if (req.service === 'cinder') req.path = req.path.replace(/^\/v3\/[^/]+/, `/v3/${r.pick([this.st.projects.admin, this.st.projects.member, 'x', r.uuid()])}`);
          else req.path = `/${r.pick([this.st.projects.admin, this.st.projects.member])}${req.path}`;
          break;
        case 'token':
          req.token = r.pick([null, '', 'garbage', 'a.b', 'eyJ4IjoxfQ.AAAA', 'x'.repeat(5000), '\u00e9t\u00e9']);
          break;
        case 'empty':
          req.body = r.pick(['', ' ', '{}']);
          break;
        case 'huge':
          if (req.body !== undefined) req.body = req.body.replace(/\d+/, r.pick(['1'.repeat(400), '-9223372036854775809', '1e308', '18446744073709551616']));
          break;
      }
    }
  }
}
