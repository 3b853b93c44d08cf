// What every answer must satisfy: no 5xx, and each 4xx in the OpenStack fault format of the
// service that gave it — one key, the fault's name for the code, holding {code, message}.
// Names as Nova's and Cinder's wsgi Fault map them (anything unnamed is computeFault).

const FAULT_NAMES: Record<number, string> = {
  400: 'badRequest', 401: 'unauthorized', 403: 'forbidden', 404: 'itemNotFound', 405: 'badMethod',
  409: 'conflictingRequest', 413: 'overLimit', 415: 'badMediaType', 429: 'overLimit', 501: 'notImplemented',
  503: 'serviceUnavailable',
};

export interface Answer {
  status: number;
  /** The raw body text. */
  text: string;
  contentType: string;
}

/**
 * Why this answer breaks the rules, or null. `head`: a HEAD request (no body to check);
 * `glance`: the image stub's routes, which answer as Glance does (text/plain "404 Not Found…").
 */
export function violation(a: Answer, head: boolean, glance = false): string | null {
  if (a.status >= 500) return `${a.status} on user input`;
  if (a.status < 400 || head) return null;
  if (glance && /^text\/plain\b/i.test(a.contentType) && a.text.startsWith(`${a.status} `)) return null;
  if (!/^application\/json\b/i.test(a.contentType)) return `${a.status} with Content-Type '${a.contentType}', not JSON`;
  let body: unknown;
  try {
    body = JSON.parse(a.text);
  } catch {
    return `${a.status} with a body that is not JSON`;
  }
  if (!body || typeof body !== 'object' || Array.isArray(body)) return `${a.status} with a non-object body`;
  const keys = Object.keys(body);
  // keystonemiddleware's own 401 body: {"error": {"code": 401, "title": ..., "message": ...}}.
  if (a.status === 401 && keys.length === 1 && keys[0] === 'error') return null;
  const want = FAULT_NAMES[a.status] ?? 'computeFault';
  if (keys.length !== 1 || keys[0] !== want) return `${a.status} fault named ${JSON.stringify(keys)}, want ["${want}"]`;
  const inner = (body as Record<string, unknown>)[want] as Record<string, unknown> | null;
  if (!inner || typeof inner !== 'object') return `${a.status} fault ${want} is not an object`;
  if (inner.code !== a.status) return `${a.status} fault code ${JSON.stringify(inner.code)}`;
  if (typeof inner.message !== 'string' || inner.message === '') return `${a.status} fault without a message`;
  return null;
}
