// Microversion negotiation shared by both APIs (docs/architecture.md, REST conventions): parse the
// OpenStack-API-Version (and Nova's legacy) header, reject bad/out-of-range versions, and
// echo the version used on every response.
import { badRequest, HTTPFault } from './faults';

export class APIVersion {
  constructor(readonly major: number, readonly minor: number) {}

  static parse(text: string): APIVersion {
    const m = /^([1-9]\d*)\.([1-9]\d*|0)$/.exec(text);
    if (!m) {
      throw badRequest(`API Version String ${text} is of invalid format. Must be of format MajorNum.MinorNum.`);
    }
    return new APIVersion(Number(m[1]), Number(m[2]));
  }

  cmp(o: APIVersion): number {
    return this.major !== o.major ? this.major - o.major : this.minor - o.minor;
  }

  /** min <= this <= max; either bound may be omitted. Strings are "X.Y". */
  matches(min?: string | null, max?: string | null): boolean {
    if (min && this.cmp(APIVersion.parse(min)) < 0) return false;
    if (max && this.cmp(APIVersion.parse(max)) > 0) return false;
    return true;
  }

  atLeast(v: string): boolean {
    return this.matches(v);
  }

  toString(): string {
    return `${this.major}.${this.minor}`;
  }
}

export interface MicroversionSpec {
  /** Service type in OpenStack-API-Version: 'compute' or 'volume'. */
  service: string;
  min: string;
  max: string;
  /** Used when the request names no version. */
  defaultVersion: string;
  /** Nova's legacy X-OpenStack-Nova-API-Version header. */
  legacyHeader?: string;
  /** Only the lowercase `latest` means the maximum (Cinder); otherwise any case (Nova). */
  latestLowercaseOnly?: boolean;
  /** A header naming the service twice: the first wins (Cinder); otherwise the last (Nova). */
  firstOfRepeated?: boolean;
  /** The service name matches only in lowercase (Cinder: `'volume' in hdr`); otherwise any case (Nova). */
  serviceLowercaseOnly?: boolean;
}

/** A version outside the range (406): the response still names it, as Cinder's does. */
export class VersionNotAcceptable extends HTTPFault {
  constructor(readonly version: APIVersion, spec: MicroversionSpec) {
    super(406, `Version ${version.toString()} is not supported by the API. Minimum is ${spec.min} and maximum is ${spec.max}.`);
  }
}

type Headers = Record<string, string | string[] | undefined>;

function headerValue(h: Headers, name: string): string | undefined {
  const v = h[name.toLowerCase()];
  return Array.isArray(v) ? v.join(',') : v;
}

/** The version a request asks for; throws 400/406 faults like Nova and Cinder do. */
export function requestedVersion(headers: Headers, spec: MicroversionSpec): APIVersion {
  let text: string | undefined;
  const modern = headerValue(headers, 'openstack-api-version');
  if (modern !== undefined) {
    for (const item of modern.split(',')) {
      const [svc, ver] = item.trim().split(/\s+/, 2);
      const named = spec.serviceLowercaseOnly ? svc === spec.service : svc?.toLowerCase() === spec.service;
      if (svc && named && !(spec.firstOfRepeated && text !== undefined)) text = ver ?? '';
    }
    if (text === undefined && !spec.legacyHeader) {
      // Cinder names no version there: webob's HTTPBadRequest default text.
      throw badRequest('The server could not comply with the request since it is either malformed or otherwise incorrect.');
    }
  }
  if (text === undefined && spec.legacyHeader) text = headerValue(headers, spec.legacyHeader)?.trim();
  if (text === undefined) return APIVersion.parse(spec.defaultVersion);
  if ((spec.latestLowercaseOnly ? text : text.toLowerCase()) === 'latest') return APIVersion.parse(spec.max);
  const v = APIVersion.parse(text);
  if (!v.matches(spec.min, spec.max)) throw new VersionNotAcceptable(v, spec);
  return v;
}

/** Response headers that echo the version served. */
export function versionHeaders(v: APIVersion, spec: MicroversionSpec): Record<string, string> {
  const out: Record<string, string> = { 'OpenStack-API-Version': `${spec.service} ${v.toString()}` };
  if (spec.legacyHeader) {
    out[spec.legacyHeader] = v.toString();
    out.Vary = `OpenStack-API-Version, ${spec.legacyHeader}`;
  } else {
    out.Vary = 'OpenStack-API-Version';
  }
  return out;
}
