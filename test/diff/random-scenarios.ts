// Seeded random request sequences for scripts/cinder-diff.sh --random: walks that take the
// volumes they create through the legacy attach, the attachments API, extends, resets and
// deletes, with good requests and the same requests spoilt by the REST fuzzer's generators
// (scripts/fuzz/requests.ts). Scenario k of seed s draws from its own stream, so
// `--only '^random-s-k$'` replays it alone. Nothing depends on time: each create (volume,
// attachment, type, os-attach) starts in a second of its own (lists order by created_at, then
// id), no reset leaves a volume in a status that settles by itself, and what is global (types,
// quota classes) is named after the seed.
import { Prng } from '../../scripts/fuzz/prng';
import { CONTENT_TYPES, MALFORMED_BODIES, NASTY_VALUES, QUERIES, dropOrAddKey, mvCinder, spoilLeaf } from '../../scripts/fuzz/requests';
import { CONNECTOR, SERVER, type Scenario, type Step } from './scenarios';

/** At most this many random requests in one run. */
export const MAX_STEPS = 5000;
/** Requests per scenario (a project of its own, so quotas and lists start empty). */
const PER_SCENARIO = 60;
const MISSING = 'aaaaaaaa-bbbb-4ccc-8ddd-eeeeeeeeeeee';
// The legacy attach's server and host, apart from the attachments API's (SERVER, CONNECTOR.host):
// an os-attach that finds an attachment of its server or host left attaching finishes it here
// (self-healing), where Cinder only sets the volume in-use (deliberate).
const LEGACY_SERVER = '22222222-3333-4444-8555-666666666666';
const LEGACY_HOST = 'difflegacy';
const NAMES = ['alpha', 'Beta', 'gamma', 'beta', '', ' ', 'x'.repeat(255), 'é'.repeat(255), 'x'.repeat(256), 'ünïcödé', '<script>', 'null', 'a b'];
const STATUSES = ['available', 'error', 'in-use', 'reserved', 'attaching', 'detaching', 'maintenance', 'error_extending', 'error_deleting',
  'AVAILABLE', 'bogus', ''];
// The fuzzer's queries, less the sorts by id (ids differ between the two sides) and every
// project's lists (what other runs left differs).
const LIST_QUERIES = [...QUERIES.filter((q) => !/sort(_key)?=[^&]*\bid\b|all_tenants=1/.test(q)),
  'name=alpha', 'name=beta', 'status=available', 'status=in-use', 'size=1', 'bootable=true', 'bootable=maybe', 'metadata={"k":"a"}',
  'sort=name:asc', 'sort=size:desc,name:asc', 'sort=status', 'sort_key=size&sort_dir=asc', 'limit=1', 'limit=2&offset=1', 'offset=1',
  'marker={v1}', 'marker={v2}&sort=size:asc', 'with_count=true', 'with_count=true&limit=1', 'all_tenants=0', 'created_at=gt:2000-01-01',
  'created_at=lt:2000-01-01T00:00:00Z', 'updated_at=bogus:1', 'name~=a', 'migration_status=none', 'attach_status=attached', 'project_id={p}'];
const ATTACHMENT_QUERIES = ['', 'volume_id={v1}', `instance_id=${SERVER}`, 'status=reserved', 'attach_status=attached', 'limit=1', 'offset=1',
  'sort=created_at:asc', 'marker={a1}', 'bogus=1', 'limit=x'];
// The fuzzer's broken bodies, less the one over the body size limit (a deliberate difference the fixed list has).
const MALFORMED = MALFORMED_BODIES.filter((b) => b.length < 100_000);
const ACTIONS = ['os-reserve', 'os-unreserve', 'os-begin_detaching', 'os-roll_detaching', 'os-initialize_connection', 'os-terminate_connection',
  'os-attach', 'os-detach', 'os-extend', 'os-reset_status', 'os-set_bootable', 'os-update_readonly_flag', 'os-force_detach', 'os-force_delete',
  'os-retype', 'os-set_image_metadata', 'os-unset_image_metadata', 'os-show_image_metadata'];

// What Cinder's utf8 tables cannot hold, in a JSON text: a character outside the BMP, or a lone
// surrogate (JSON.stringify writes it as an escape).
const UNSTORABLE = /[\u{10000}-\u{10FFFF}]|\\ud[89a-f][0-9a-f]{2}/iu;
const storable = (text: string): string => text.replace(/[\u{10000}-\u{10FFFF}]/gu, '\u2603').replace(/\\ud[89a-f][0-9a-f]{2}/gi, '\\u2603');

export function randomScenarios(seed: number, steps: number): Scenario[] {
  const total = Math.max(1, Math.min(MAX_STEPS, Math.floor(steps)));
  const out: Scenario[] = [];
  for (let k = 0; k * PER_SCENARIO < total; k++) out.push(new Walk(seed, k).play(Math.min(PER_SCENARIO, total - k * PER_SCENARIO)));
  return out;
}

class Walk {
  private readonly r: Prng;
  private readonly steps: Step[] = [];
  private readonly vols: string[] = [];
  private readonly atts: string[] = [];
  private readonly types: string[] = [];
  private readonly transfers: string[] = [];
  private readonly qosSpecs: string[] = [];
  private readonly snaps: string[] = [];
  /** Types no backend takes (volume_backend_name nowhere), and the volumes made with one: never scheduled, no host. */
  private readonly nowhere = new Set<string>();
  private readonly unhosted = new Set<string>();
  private sent = 0;
  private budget = 0;

  constructor(private readonly seed: number, private readonly k: number) {
    this.r = new Prng((seed ^ Math.imul(k + 1, 0x9e3779b1)) >>> 0);
  }

  play(budget: number): Scenario {
    this.budget = budget;
    const r = this.r;
    while (this.sent < this.budget) {
      const ops: Array<readonly [number, () => void]> = [
        [this.vols.length < 2 ? 12 : this.vols.length < 5 ? 3 : 0.5, () => this.create()],
        [4, () => this.emit({ method: 'GET', path: `/v3/{p}/volumes/${this.vol()}`, mv: this.mv() })],
        [4, () => this.list()],
        [2, () => this.update()],
        [2, () => this.remove()],
        [16, () => this.single(r.pick(ACTIONS))],
        [5, () => this.legacyFlow()],
        [5, () => this.attachmentFlow()],
        [3, () => this.attachmentOne()],
        [3, () => this.metadata()],
        [2, () => this.type()],
        [2, () => this.quota()],
        [2, () => this.transfer()],
        [1.5, () => this.qos()],
        [1, () => this.encryption()],
        [2, () => this.snapshot()],
        [1, () => this.emit({ method: 'GET', path: `/v3/{p}/messages?resource_uuid=${this.vol()}${r.pick(['', '&limit=1', '&sort=event_id:asc'])}`,
          mv: r.pick(['3.5', '3.31', '3.70', this.mv(5)]) })],
        [1, () => this.emit({ method: 'GET', path: r.pick(['/', '/v3/', '/v3/{p}/limits', '/v3/{p}/os-availability-zone', '/v3/{p}/volumes/summary',
          '/v3/{p}/os-services?binary=cinder-volume', '/v3/{p}/os-quota-class-sets/default']), mv: this.mv() })],
      ];
      r.weighted(ops)();
    }
    return { name: `random-${this.seed}-${this.k}`, steps: [...this.steps, ...this.cleanup()] };
  }

  /** A microversion: mostly none or a good one, sometimes the fuzzer's bad ones. */
  private mv(lo = 0): string | undefined {
    const r = this.r;
    return r.weighted<string | undefined>([[4, undefined], [5, `3.${r.int(lo, 70)}`], [1, mvCinder(r)]]);
  }

  /** One of the volumes made so far (deleted ones too), or an unknown id. */
  private vol(): string {
    return this.vols.length && this.r.chance(0.93) ? `{${this.r.pick(this.vols)}}` : this.r.pick([MISSING, 'not-a-uuid']);
  }

  private att(): string {
    return this.atts.length && this.r.chance(0.9) ? `{${this.r.pick(this.atts)}}` : MISSING;
  }

  private label(path: string): string | undefined {
    return /\{(v\d+)\}/.exec(path)?.[1];
  }

  /** Adds a request, spoilt now and then; records the state of the volume it names. */
  private emit(step: Step, spoil = 0.25): void {
    if (this.sent >= this.budget) return;
    let s = { ...step };
    if (this.r.chance(spoil)) {
      this.spoil(s);
      // Over the body size limit both answer 413, in two shapes: a deliberate difference the fixed list has.
      if ((s.raw ?? JSON.stringify(s.body) ?? '').length > 100_000) s = { ...step };
    }
    // A character outside the BMP or a lone surrogate is stored here (a surrogate as U+FFFD) and a
    // 500 in Cinder (deliberate): the two sides would hold different rows for the rest of the
    // walk. Replaced after the draws, so the walks stay as they were.
    const text = s.raw ?? JSON.stringify(s.body);
    if (text !== undefined && UNSTORABLE.test(text)) {
      if (s.raw !== undefined) s.raw = storable(s.raw);
      else s.body = JSON.parse(storable(text));
    }
    // fetch sends no body with GET or HEAD.
    if (s.method === 'GET' || s.method === 'HEAD') {
      delete s.body;
      delete s.raw;
    }
    // A connection of a volume no backend has is Cinder's cast to whichever backend takes it
    // (it answers 200, and attaches); ours refuses it (docs/differences.md). The walk looks at
    // the volume instead, so the two sides do not drift apart for the rest of it.
    if (this.connectsUnhosted(s)) s = { method: 'GET', path: `/v3/{p}/volumes/{${this.label(s.path) ?? 'v0'}}` };
    s.state ??= this.label(s.path);
    this.steps.push(s);
    this.sent++;
  }

  private connectsUnhosted(s: Step): boolean {
    const label = this.label(s.path);
    const body = s.body && typeof s.body === 'object' ? s.body as Record<string, unknown> : {};
    if (label && this.unhosted.has(label)) return ['os-initialize_connection', 'os-terminate_connection', 'os-attach', 'os-detach'].some((k) => k in body);
    const att = body.attachment && typeof body.attachment === 'object' ? body.attachment as Record<string, unknown> : null;
    const vol = typeof att?.volume_uuid === 'string' ? /^\{(v\d+)\}$/.exec(att.volume_uuid)?.[1] : undefined;
    return !!(vol && this.unhosted.has(vol) && att?.connector);
  }

  /** One of the fuzzer's spoilers, on the body, headers, method, path or query. */
  private spoil(s: Step): void {
    const r = this.r;
    const how = r.weighted<string>([[3, 'microversion'], [2, 'malformed'], [4, 'leaf'], [3, 'keys'], [2, 'nonobject'], [1, 'method'],
      [2, 'query'], [2, 'content-type'], [2, 'id'], [1, 'empty'], [1, 'huge']]);
    const json = (): string => (s.body === undefined ? '{}' : JSON.stringify(s.body));
    switch (how) {
      case 'microversion': s.mv = mvCinder(r); break;
      case 'malformed': s.raw = r.pick(MALFORMED); s.headers = { ...s.headers, 'Content-Type': 'application/json' }; break;
      case 'leaf': s.body = spoilLeaf(r, s.body); break;
      case 'keys': s.body = dropOrAddKey(r, s.body); break;
      case 'nonobject': s.body = r.pick<unknown>([[], 1, 'str', null, true, [{}], { '': {} }]); break;
      case 'method': s.method = r.pick(['GET', 'POST', 'PUT', 'DELETE', 'PATCH']); break;
      case 'query': s.path += (s.path.includes('?') ? '&' : '?') + r.pick(LIST_QUERIES); break;
      case 'content-type': {
        const t = r.pick(CONTENT_TYPES);
        s.raw = json();
        s.headers = t ? { ...s.headers, 'Content-Type': t } : s.headers;
        break;
      }
      case 'id': s.path = s.path.replace(/\{[va]\d+\}|[0-9a-f-]{36}/, r.pick([r.uuid(), 'not-a-uuid', '1', r.uuid().toUpperCase(), r.uuid().replace(/-/g, ''), 'x'.repeat(300)])); break;
      case 'empty': s.raw = r.pick(['', ' ', '{}']); s.headers = { ...s.headers, 'Content-Type': 'application/json' }; break;
      case 'huge': s.raw = json().replace(/\d+/, r.pick(['1'.repeat(400), '-9223372036854775809', '1e308', '18446744073709551616'])); break;
    }
  }

  /** The next request starts in a second of its own: lists order by created_at, then by id (which differ). */
  private tick(): void {
    if (this.sent < this.budget) this.steps.push({ method: 'GET', path: '', nextSecond: true });
  }

  private create(): void {
    const r = this.r;
    const label = `v${this.vols.length + 1}`;
    const volume: Record<string, unknown> = { size: r.weighted([[6, 1], [3, 2], [1, 3]] as const) };
    if (r.chance(0.6)) volume[r.pick(['name', 'display_name'])] = r.pick(NAMES);
    if (r.chance(0.3)) volume.description = r.pick(NAMES);
    if (r.chance(0.3)) volume.metadata = r.pick<unknown>([{ k: 'a' }, { k: 'c', x: '1' }, {}, { readonly: 'True' }]);
    if (r.chance(0.15)) volume.volume_type = this.types.length && r.chance(0.7) ? `{${r.pick(this.types)}}` : r.pick(['__DEFAULT__', 'nope']);
    if (r.chance(0.1)) volume.multiattach = r.pick([true, false]);
    if (r.chance(0.1)) volume.availability_zone = r.pick(['nova', 'bogus']);
    // A clone of one of the walk's volumes (its size given or not).
    if (this.vols.length && r.chance(0.12)) {
      volume.source_volid = this.vol();
      if (r.chance(0.5)) delete volume.size;
    }
    // Or from one of the walk's snapshots.
    if (this.snaps.length && !volume.source_volid && r.chance(0.1)) {
      volume.snapshot_id = this.snap();
      if (r.chance(0.5)) delete volume.size;
    }
    this.tick();
    this.emit({ method: 'POST', path: '/v3/{p}/volumes', body: { volume }, mv: this.mv(), save: [label, 'volume.id'], state: label }, 0.2);
    if (typeof volume.volume_type === 'string' && this.nowhere.has(volume.volume_type.replace(/^\{|\}$/g, ''))) this.unhosted.add(label);
    this.vols.push(label);
  }

  private list(): void {
    const r = this.r;
    const path = r.pick(['/v3/{p}/volumes', '/v3/{p}/volumes/detail', '/v3/{p}/volumes/summary']);
    const q = r.chance(0.75) ? `?${r.pick(LIST_QUERIES)}${r.chance(0.3) ? `&${r.pick(LIST_QUERIES)}` : ''}` : '';
    this.emit({ method: 'GET', path: path + q, mv: this.mv() }, 0.05);
  }

  private update(): void {
    const r = this.r;
    const volume: Record<string, unknown> = {};
    for (const key of ['name', 'description', 'display_name', 'display_description']) if (r.chance(0.3)) volume[key] = r.pick([...NAMES, null]);
    if (r.chance(0.2)) volume.metadata = r.pick<unknown>([{ k: 'b' }, {}, { readonly: 'False' }]);
    this.emit({ method: 'PUT', path: `/v3/{p}/volumes/${this.vol()}`, body: { volume }, mv: this.mv() });
  }

  private remove(): void {
    const r = this.r;
    const q = r.weighted([[6, ''], [1, '?cascade=true'], [1, '?force=true'], [1, '?cascade=maybe']] as const);
    this.emit({ method: 'DELETE', path: `/v3/{p}/volumes/${this.vol()}${q}`, mv: q.includes('force') ? r.pick(['3.23', '3.0']) : this.mv() }, 0.1);
  }

  private body(name: string): unknown {
    const r = this.r;
    switch (name) {
      case 'os-initialize_connection': return { connector: r.chance(0.9) ? CONNECTOR : {} };
      case 'os-terminate_connection': return { connector: CONNECTOR, ...(r.chance(0.2) ? { force: true } : {}) };
      case 'os-attach': return {
        ...(r.chance(0.8) ? { instance_uuid: r.chance(0.8) ? LEGACY_SERVER : r.uuid() } : { host_name: LEGACY_HOST }),
        mountpoint: r.pick(['/dev/vdb', '/dev/vdc']), ...(r.chance(0.3) ? { mode: r.pick(['rw', 'ro']) } : {}) };
      case 'os-detach': return this.atts.length && r.chance(0.2) ? { attachment_id: this.att() } : {};
      case 'os-extend': return { new_size: r.weighted([[6, r.int(2, 5)], [1, 1], [1, 0], [1, 100000]] as const) };
      case 'os-reset_status': return {
        ...(r.chance(0.9) ? { status: r.pick(STATUSES) } : {}), ...(r.chance(0.4) ? { attach_status: r.pick(['detached', 'attached', 'nope']) } : {}),
        ...(r.chance(0.1) ? { migration_status: r.pick(['migrating', 'none', 'error']) } : {}) };
      case 'os-set_bootable': return { bootable: r.pick([true, false, 'true', 'False', 'maybe', 1]) };
      case 'os-update_readonly_flag': return { readonly: r.pick([true, false, 'False', 'true', 2]) };
      // Only the default type exists here: the same type, unknown ones, and bad bodies.
      case 'os-retype': return r.chance(0.9)
        ? { new_type: r.pick(['__DEFAULT__', 'nope', r.uuid()]), ...(r.chance(0.5) ? { migration_policy: r.pick(['never', 'on-demand', null, 'x']) } : {}) }
        : r.pick([{}, { new_type: 1 }, null]);
      case 'os-set_image_metadata': return { metadata: r.pick<unknown>([{ image_name: 'cirros' }, { hw_disk_bus: 'scsi', Image_Name: 'x' }, {}, { k: 1 }]) };
      case 'os-unset_image_metadata': return { key: r.pick(['image_name', 'IMAGE_NAME', 'hw_disk_bus', '']) };
      case 'os-force_detach': return { ...(r.chance(0.6) ? { attachment_id: this.att() } : {}), ...(r.chance(0.5) ? { connector: CONNECTOR } : {}) };
      default: return r.chance(0.8) ? null : {};
    }
  }

  private act(vol: string, name: string, spoil = 0.25): void {
    // An os-attach makes an attachment: in a second of its own (no draw, so walks stay as they were).
    if (name === 'os-attach') this.tick();
    const mv = name === 'os-extend' && this.r.chance(0.5) ? '3.42' : this.mv();
    this.emit({ method: 'POST', path: `/v3/{p}/volumes/${vol}/action`, body: { [name]: this.body(name) }, mv }, spoil);
  }

  /**
   * One action on one volume. A detach of a volume that was never attached keeps its
   * reservation here and frees it in Cinder (deliberate): a reset after a lone detach puts both
   * sides back in step, or the rest of the scenario would not compare.
   */
  private single(name: string): void {
    this.lone(this.vol(), name);
  }

  /** An action on v and, after a detach, the reset that puts the two sides back in step (see single). */
  private lone(v: string, name: string, spoil = 0.25): void {
    this.act(v, name, spoil);
    if (name === 'os-detach' || name === 'os-force_detach') {
      this.emit({ method: 'POST', path: `/v3/{p}/volumes/${v}/action`, body: { 'os-reset_status': { status: 'available' } } }, 0);
    }
  }

  /**
   * Cinder's legacy attach and detach on one volume, cut short or with a step repeated or
   * skipped now and then. A flow that detaches attaches to a host, not a server: detaching a
   * server's connected attachment asks Nova, which the real Cinder here has not (a 500, a
   * deliberate difference, after which the two sides' volumes no longer compare).
   */
  private legacyFlow(): void {
    const r = this.r;
    const v = this.vol();
    const flow = ['os-reserve', 'os-initialize_connection', 'os-attach', 'os-begin_detaching', 'os-terminate_connection', 'os-detach', 'os-unreserve'];
    const end = r.chance(0.6) ? flow.length : r.int(1, flow.length);
    const host = end > 4;
    let attached = false;
    for (const name of flow.slice(0, end)) {
      // A detach of a volume never attached keeps its reservation here, not in Cinder (deliberate): the rest would not compare.
      if (name === 'os-detach' && !attached) continue;
      if (r.chance(0.08)) continue;
      if (name === 'os-attach') attached = true;
      // An intruding detach may find nothing attached yet: reset as after a lone one.
      if (r.chance(0.1)) this.lone(v, r.pick(ACTIONS), 0.1);
      if (name === 'os-attach') this.tick();
      const body = name === 'os-attach' && host ? { host_name: LEGACY_HOST, mountpoint: '/dev/vdb' } : this.body(name);
      this.emit({ method: 'POST', path: `/v3/{p}/volumes/${v}/action`, body: { [name]: body }, mv: this.mv() }, 0.08);
      if (r.chance(0.08)) this.act(v, name, 0.08);
      // The attach may have failed (a spoilt request): an unreserve after the detach frees what
      // our detach kept reserved (see single), on both sides alike.
      if (name === 'os-detach') {
        this.emit({ method: 'POST', path: `/v3/{p}/volumes/${v}/action`, body: { 'os-unreserve': null } }, 0);
        break;
      }
    }
  }

  /** An attachment for a server, or (server: false) for no server. */
  private attachmentBody(v: string, connector: boolean, server = this.r.chance(0.8)): unknown {
    const r = this.r;
    return { attachment: { volume_uuid: v, ...(server ? { instance_uuid: r.chance(0.9) ? SERVER : r.uuid() } : {}), ...(connector ? { connector: CONNECTOR } : {}),
      ...(r.chance(0.2) ? { mode: r.pick(['rw', 'ro', 'xx']) } : {}) } };
  }

  /** The attachments API's create, update, complete and delete on one volume. */
  private attachmentFlow(): void {
    const r = this.r;
    const v = this.vol();
    const vol = this.label(v);
    const a = `a${this.atts.length + 1}`;
    const mv = r.pick(['3.27', '3.44', '3.54', '3.70', `3.${r.int(27, 70)}`]);
    const withConnector = r.chance(0.3);
    const end = r.int(1, 4);
    // Deleting (or detaching, or terminating the connection of) a server's connected attachment
    // asks Nova (see legacyFlow), whoever does it later: a connected attachment is for no server.
    const deletes = end > 3 || r.chance(0.3);
    const server = !(withConnector || end > 1) && r.chance(0.8);
    this.tick();
    this.emit({ method: 'POST', path: '/v3/{p}/attachments', mv, body: this.attachmentBody(v, withConnector, server), save: [a, 'attachment.id'], state: vol }, 0.1);
    this.atts.push(a);
    if (end > 1 && !withConnector) this.emit({ method: 'PUT', path: `/v3/{p}/attachments/{${a}}`, mv, body: { attachment: { connector: CONNECTOR } }, state: vol }, 0.1);
    if (end > 2) this.emit({ method: 'POST', path: `/v3/{p}/attachments/{${a}}/action`, mv: r.pick([mv, '3.44', '3.70']), body: { 'os-complete': null }, state: vol }, 0.1);
    if (deletes) this.emit({ method: 'DELETE', path: `/v3/{p}/attachments/{${a}}`, mv, state: vol }, 0.05);
  }

  private attachmentOne(): void {
    const r = this.r;
    const mv = r.weighted([[8, `3.${r.int(27, 70)}`], [1, '3.26'], [1, mvCinder(r)]] as const);
    const a = this.att();
    r.weighted<() => void>([
      [3, () => this.emit({ method: 'GET', path: `/v3/{p}/attachments${r.pick(['', '/detail'])}${(q => (q ? `?${q}` : ''))(r.pick(ATTACHMENT_QUERIES))}`, mv }, 0.05)],
      [2, () => this.emit({ method: 'GET', path: `/v3/{p}/attachments/${a}`, mv })],
      [2, () => {
        this.tick();
        const v = this.vol();
        const connector = r.chance(0.5);
        const body = this.attachmentBody(v, connector) as { attachment: Record<string, unknown> };
        // A connected attachment is for no server (see attachmentFlow); dropped after the draws, so the walks stay as they were.
        if (connector) delete body.attachment.instance_uuid;
        this.emit({ method: 'POST', path: '/v3/{p}/attachments', mv, body });
      }],
      [2, () => this.emit({ method: 'PUT', path: `/v3/{p}/attachments/${a}`, mv, body: { attachment: { connector: r.chance(0.8) ? CONNECTOR : {} } } })],
      [1, () => this.emit({ method: 'POST', path: `/v3/{p}/attachments/${a}/action`, mv, body: { 'os-complete': null } })],
      [2, () => this.emit({ method: 'DELETE', path: `/v3/{p}/attachments/${a}`, mv })],
    ])();
  }

  private metadata(): void {
    const r = this.r;
    const m = `/v3/{p}/volumes/${this.vol()}/metadata`;
    const key = r.pick(['k', 'x', 'readonly', 'K', 'attached_mode']);
    const meta = (): Record<string, unknown> => ({ [r.pick(['k', 'x', 'y', 'readonly'])]: r.pick(['a', 'b', '1', 'True']) });
    r.weighted<() => void>([
      [2, () => this.emit({ method: 'GET', path: m, mv: this.mv() })],
      [2, () => this.emit({ method: 'POST', path: m, body: { metadata: meta() } })],
      [1, () => this.emit({ method: 'PUT', path: m, body: { metadata: meta() } })],
      [1, () => this.emit({ method: 'GET', path: `${m}/${key}` })],
      [1, () => this.emit({ method: 'PUT', path: `${m}/${key}`, body: { meta: { [key]: r.pick(['a', 'z']) } } })],
      [1, () => this.emit({ method: 'DELETE', path: `${m}/${key}` })],
    ])();
  }

  /** Volume types named after the seed (types are global), their extra specs (scoped: no scheduler filter reads them) and access. */
  private type(): void {
    const r = this.r;
    const t = '/v3/{p}/types';
    const one = this.types.length && r.chance(0.85) ? `{${r.pick(this.types)}}` : r.pick([MISSING, '__DEFAULT__']);
    r.weighted<() => void>([
      [this.types.length < 2 ? 3 : 0.3, () => {
        const label = `t${this.types.length + 1}`;
        this.tick();
        const specs = r.weighted([[6, {}], [3, { extra_specs: { 'diff:k': 'v' } }],
          // A backend no one has: a volume of this type goes to error, with a user message.
          [1, { extra_specs: { volume_backend_name: 'nowhere' } }]] as const);
        this.emit({ method: 'POST', path: t, save: [label, 'volume_type.id'], body: { volume_type: { name: `rt-${this.seed}-${this.k}-${label}`,
          ...(r.chance(0.3) ? { description: r.pick(NAMES) } : {}), ...specs,
          ...(r.chance(0.2) ? { 'os-volume-type-access:is_public': r.pick([false, true, 'False']) } : {}) } } }, 0.15);
        if ((specs as { extra_specs?: Record<string, string> }).extra_specs?.volume_backend_name === 'nowhere') this.nowhere.add(label);
        this.types.push(label);
      }],
      [2, () => this.emit({ method: 'GET', path: `${t}${r.pick(['', '?is_public=all', '?sort=name:asc', '?limit=1', '?is_public=false'])}`, mv: this.mv() }, 0.05)],
      [2, () => this.emit({ method: 'GET', path: `${t}/${one}`, mv: this.mv() })],
      [1, () => this.emit({ method: 'PUT', path: `${t}/${one}`, body: { volume_type: { description: r.pick(NAMES) } } })],
      [1, () => this.emit({ method: r.pick(['GET', 'POST']), path: `${t}/${one}/extra_specs`, body: { extra_specs: { [r.pick(['diff:k', 'diff:x'])]: r.pick(['v', 'w']) } } })],
      [1, () => this.emit({ method: r.pick(['GET', 'PUT', 'DELETE']), path: `${t}/${one}/extra_specs/diff:k`, body: { 'diff:k': 'z' } })],
      [1, () => this.emit({ method: 'POST', path: `${t}/${one}/action`, body: { [r.pick(['addProjectAccess', 'removeProjectAccess'])]: { project: '{p}' } } })],
      [0.5, () => this.emit({ method: 'GET', path: `${t}/${one}/os-volume-type-access` })],
    ])();
  }

  private quota(): void {
    const r = this.r;
    const q = '/v3/{p}/os-quota-sets/{p}';
    r.weighted<() => void>([
      [3, () => this.emit({ method: 'GET', path: `${q}${r.pick(['', '?usage=true', '/defaults', '?usage=maybe'])}`, mv: this.mv() })],
      [2, () => this.emit({ method: 'PUT', path: q, body: { quota_set: { [r.pick(['volumes', 'gigabytes', 'per_volume_gigabytes', 'bogus'])]:
        r.pick<unknown>([5, 20, 1000, -1, 0, -2, r.pick(NASTY_VALUES)]) } } })],
      [0.5, () => this.emit({ method: 'DELETE', path: q })],
      [1, () => this.emit({ method: r.pick(['GET', 'PUT']), path: `/v3/{p}/os-quota-class-sets/rq-${this.seed}-${this.k}`, body: { quota_class_set: { volumes: r.pick([7, -1, 'x']) } } })],
    ])();
  }

  /** QoS specs (global: named after the walk, force-deleted at its end): made, read, changed, associated with the walk's types. */
  private qos(): void {
    const r = this.r;
    const Q = '/v3/{p}/qos-specs';
    const one = this.qosSpecs.length && r.chance(0.85) ? `{${r.pick(this.qosSpecs)}}` : MISSING;
    const type = this.types.length && r.chance(0.8) ? `{${r.pick(this.types)}}` : r.pick([MISSING, '']);
    r.weighted<() => void>([
      [this.qosSpecs.length < 2 ? 3 : 0.3, () => {
        const label = `q${this.qosSpecs.length + 1}`;
        this.tick();
        this.emit({ method: 'POST', path: Q, save: [label, 'qos_specs.id'], body: { qos_specs: { name: `rq-${this.seed}-${this.k}-${label}`,
          consumer: r.pick(['front-end', 'back-end', 'both', 'bogus', null]), [r.pick(['total_iops_sec', 'read_bytes_sec_per_gb', 'diff:k'])]: r.pick(['10', '500', 'x', null]) } } }, 0.15);
        this.qosSpecs.push(label);
      }],
      [2, () => this.emit({ method: 'GET', path: `${Q}/${one}${r.pick(['', '/associations'])}` }, 0.05)],
      [1, () => this.emit({ method: 'GET', path: `${Q}?value=rq-${this.seed}-${this.k}-q1` }, 0.05)],
      [2, () => this.emit({ method: 'PUT', path: `${Q}/${one}`, body: { qos_specs: { [r.pick(['consumer', 'total_iops_sec', 'total_iops_sec_per_gb', 'diff:k'])]: r.pick(['front-end', 'both', '7', 'y', null]) } } })],
      [1, () => this.emit({ method: 'PUT', path: `${Q}/${one}/delete_keys`, body: { keys: r.pick([['total_iops_sec'], ['diff:k', 'total_iops_sec'], []]) } })],
      [2, () => this.emit({ method: 'GET', path: `${Q}/${one}/${r.pick(['associate', 'disassociate'])}?vol_type_id=${type}` }, 0.05)],
      [0.5, () => this.emit({ method: 'GET', path: `${Q}/${one}/disassociate_all` }, 0.05)],
      [0.5, () => this.emit({ method: 'DELETE', path: `${Q}/${one}${r.pick(['', '?force=true'])}` }, 0.05)],
    ])();
  }

  /** One of the snapshots made so far (deleted ones too), or an unknown id. */
  private snap(): string {
    return this.snaps.length && this.r.chance(0.9) ? `{${this.r.pick(this.snaps)}}` : MISSING;
  }

  /** Snapshots of the walk's volumes: made (in use with force or 3.66 too), read, listed, renamed, their metadata, their actions, deleted. */
  private snapshot(): void {
    const r = this.r;
    const S = '/v3/{p}/snapshots';
    const one = this.snap();
    const state = /\{(s\d+)\}/.exec(one)?.[1];
    r.weighted<() => void>([
      [this.snaps.length < 3 ? 3 : 0.5, () => {
        const label = `s${this.snaps.length + 1}`;
        const snapshot: Record<string, unknown> = { volume_id: this.vol() };
        if (r.chance(0.5)) snapshot[r.pick(['name', 'display_name'])] = r.pick(NAMES);
        if (r.chance(0.3)) snapshot.force = r.pick([true, false, 'yes']);
        if (r.chance(0.3)) snapshot.metadata = r.pick<unknown>([{ k: 'a' }, {}, null]);
        this.tick();
        this.emit({ method: 'POST', path: S, body: { snapshot }, mv: this.mv(), save: [label, 'snapshot.id'], snapState: label, state: this.label(String(snapshot.volume_id)) }, 0.15);
        this.snaps.push(label);
      }],
      [2, () => this.emit({ method: 'GET', path: `${S}/${one}`, mv: this.mv() }, 0.05)],
      [1, () => this.emit({ method: 'GET', path: `${S}${r.pick(['', '/detail'])}${r.pick(['', '?status=available', '?limit=1', '?sort=name:asc', '?with_count=true'])}`, mv: this.mv() }, 0.05)],
      [1, () => this.emit({ method: 'PUT', path: `${S}/${one}`, body: { snapshot: { [r.pick(['name', 'description', 'display_name'])]: r.pick(NAMES) } } })],
      [1, () => this.emit({ method: r.pick(['POST', 'PUT']), path: `${S}/${one}/metadata`, body: { metadata: r.pick<unknown>([{ k: 'v' }, {}, { a: '1', b: '2' }]) } })],
      [1, () => this.emit({ method: 'DELETE', path: `${S}/${one}`, snapState: state }, 0.05)],
      [0.5, () => this.emit({ method: 'POST', path: `${S}/${one}/action`, snapState: state, body: r.pick<unknown>([
        { 'os-reset_status': { status: r.pick(['available', 'error', 'creating', 'bogus']) } }, { 'os-force_delete': {} },
        { 'os-update_snapshot_status': { status: r.pick(['available', 'error', 'deleting']), progress: r.pick(['50%', '101%']) } }]) })],
    ])();
  }

  /** Encryption of the walk's types (a volume of an encrypted type is refused on both sides: no key manager). */
  private encryption(): void {
    const r = this.r;
    const type = this.types.length && r.chance(0.85) ? `{${r.pick(this.types)}}` : MISSING;
    const e = `/v3/{p}/types/${type}/encryption`;
    r.weighted<() => void>([
      [2, () => this.emit({ method: 'POST', path: e, body: { encryption: { provider: 'luks', control_location: r.pick(['front-end', 'back-end']),
        ...(r.chance(0.7) ? { cipher: r.pick(['aes-xts-plain64', null]) } : {}), ...(r.chance(0.7) ? { key_size: r.pick([256, '128', null]) } : {}) } } }, 0.2)],
      [2, () => this.emit({ method: 'GET', path: `${e}${r.pick(['', '/provider', '/cipher', '/nope'])}` }, 0.05)],
      [1, () => this.emit({ method: 'PUT', path: `${e}/x`, body: { encryption: { [r.pick(['cipher', 'key_size', 'provider'])]: r.pick(['aes-cbc', 512, 'plain']) } } })],
      [1, () => this.emit({ method: 'DELETE', path: `${e}/x` }, 0.05)],
    ])();
  }

  /** A transfer offer of one of the volumes, then mostly a look at it, its withdrawal or a wrong key. */
  private transfer(): void {
    const r = this.r;
    const vol = this.vol();
    const t = `t${this.transfers.length}`;
    this.transfers.push(t);
    const state = this.label(vol);
    this.emit({ method: 'POST', path: `/v3/{p}/${r.pick(['os-volume-transfer', 'volume-transfers'])}`, mv: this.mv(), save: [t, 'transfer.id'], state,
      body: { transfer: { volume_id: vol, ...(r.chance(0.5) ? { name: r.pick(['t', '  x  ', '']) } : {}), ...(r.chance(0.2) ? { no_snapshots: true } : {}) } } }, 0.15);
    const then = r.weighted<string>([[3, 'delete'], [2, 'show'], [2, 'wrong-key'], [1, 'list'], [2, 'none']]);
    if (then === 'delete') this.emit({ method: 'DELETE', path: `/v3/{p}/os-volume-transfer/{${t}}`, state }, 0.1);
    if (then === 'show') this.emit({ method: 'GET', path: `/v3/{p}/os-volume-transfer/{${t}}`, mv: this.mv() }, 0.1);
    if (then === 'wrong-key') this.emit({ method: 'POST', path: `/v3/{p}/os-volume-transfer/{${t}}/accept`, body: { accept: { auth_key: r.pick(['0123456789abcdef', 7]) } }, state }, 0.1);
    if (then === 'list') this.emit({ method: 'GET', path: `/v3/{p}/os-volume-transfer${r.pick(['', '/detail', '?name=t'])}`, mv: this.mv() }, 0.1);
  }

  /** Volumes out of the way (detached, deleted), then the QoS specs and the types: nothing global is left behind. */
  private cleanup(): Step[] {
    // Offers go with their volumes (volume_destroy), so the walk's reset and delete of each volume clear them too.
    const out: Step[] = [];
    // Snapshots first: each put back to available (one stuck creating would stop its volume's cascade), then deleted.
    for (const sn of this.snaps) {
      out.push({ method: 'POST', path: `/v3/{p}/snapshots/{${sn}}/action`, body: { 'os-reset_status': { status: 'available' } } },
        { method: 'DELETE', path: `/v3/{p}/snapshots/{${sn}}`, snapState: sn });
    }
    for (const v of this.vols) {
      out.push({ method: 'POST', path: `/v3/{p}/volumes/{${v}}/action`, body: { 'os-reset_status': { status: 'available', attach_status: 'detached' } }, state: v },
        { method: 'DELETE', path: `/v3/{p}/volumes/{${v}}?cascade=true`, state: v });
    }
    for (const q of this.qosSpecs) out.push({ method: 'DELETE', path: `/v3/{p}/qos-specs/{${q}}?force=true` });
    for (const t of this.types) out.push({ method: 'DELETE', path: `/v3/{p}/types/{${t}}` });
    return out;
  }
}
