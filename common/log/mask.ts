// Secret masking, after oslo_utils.strutils.mask_password: any value under a
// sensitive key (password, token, secret, CHAP auth) is replaced by '***'
// before a log line is written, whether it appears as JSON, key=value or a dict.

const SENSITIVE_KEYS = [
  'auth_password', 'password', 'admin_password', 'auth_token', 'x-auth-token', 'x-subject-token',
  'token', 'secret', 'provider_auth', 'chap_password', 'discovery_auth_password', 'auth_username',
  'discovery_auth_username', 'connection', 'transport_url',
];
const MASK = '***';

const keyAlt = SENSITIVE_KEYS.map((k) => k.replace(/[-_]/g, '[-_]')).join('|');
// "key": "value"  /  'key': 'value'  /  key=value  /  key: value
const QUOTED = new RegExp(`(["']?(?:${keyAlt})["']?\\s*[:=]\\s*)(["'])(?:\\\\.|(?!\\2).)*\\2`, 'gi');
const BARE = new RegExp(`(\\b(?:${keyAlt})\\s*[=:]\\s*)([^\\s,;"'}\\]]+)`, 'gi');
// "CHAP <user> <secret>" as stored in provider_auth.
const CHAP = /\bCHAP\s+\S+\s+\S+/g;
// Credentials inside URLs: scheme://user:pass@host.
const URL_CRED = /(\b[a-z][a-z0-9+.-]*:\/\/[^:/@\s]*:)[^@/\s]+@/gi;

// Every pattern above needs one of these words (or "://"): most lines have none, and skip all four.
const MAYBE = /:\/\/|chap|pass|token|secret|auth|connection|transport/i;

export function maskPassword(text: string): string {
  if (!MAYBE.test(text)) return text;
  return text
    .replace(URL_CRED, `$1${MASK}@`)
    .replace(CHAP, `CHAP ${MASK} ${MASK}`)
    .replace(QUOTED, `$1$2${MASK}$2`)
    .replace(BARE, `$1${MASK}`);
}

const SENSITIVE_SET = new Set(SENSITIVE_KEYS);

/** Deep copy of a value with every sensitive key's value masked (for structured metadata). */
export function maskDict(value: unknown, depth = 0): unknown {
  if (depth > 8) return value;
  if (typeof value === 'string') return maskPassword(value);
  if (Array.isArray(value)) return value.map((v) => maskDict(v, depth + 1));
  if (value && typeof value === 'object' && !(value instanceof Error)) {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
      out[k] = SENSITIVE_SET.has(k.toLowerCase()) && v != null ? MASK : maskDict(v, depth + 1);
    }
    return out;
  }
  return value;
}
