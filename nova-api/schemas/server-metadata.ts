// Server metadata bodies (nova schemas/server_metadata.py): {"metadata": {k: v}} for create and
// update_all, {"meta": {k: v}} with exactly one item for the per-key update. Keys 1-255 of
// [a-zA-Z0-9-_:. ], values strings up to 255; nothing else at the top.
import { badRequest, invalidInput, pyRepr } from '../../common/api';

const KEY = /^[a-zA-Z0-9-_:. ]{1,255}$/;

const invalid = (field: string, value: unknown, why: string): never => {
  throw invalidInput(field, value, why);
};

export function parseMetadataBody(body: unknown, key: 'metadata' | 'meta'): Record<string, string> {
  if (!body || typeof body !== 'object' || Array.isArray(body)) throw badRequest(`'${key}' is a required property`);
  const root = body as Record<string, unknown>;
  if (!(key in root)) throw badRequest(`'${key}' is a required property`);
  const extra = Object.keys(root).find((k) => k !== key);
  if (extra) throw badRequest(`Additional properties are not allowed ('${extra}' was unexpected)`);
  const m = root[key];
  if (!m || typeof m !== 'object' || Array.isArray(m)) return invalid(key, m, `${pyRepr(m)} is not of type 'object'`);
  const md = m as Record<string, unknown>;
  for (const [k, v] of Object.entries(md)) {
    if (!KEY.test(k)) invalid(key, md, `Additional properties are not allowed ('${k}' was unexpected)`);
    if (typeof v !== 'string') invalid(k, v, `${pyRepr(v)} is not of type 'string'`);
    if ((v as string).length > 255) invalid(k, v, `${pyRepr(v)} is too long`);
  }
  const n = Object.keys(md).length;
  if (key === 'meta' && n < 1) invalid('meta', md, `${pyRepr(md)} does not have enough properties`);
  if (key === 'meta' && n > 1) invalid('meta', md, `${pyRepr(md)} has too many properties`);
  return md as Record<string, string>;
}
