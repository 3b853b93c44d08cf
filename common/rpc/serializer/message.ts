// The oslo.messaging body format shared by every driver: the 2.0 envelope, `_context_*`
// flattening and fresh `_unique_id`s. The fake driver uses it too, so unit tests exercise the
// exact bytes a Python peer sees.
import { randomUUID } from 'node:crypto';
import { MessagingError } from '../errors';

export type Dict = Record<string, unknown>;

const CONTEXT_PREFIX = '_context_';

/** uuid4 hex without dashes: `_msg_id`, `_unique_id`, queue suffixes. */
export function uuidHex(): string {
  // Slicing around the four fixed dashes is cheaper than a regex replace (several per call).
  const u = randomUUID();
  return u.slice(0, 8) + u.slice(9, 13) + u.slice(14, 18) + u.slice(19, 23) + u.slice(24);
}

/** Raised for bodies that are not an oslo message at all (bad JSON, not an object, bad envelope). */
export class MalformedMessage extends MessagingError {}

export function isDict(v: unknown): v is Dict {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Context as a plain dict: RequestContext-like objects expose toDict(). */
export function contextToDict(ctxt: unknown): Dict {
  if (ctxt === null || ctxt === undefined) return {};
  const withToDict = ctxt as { toDict?: () => Dict };
  if (typeof withToDict.toDict === 'function') return withToDict.toDict();
  if (isDict(ctxt)) return ctxt;
  throw new MessagingError('context must be a dict or have toDict()');
}

/** Adds `_context_<k>` keys to `msg` (in place). */
const prefixedKeys = new Map<string, string>();

export function packContext(msg: Dict, ctxt: Dict): Dict {
  for (const k in ctxt) {
    if (!Object.prototype.hasOwnProperty.call(ctxt, k)) continue;
    // Context keys come from a small fixed set: reuse the prefixed strings.
    let pk = prefixedKeys.get(k);
    if (pk === undefined) {
      pk = CONTEXT_PREFIX + k;
      if (prefixedKeys.size < 1024) prefixedKeys.set(k, pk);
    }
    msg[pk] = ctxt[k];
  }
  return msg;
}

/** The `_context_*` keys of an incoming message as a context dict; the message is left as is. */
export function contextOf(msg: Dict): Dict {
  const ctxt: Dict = {};
  for (const k in msg) {
    // '_' first: most keys are not context keys, and startsWith is dearer than a char code.
    if (k.charCodeAt(0) === 95 && k.startsWith(CONTEXT_PREFIX)) ctxt[k.slice(CONTEXT_PREFIX.length)] = msg[k];
  }
  return ctxt;
}

/** Splits `_context_*` keys off an incoming message (the message is modified in place). */
export function unpackContext(msg: Dict): Dict {
  const ctxt: Dict = {};
  for (const k of Object.keys(msg)) {
    if (k.startsWith(CONTEXT_PREFIX)) {
      ctxt[k.slice(CONTEXT_PREFIX.length)] = msg[k];
      delete msg[k];
    }
  }
  return ctxt;
}

/** Envelope 2.0: the inner message travels as a JSON string. */
export function encodeEnvelope(msg: Dict): Buffer {
  // The same bytes as stringify({'oslo.version': '2.0', 'oslo.message': inner}) without the
  // outer object.
  return Buffer.from(`{"oslo.version":"2.0","oslo.message":${JSON.stringify(JSON.stringify(msg))}}`);
}

/** Un-enveloped (1.0) body: still what the `messaging` notification driver sends. */
export function encodePlain(msg: Dict): Buffer {
  return Buffer.from(JSON.stringify(msg));
}

/** Parses a body; accepts the 2.0 envelope and the bare 1.0 dict like oslo's deserialize_msg. */
export function decodeBody(body: Buffer | string): Dict {
  let outer: unknown;
  try {
    outer = JSON.parse(typeof body === 'string' ? body : body.toString('utf8'));
  } catch (e) {
    throw new MalformedMessage(`Message is not valid JSON: ${(e as Error).message}`);
  }
  if (!isDict(outer)) throw new MalformedMessage('Message is not a JSON object');
  if (!('oslo.version' in outer && 'oslo.message' in outer)) return outer;
  const version = String(outer['oslo.version']);
  const [major, minor] = version.split('.').map((p) => Number.parseInt(p, 10));
  if (major !== 2 || !(minor <= 0)) {
    throw new MalformedMessage(`Unsupported envelope version ${version}`);
  }
  const raw = outer['oslo.message'];
  if (typeof raw !== 'string') throw new MalformedMessage('oslo.message is not a string');
  let inner: unknown;
  try {
    inner = JSON.parse(raw);
  } catch (e) {
    throw new MalformedMessage(`oslo.message is not valid JSON: ${(e as Error).message}`);
  }
  if (!isDict(inner)) throw new MalformedMessage('oslo.message is not a JSON object');
  return inner;
}

/** Last N `_unique_id`s seen by one listener (oslo keeps 16); a repeat is a redelivery. */
export class DuplicateFilter {
  private readonly ring: (string | undefined)[];
  private readonly seen = new Set<string>();
  private pos = 0;

  constructor(size = 16) {
    this.ring = new Array<string | undefined>(size);
  }

  /** True if `id` was seen recently; otherwise remembers it. Missing ids are never duplicates. */
  isDuplicate(id: unknown): boolean {
    if (typeof id !== 'string') return false;
    if (this.seen.has(id)) return true;
    const old = this.ring[this.pos];
    if (old !== undefined) this.seen.delete(old);
    this.ring[this.pos] = id;
    this.pos = (this.pos + 1) % this.ring.length;
    this.seen.add(id);
    return false;
  }
}
