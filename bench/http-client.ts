// The benchmarks' load generator: one worker's HTTP/1.1 keep-alive connection, one request at a
// time. On the 2-core box the client shares the CPU with the services it measures, and Node's
// http client costs about twice the CPU per request of this plain socket (`BENCH_LAYOUTS=client
// npm run bench:requests`; docs/performance.md, "The load generator"); BENCH_CLIENT=node uses Node's.
// It speaks only what the benchmarks need: Content-Length or chunked bodies, JSON or text.
import { Agent, request } from 'node:http';
import { connect, type Socket } from 'node:net';

export interface Reply { status: number; body: any } // eslint-disable-line @typescript-eslint/no-explicit-any

const TIMEOUT_MS = 60_000;

function parseBody(text: string): unknown {
  try {
    return text ? JSON.parse(text) : null;
  } catch {
    return text; // not JSON
  }
}

interface Pending { resolve(r: Reply): void; reject(e: Error): void; method: string; path: string; sock: Socket }

/** A response read off the socket: the head once complete, then the body by length, chunks or close. */
class ResponseReader {
  private buf: Buffer = Buffer.alloc(0);
  private head: { status: number; length: number | null; chunked: boolean; close: boolean; start: number } | null = null;
  constructor(private noBody: boolean) {}

  /** Adds data; returns the reply when complete (and any bytes past it), else null. */
  push(d: Buffer): { status: number; body: Buffer; close: boolean } | null {
    this.buf = this.buf.length ? Buffer.concat([this.buf, d]) : d;
    if (!this.head) {
      const end = this.buf.indexOf('\r\n\r\n');
      if (end < 0) return null;
      const lines = this.buf.toString('latin1', 0, end).split('\r\n');
      const status = Number(lines[0].split(' ')[1]);
      let length: number | null = null;
      let chunked = false;
      let close = false;
      for (const l of lines.slice(1)) {
        const i = l.indexOf(':');
        const k = l.slice(0, i).trim().toLowerCase();
        const v = l.slice(i + 1).trim().toLowerCase();
        if (k === 'content-length') length = Number(v);
        else if (k === 'transfer-encoding') chunked = v.includes('chunked');
        else if (k === 'connection') close = v === 'close';
      }
      if (this.noBody || status === 204 || status === 304 || (status >= 100 && status < 200)) length = 0;
      this.head = { status, length, chunked, close, start: end + 4 };
    }
    const h = this.head;
    if (h.chunked) return this.dechunk();
    if (h.length === null) return null; // until the server closes (finish())
    if (this.buf.length < h.start + h.length) return null;
    return { status: h.status, body: this.buf.subarray(h.start, h.start + h.length), close: h.close };
  }

  private dechunk(): { status: number; body: Buffer; close: boolean } | null {
    const h = this.head as NonNullable<typeof this.head>;
    const parts: Buffer[] = [];
    for (let at = h.start; ;) {
      const eol = this.buf.indexOf('\r\n', at);
      if (eol < 0) return null;
      const size = parseInt(this.buf.toString('latin1', at, eol).split(';')[0], 16);
      if (Number.isNaN(size)) throw new Error('bad chunk size');
      // The last chunk: complete once its (empty or not) trailer section ends.
      if (size === 0) return this.buf.indexOf('\r\n\r\n', eol) < 0 ? null : { status: h.status, body: Buffer.concat(parts), close: h.close };
      if (this.buf.length < eol + 2 + size + 2) return null;
      parts.push(this.buf.subarray(eol + 2, eol + 2 + size));
      at = eol + 2 + size + 2;
    }
  }

  /** The server closed: a body read until close is complete now. */
  finish(): { status: number; body: Buffer; close: boolean } | null {
    const h = this.head;
    return h && h.length === null && !h.chunked ? { status: h.status, body: this.buf.subarray(h.start), close: true } : null;
  }
}

/** One worker's keep-alive connection to one base URL, on a plain socket. */
class SocketClient {
  private sock: Socket | null = null;
  private pending: Pending | null = null;
  private reader: ResponseReader | null = null;
  private queue: Promise<unknown> = Promise.resolve();
  private host: string;
  private port: number;
  private prefix: string;

  constructor(base: string, private token: string) {
    const u = new URL(base);
    if (u.protocol !== 'http:') throw new Error(`bench client: only http:, not ${u.protocol}`);
    this.host = u.hostname;
    this.port = Number(u.port || 80);
    this.prefix = u.pathname.replace(/\/$/, '');
  }

  req(method: string, path: string, body?: unknown, headers: Record<string, string> = {}): Promise<Reply> {
    const run = this.queue.then(() => this.send(method, path, body, headers));
    this.queue = run.catch(() => undefined);
    return run;
  }

  private socket(): Socket {
    if (this.sock && this.sock.writable) return this.sock;
    const s = connect({ host: this.host, port: this.port, noDelay: true });
    // A dropped connection's late events must not touch the request on its successor.
    const mine = (): boolean => this.pending?.sock === s;
    s.on('data', (d: Buffer) => { if (mine()) this.onData(d); });
    s.on('error', (e) => this.fail(s, e));
    s.on('close', () => {
      const done = mine() ? this.reader?.finish() : null;
      if (done) this.settle(done);
      this.fail(s, new Error('connection closed'));
    });
    this.sock = s;
    return s;
  }

  private send(method: string, path: string, body: unknown, headers: Record<string, string>): Promise<Reply> {
    const data = body === undefined ? '' : JSON.stringify(body);
    let head = `${method} ${this.prefix}${path} HTTP/1.1\r\nHost: ${this.host}:${this.port}\r\nX-Auth-Token: ${this.token}\r\nAccept: application/json\r\n`;
    if (data) head += `Content-Type: application/json\r\nContent-Length: ${Buffer.byteLength(data)}\r\n`;
    for (const [k, v] of Object.entries(headers)) head += `${k}: ${v}\r\n`;
    return new Promise<Reply>((resolve, reject) => {
      const s = this.socket();
      const timer = setTimeout(() => s.destroy(new Error(`${method} ${path}: timed out`)), TIMEOUT_MS);
      this.pending = { method, path, sock: s, resolve: (r) => { clearTimeout(timer); resolve(r); }, reject: (e) => { clearTimeout(timer); reject(e); } };
      this.reader = new ResponseReader(method === 'HEAD');
      s.write(`${head}\r\n${data}`);
    });
  }

  private onData(d: Buffer): void {
    if (!this.reader || !this.pending) return;
    let done;
    try {
      done = this.reader.push(d);
    } catch (e) {
      this.sock?.destroy(e as Error);
      return;
    }
    if (done) this.settle(done);
  }

  private settle(done: { status: number; body: Buffer; close: boolean }): void {
    const p = this.pending as Pending;
    this.pending = null;
    this.reader = null;
    if (done.close) {
      this.sock?.end();
      this.sock = null; // the next request opens a new connection
    }
    p.resolve({ status: done.status, body: parseBody(done.body.toString('utf8')) });
  }

  private fail(s: Socket, e: Error): void {
    if (this.sock === s) this.sock = null;
    if (this.pending?.sock !== s) return;
    const p = this.pending;
    this.pending = null;
    this.reader = null;
    p.reject(new Error(`${p.method} ${p.path}: ${e.message}`));
  }

  close(): void {
    this.sock?.destroy();
    this.sock = null;
  }
}

/** The same through Node's http client (BENCH_CLIENT=node). */
class NodeClient {
  private agent = new Agent({ keepAlive: true, maxSockets: 1 });
  constructor(private base: string, private token: string) {}

  req(method: string, path: string, body?: unknown, headers: Record<string, string> = {}): Promise<Reply> {
    const data = body === undefined ? undefined : Buffer.from(JSON.stringify(body));
    return new Promise((resolve, reject) => {
      const r = request(this.base + path, {
        method, agent: this.agent, timeout: TIMEOUT_MS,
        headers: { 'X-Auth-Token': this.token, Accept: 'application/json', ...(data ? { 'Content-Type': 'application/json', 'Content-Length': data.length } : {}), ...headers },
      }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: parseBody(Buffer.concat(chunks).toString('utf8')) }));
      });
      r.on('timeout', () => r.destroy(new Error(`${method} ${path}: timed out`)));
      r.on('error', reject);
      r.end(data);
    });
  }

  close(): void {
    this.agent.destroy();
  }
}

/** One worker's HTTP/1.1 keep-alive connection to one base URL. */
export class Client {
  private c: SocketClient | NodeClient;
  constructor(base: string, token: string, kind: 'socket' | 'node' = process.env.BENCH_CLIENT === 'node' ? 'node' : 'socket') {
    this.c = kind === 'node' ? new NodeClient(base, token) : new SocketClient(base, token);
  }

  req(method: string, path: string, body?: unknown, headers: Record<string, string> = {}): Promise<Reply> {
    return this.c.req(method, path, body, headers);
  }

  async expect(method: string, path: string, status: number, body?: unknown, headers?: Record<string, string>): Promise<Reply> {
    const r = await this.req(method, path, body, headers);
    if (r.status !== status) throw new Error(`${method} ${path} → ${r.status} ${JSON.stringify(r.body).slice(0, 300)}`);
    return r;
  }

  close(): void {
    this.c.close();
  }
}
