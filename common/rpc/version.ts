// RPC API versions "X.Y" or "X.Y.Z" and oslo's compatibility rule (_utils.version_is_compatible).
import { MessagingError } from './errors';

type Parts = readonly [number, number, number];
/** Parsed versions: a server checks every request's version against each endpoint's. */
const parsed = new Map<string, Parts>();

function parts(v: string): Parts {
  const hit = parsed.get(v);
  if (hit) return hit;
  const p = v.split('.');
  const major = Number.parseInt(p[0], 10);
  const minor = Number.parseInt(p[1], 10);
  const rev = p.length > 2 ? Number.parseInt(p[2], 10) : 0;
  if (p.length < 2 || [major, minor, rev].some((n) => Number.isNaN(n))) {
    throw new MessagingError(`Version must contain a major and minor integer. Got ${v}`);
  }
  const r: Parts = [major, minor, rev];
  if (parsed.size < 256) parsed.set(v, r);
  return r;
}

/**
 * Can an endpoint implementing `implemented` serve a request for `requested`?
 * Same major, requested minor <= implemented minor (revision compared on equal minors).
 * A null `implemented` (no cap / unversioned) accepts everything; a null request accepts nothing.
 */
export function isCompatible(implemented: string | null | undefined, requested: string | null | undefined): boolean {
  if (implemented === null || implemented === undefined) return true;
  if (requested === null || requested === undefined) return false;
  const [iMaj, iMin, iRev] = parts(implemented);
  const [rMaj, rMin, rRev] = parts(requested);
  if (rMaj !== iMaj) return false;
  if (rMin > iMin) return false;
  if (rMin === iMin && rRev > iRev) return false;
  return true;
}

/** Throws MessagingError unless `v` is a parsable version (what prepare(version=) checks). */
export function checkVersion(v: string): void {
  parts(v);
}
