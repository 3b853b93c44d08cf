// The CLI's REST client: JSON in/out, X-Auth-Token, microversion headers, and errors mapped to
// novaclient's exception names so they print as `ERROR (BadRequest): <message> (HTTP 400)`.

const CLASS_OF: Record<number, string> = {
  400: 'BadRequest', 401: 'Unauthorized', 403: 'Forbidden', 404: 'NotFound', 405: 'MethodNotAllowed',
  406: 'NotAcceptable', 409: 'Conflict', 413: 'OverLimit', 415: 'UnsupportedMediaType', 429: 'RateLimit',
  501: 'HTTPNotImplemented',
};

export class CliError extends Error {
  constructor(readonly errorClass: string, message: string, readonly status?: number) {
    super(message);
  }

  /** novaclient's rendering of an error. */
  render(): string {
    return `ERROR (${this.errorClass}): ${this.message}${this.status ? ` (HTTP ${this.status})` : ''}`;
  }
}

function faultMessage(body: unknown, status: number): string {
  if (body && typeof body === 'object') {
    const inner = Object.values(body as Record<string, unknown>)[0];
    if (inner && typeof inner === 'object' && typeof (inner as { message?: unknown }).message === 'string') {
      return (inner as { message: string }).message;
    }
  }
  return `HTTP ${status}`;
}

export interface HttpOptions {
  token?: string;
  headers?: Record<string, string>;
}

export class RestClient {
  constructor(readonly baseUrl: string, private readonly opts: HttpOptions = {}) {}

  async request<T = unknown>(method: string, path: string, body?: unknown): Promise<{ status: number; body: T; headers: Headers }> {
    const url = `${this.baseUrl.replace(/\/+$/, '')}${path}`;
    const headers: Record<string, string> = { Accept: 'application/json', 'User-Agent': 'attachd-cli', ...(this.opts.headers ?? {}) };
    if (this.opts.token) headers['X-Auth-Token'] = this.opts.token;
    if (body !== undefined) headers['Content-Type'] = 'application/json';
    let res: Response;
    try {
      res = await fetch(url, { method, headers, body: body === undefined ? undefined : JSON.stringify(body), signal: AbortSignal.timeout(60_000) });
    } catch (e) {
      const cause = (e as { cause?: { message?: string } }).cause?.message ?? (e as Error).message;
      throw new CliError('ConnectFailure', `Unable to establish connection to ${url}: ${cause}`);
    }
    const text = await res.text();
    let parsed: unknown = undefined;
    if (text) {
      try {
        parsed = JSON.parse(text);
      } catch {
        parsed = text;
      }
    }
    if (res.status >= 400) {
      throw new CliError(CLASS_OF[res.status] ?? 'ClientException', faultMessage(parsed, res.status), res.status);
    }
    return { status: res.status, body: parsed as T, headers: res.headers };
  }

  get<T = unknown>(path: string): Promise<T> {
    return this.request<T>('GET', path).then((r) => r.body);
  }
}
