// Several database hosts behind one pool (mysql://u:p@h1:p1,h2:p2,h3:p3/db), for a Galera
// cluster. mysql2 takes a `stream` factory for each new connection: ours returns a socket that
// connects to the host that last worked and, when that one refuses or times out, moves on to
// the next in the list before the driver sees anything (the server speaks first, so nothing is
// written until a host answered). Every connection sticks to one node while it is up, which
// keeps writes on one Galera node (no certification conflicts between our own connections).
// Connections already open to a node that dies fail with a lost connection; the pool drops
// them and the next one comes here.
import { connect, type Socket } from 'node:net';
import { Duplex } from 'node:stream';

export interface DbHost {
  host: string;
  port: number;
}

/** Which host new connections try first: shared by all connections of one DataSource. */
export class HostRotation {
  private current = 0;

  constructor(readonly hosts: DbHost[], readonly connectTimeoutMs = 3000) {
    if (!hosts.length) throw new Error('no database hosts');
  }

  /** Hosts in the order a new connection tries them, the last good one first. */
  order(): Array<{ index: number; host: DbHost }> {
    return this.hosts.map((_, k) => {
      const index = (this.current + k) % this.hosts.length;
      return { index, host: this.hosts[index] };
    });
  }

  markGood(index: number): void {
    this.current = index;
  }

  /** The mysql2 `stream` option. */
  factory(): () => Duplex {
    return () => new FailoverSocket(this);
  }
}

/** A Duplex over the first socket of the rotation that connects. */
class FailoverSocket extends Duplex {
  private sock: Socket | null = null;
  private pending: Array<{ chunk: Buffer; cb: (e?: Error | null) => void }> = [];

  constructor(private readonly rotation: HostRotation) {
    super();
    this.tryNext(rotation.order(), null);
  }

  private tryNext(left: Array<{ index: number; host: DbHost }>, lastErr: Error | null): void {
    if (this.destroyed) return;
    const next = left.shift();
    if (!next) {
      this.destroy(lastErr ?? new Error('no database host answered'));
      return;
    }
    const s = connect({ host: next.host.host, port: next.host.port });
    s.setNoDelay(true);
    const fail = (e: Error): void => {
      s.removeAllListeners();
      s.on('error', () => undefined);
      s.destroy();
      this.tryNext(left, e);
    };
    s.setTimeout(this.rotation.connectTimeoutMs, () => {
      fail(Object.assign(new Error(`connect ETIMEDOUT ${next.host.host}:${next.host.port}`), { code: 'ETIMEDOUT' }));
    });
    s.once('error', fail);
    s.once('connect', () => {
      s.removeListener('error', fail);
      s.setTimeout(0);
      this.rotation.markGood(next.index);
      this.attach(s);
    });
  }

  private attach(s: Socket): void {
    this.sock = s;
    s.on('data', (d: Buffer) => { if (!this.push(d)) s.pause(); });
    s.on('end', () => this.push(null));
    s.on('error', (e) => this.destroy(e));
    s.on('close', () => { if (!this.destroyed) this.destroy(); });
    for (const p of this.pending.splice(0)) s.write(p.chunk, p.cb);
    this.emit('connect');
  }

  override _read(): void {
    this.sock?.resume();
  }

  override _write(chunk: Buffer, _enc: BufferEncoding, cb: (e?: Error | null) => void): void {
    if (this.sock) this.sock.write(chunk, cb);
    else this.pending.push({ chunk, cb });
  }

  override _final(cb: (e?: Error | null) => void): void {
    if (this.sock) this.sock.end(cb);
    else cb();
  }

  override _destroy(err: Error | null, cb: (e: Error | null) => void): void {
    this.sock?.destroy();
    cb(err);
  }

  // mysql2 calls these on a plain socket; they are harmless no-ops before the connect.
  setNoDelay(v = true): this { this.sock?.setNoDelay(v); return this; }
  setKeepAlive(v = false, delay = 0): this { this.sock?.setKeepAlive(v, delay); return this; }
}
