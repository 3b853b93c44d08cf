// OpenStack fault bodies: {"<faultName>": {"code": N, "message": "..."}} — the one shape
// novaclient, cinderclient and the SDK all parse (docs/architecture.md, REST conventions).
import { OpenStackException } from '../exception';

const FAULT_NAMES: Record<number, string> = {
  400: 'badRequest',
  401: 'unauthorized',
  403: 'forbidden',
  404: 'itemNotFound',
  405: 'badMethod',
  409: 'conflictingRequest',
  413: 'overLimit',
  415: 'badMediaType',
  429: 'overLimit',
  501: 'notImplemented',
  503: 'serviceUnavailable',
};

export function faultName(code: number): string {
  return FAULT_NAMES[code] ?? 'computeFault';
}

export function faultBody(code: number, message: string, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return { [faultName(code)]: { code, message, ...extra } };
}

/** An HTTP error raised by API code itself (webob's HTTPBadRequest(explanation=...)). */
export class HTTPFault extends OpenStackException {
  /** `body`: answer this instead of the fault format (keystonemiddleware's 401 has its own). */
  constructor(code: number, message: string, readonly headers: Record<string, string> = {}, readonly body: Record<string, unknown> | null = null) {
    super({ code }, message);
  }
}

export const badRequest = (message: string): HTTPFault => new HTTPFault(400, message);
export const unauthorized = (message = 'The request you have made requires authentication.'): HTTPFault =>
  new HTTPFault(401, message);
export const forbidden = (message: string): HTTPFault => new HTTPFault(403, message);
export const notFound = (message = 'The resource could not be found.'): HTTPFault => new HTTPFault(404, message);
export const conflict = (message: string): HTTPFault => new HTTPFault(409, message);
export const notAcceptable = (message: string): HTTPFault => new HTTPFault(406, message);
