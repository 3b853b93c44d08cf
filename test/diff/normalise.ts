// What two answers to the same request share once each side's own ids, times and URLs are
// taken out, and the differences between them (scripts/cinder-diff.sh, docs/differences.md).

// Bodies are whatever the services sent.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type Json = any;

const UUID = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/gi;
const TIME = /\b\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:\.\d+)?(?:Z|[+-]\d\d:\d\d)?/g;

/** One side's names for what it created: id → label (v1, a1, t1…), and its base URL. */
export class Side {
  readonly labels = new Map<string, string>();
  constructor(readonly name: string, readonly url: string) {}

  text(s: string): string {
    return s.split(this.url).join('<url>')
      .replace(UUID, (id) => this.labels.get(id.toLowerCase()) ?? '<uuid>')
      .replace(TIME, '<time>');
  }

  value(v: Json): Json {
    if (typeof v === 'string') return this.text(v);
    if (Array.isArray(v)) return v.map((x) => this.value(x));
    if (v && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [this.text(k), this.value(x)]));
    return v;
  }
}

export interface Answer {
  status: number;
  headers: Record<string, string>;
  body: Json;
  /** The volume's state after the step (GET /volumes/<id> at 3.0), when the step names one. */
  state?: Json;
}

export interface Difference {
  /** status | fault | message | keys | value | header | state */
  kind: string;
  /** Where: a JSON path, a header name or a state field. */
  at: string;
  ours: unknown;
  theirs: unknown;
}

/** The fault of an error body: {"<faultName>": {"code", "message"}}. */
function fault(body: Json): { name: string; message: unknown } | null {
  if (!body || typeof body !== 'object' || Array.isArray(body)) return null;
  const keys = Object.keys(body);
  if (keys.length !== 1) return null;
  const inner = body[keys[0]];
  if (!inner || typeof inner !== 'object' || !('message' in inner)) return null;
  return { name: keys[0], message: inner.message };
}

/** JSON with object keys sorted: key order is not a difference. */
function canonical(v: Json): Json {
  if (Array.isArray(v)) return v.map(canonical);
  if (v && typeof v === 'object') return Object.fromEntries(Object.keys(v).sort().map((k) => [k, canonical(v[k])]));
  return v;
}

const show = (v: unknown): string => JSON.stringify(canonical(v));

/** A list of resources shown by their ids (what matters when two lists differ in length). */
function brief(v: Json): Json {
  return Array.isArray(v) && v.every((x) => x && typeof x === 'object' && 'id' in x) ? v.map((x) => x.id) : v;
}

/** Differences of two normalised bodies, key shape and values, path by path. */
function bodyDiffs(a: Json, b: Json, at: string, out: Difference[]): void {
  const isObj = (x: Json): boolean => !!x && typeof x === 'object' && !Array.isArray(x);
  if (isObj(a) && isObj(b)) {
    const ka = Object.keys(a);
    const kb = Object.keys(b);
    const onlyOurs = ka.filter((k) => !(k in b)).sort();
    const onlyTheirs = kb.filter((k) => !(k in a)).sort();
    if (onlyOurs.length || onlyTheirs.length) out.push({ kind: 'keys', at: at || '.', ours: onlyOurs, theirs: onlyTheirs });
    for (const k of ka.filter((x) => x in b)) bodyDiffs(a[k], b[k], `${at}.${k}`, out);
    return;
  }
  if (Array.isArray(a) && Array.isArray(b) && a.length === b.length) {
    a.forEach((x, i) => bodyDiffs(x, b[i], `${at}[${i}]`, out));
    return;
  }
  if (show(a) !== show(b)) out.push({ kind: 'value', at: at || '.', ours: brief(a) ?? null, theirs: brief(b) ?? null });
}

/** The media type of a Content-Type (charset and spacing aside), or null. */
function mediaType(h: string | undefined): string | null {
  return h ? h.split(';')[0].trim().toLowerCase() : null;
}

/**
 * A volume's attachments (items with attachment_id) by server, host and device: Cinder lists
 * them in no set order (the random ids' order, on MySQL), ours by creation.
 */
export function sortVolumeAttachments(v: Json): Json {
  if (Array.isArray(v)) return v.map(sortVolumeAttachments);
  if (!v || typeof v !== 'object') return v;
  const out: Json = Object.fromEntries(Object.entries(v).map(([k, x]) => [k, sortVolumeAttachments(x)]));
  const list = out.attachments;
  if (Array.isArray(list) && list.every((a) => a && typeof a === 'object' && 'attachment_id' in a)) {
    const key = (a: Json): string => `${a.server_id}|${a.host_name}|${a.device}|${a.attachment_id}`;
    out.attachments = [...list].sort((x, y) => key(x).localeCompare(key(y)));
  }
  return out;
}

/**
 * What an attachment's DELETE answers: the volume's attachments left, which Cinder reads back
 * with no ORDER BY (on MySQL, the random ids' order); compared in any order.
 */
export function sortLeftAttachments(v: Json): Json {
  if (!v || typeof v !== 'object' || !Array.isArray(v.attachments)) return v;
  const key = (a: Json): string => JSON.stringify(canonical(a));
  return { ...v, attachments: [...v.attachments].sort((x, y) => key(x).localeCompare(key(y))) };
}

/**
 * The volume summary's metadata (3.36+): each key's distinct values, which Cinder's DISTINCT
 * query returns in no set order (on MySQL, its random volume ids' order); compared as sets.
 */
export function sortSummaryMetadata(v: Json): Json {
  const meta = v?.['volume-summary']?.metadata;
  if (!meta || typeof meta !== 'object' || Array.isArray(meta)) return v;
  const sorted = Object.fromEntries(Object.entries(meta).map(([k, x]) => [k, Array.isArray(x) ? [...x].sort() : x]));
  return { ...v, 'volume-summary': { ...v['volume-summary'], metadata: sorted } };
}

/**
 * A group's volume_types and volumes: Cinder loads them with no ORDER BY (on MySQL, the random
 * ids' order), ours by id; compared as sets.
 */
export function sortGroupLists(v: Json): Json {
  const one = (g: Json): Json => {
    if (!g || typeof g !== 'object' || Array.isArray(g)) return g;
    const out = { ...g };
    for (const k of ['volume_types', 'volumes']) if (Array.isArray(out[k])) out[k] = [...out[k]].sort();
    return out;
  };
  if (!v || typeof v !== 'object') return v;
  if (v.group) return { ...v, group: one(v.group) };
  if (Array.isArray(v.groups)) return { ...v, groups: v.groups.map(one) };
  return v;
}

/** unordered: the body's attachments are in no set order (an attachment's DELETE). */
export function compare(ours: Answer, theirs: Answer, o: Side, t: Side, opts: { unordered?: boolean } = {}): Difference[] {
  const out: Difference[] = [];
  if (ours.status !== theirs.status) out.push({ kind: 'status', at: 'status', ours: ours.status, theirs: theirs.status });
  for (const h of ['openstack-api-version', 'vary', 'etag']) {
    if ((ours.headers[h] ?? null) !== (theirs.headers[h] ?? null)) out.push({ kind: 'header', at: h, ours: ours.headers[h] ?? null, theirs: theirs.headers[h] ?? null });
  }
  // Request ids differ by nature: only whether each is sent (and that a location is sent).
  for (const h of ['x-openstack-request-id', 'x-compute-request-id', 'location']) {
    if ((h in ours.headers) !== (h in theirs.headers)) out.push({ kind: 'header', at: h, ours: h in ours.headers, theirs: h in theirs.headers });
  }
  const ct = [mediaType(ours.headers['content-type']), mediaType(theirs.headers['content-type'])];
  if (ct[0] !== ct[1]) out.push({ kind: 'header', at: 'content-type', ours: ct[0], theirs: ct[1] });
  const order = (v: Json): Json => (opts.unordered ? sortLeftAttachments(v) : v);
  const a = sortGroupLists(sortSummaryMetadata(order(sortVolumeAttachments(o.value(ours.body)))));
  const b = sortGroupLists(sortSummaryMetadata(order(sortVolumeAttachments(t.value(theirs.body)))));
  const fa = fault(a);
  const fb = fault(b);
  if (fa || fb) {
    if (fa?.name !== fb?.name) out.push({ kind: 'fault', at: 'fault', ours: fa?.name ?? null, theirs: fb?.name ?? null });
    else if (show(fa?.message) !== show(fb?.message)) out.push({ kind: 'message', at: 'message', ours: fa?.message ?? null, theirs: fb?.message ?? null });
  } else if (ours.status < 300 && theirs.status < 300) {
    bodyDiffs(a, b, '', out);
  }
  if (ours.state !== undefined || theirs.state !== undefined) {
    const sa = o.value(ours.state ?? null);
    const sb = t.value(theirs.state ?? null);
    for (const k of new Set([...Object.keys(sa ?? {}), ...Object.keys(sb ?? {})])) {
      if (show(sa?.[k]) !== show(sb?.[k])) out.push({ kind: 'state', at: k, ours: sa?.[k] ?? null, theirs: sb?.[k] ?? null });
    }
  }
  return out;
}
