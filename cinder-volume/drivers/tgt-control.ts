// tgtd's management protocol, spoken from Node instead of through the tgtadm command, so that
// values such as a CHAP password never sit on a process's command line (/proc/<pid>/cmdline is
// world-readable) — tgt-admin is no way out: it hands each line to a shell that runs tgtadm with
// `--password=<secret>` as an argument.
//
// What we rely on (tgt 1.0.85, Debian bookworm; checked against the installed tgtadm and tgtd):
// - tgtd listens on a unix stream socket at the path `<base>.<control port>`, where base is
//   $TGT_IPC_SOCKET if set (for tgtd and tgtadm alike) or `/var/run/tgtd/socket`; tgtd only
//   serves a peer with its own uid and gid (SO_PEERCRED) and closes the connection otherwise.
// - One request per connection: a 120-byte header in host byte order, then the parameters.
//     off len  field
//       0   4  mode (system 0, target 1, logicalunit 2, portal 3, lld 4, session 5, connection 6, account 7)
//       4   4  op (new 0, delete 1, show 2, bind 3, unbind 4, update 5, stat 6, start 7, stop 8)
//       8  64  name of the low-level driver ("iscsi"), NUL-padded; empty selects the first driver
//      72   4  total length: header + parameters
//      76   4  tid, signed; -1 when not given (for account bind/unbind that is the global target)
//      80   8  sid (0)
//      88   8  lun, all ones when not given
//      96   4  cid (0)
//     100   4  host number (0)
//     104   4  device type (0: disk)
//     108   4  account direction (0: incoming, 1: outgoing)
//     112   4  pack (0)
//     116   4  force (1 with --force)
//   The parameters are `key=value` items joined by ',' with one trailing NUL; none at all (no NUL
//   either) when there are none. tgtd caps them at 8 KiB. For an account tgtd takes the user
//   from after `user=` up to the next ',' and, for `new`, the password from after `password=` to
//   the end: the user must come first and hold no ','; the password may hold anything but NUL.
// - The answer: an 8-byte header (error code, total length incl. the header), then, on success,
//   the text tgtadm prints (NUL-terminated), e.g. the listing of `target show`. tgtadm turns a
//   non-zero code into "tgtadm: <message>" on stderr and exit status 22; TGTADM_MESSAGES has them.
import { endianness } from 'node:os';
import { createConnection } from 'node:net';

export const REQUEST_HEADER_SIZE = 120;
export const RESPONSE_HEADER_SIZE = 8;
/** tgtd drops a request whose parameters are longer. */
export const MAX_PARAMS_SIZE = 8 * 1024;
const LLD_NAME_SIZE = 64;
/** sockaddr_un's path: 108 bytes with its NUL. */
const MAX_SOCKET_PATH = 107;
export const DEFAULT_SOCKET_BASE = '/var/run/tgtd/socket';

export enum TgtMode { System = 0, Target = 1, LogicalUnit = 2, Portal = 3, Lld = 4, Session = 5, Connection = 6, Account = 7 }
export enum TgtOp { New = 0, Delete = 1, Show = 2, Bind = 3, Unbind = 4, Update = 5, Stat = 6, Start = 7, Stop = 8 }

/** tgtadm's message for each error code tgtd answers (the code is the index). */
export const TGTADM_MESSAGES: readonly string[] = [
  'success',
  'unknown error',
  'out of memory',
  "can't find the driver",
  "can't find the target",
  "can't find the logical unit",
  "can't find the session",
  "can't find the connection",
  "can't find the binding",
  'this target already exists',
  'this logical unit number already exists',
  'this binding already exists',
  'this access control rule already exists',
  'this access control rule does not exist',
  'this account already exists',
  "can't find the account",
  'too many accounts',
  'invalid request',
  'this target already has an outgoing account',
  'this target is still active',
  'this logical unit is still active',
  'this driver is busy',
  "this operation isn't supported",
  'unknown parameter',
  'this device has Prevent Removal set',
];

/** Some codes by name, for callers that expect one. */
export const TgtadmCode = {
  NO_TARGET: 4, TARGET_EXIST: 9, LUN_EXIST: 10, USER_EXIST: 14, NO_USER: 15, INVALID_REQUEST: 17, TARGET_ACTIVE: 19,
} as const;

export interface TgtRequest {
  mode: TgtMode;
  op: TgtOp;
  /** Low-level driver; default 'iscsi' ('' lets tgtd pick its first). */
  lld?: string;
  /** Default -1 (not given). */
  tid?: number;
  /** Default all ones (not given). */
  lun?: bigint | number;
  sid?: bigint | number;
  cid?: number;
  hostNo?: number;
  deviceType?: number;
  /** 1: outgoing account. */
  accountDir?: number;
  force?: boolean;
  /** `key=value` items in order; joined with ','. */
  params?: string[];
}

/** A non-zero answer of tgtd: `code` as tgtd sent it, `reason` tgtadm's message for it. */
export class TgtadmError extends Error {
  constructor(readonly code: number, readonly reason: string, what: string) {
    super(`tgtadm ${what} failed: tgtadm: ${reason}`);
    Object.setPrototypeOf(this, new.target.prototype);
    this.name = 'TgtadmError';
  }
}

export function tgtadmMessage(code: number): string {
  return TGTADM_MESSAGES[code] ?? '(unknown tgtadm_errno)';
}

/** The control socket of a control port, as tgtadm -C <port> finds it. */
export function controlSocketPath(port: number, env: NodeJS.ProcessEnv = process.env): string {
  if (!Number.isInteger(port) || port < 0 || port > 32767) throw new RangeError(`tgtd control port must be 0-32767, not ${port}`);
  const path = `${env.TGT_IPC_SOCKET || DEFAULT_SOCKET_BASE}.${port}`;
  if (Buffer.byteLength(path) > MAX_SOCKET_PATH) throw new RangeError(`tgtd control socket path too long: ${path}`);
  return path;
}

const ALL_ONES_64 = 0xffff_ffff_ffff_ffffn;

/** The bytes tgtadm would send for this request. */
export function encodeRequest(req: TgtRequest): Buffer {
  const params = req.params ?? [];
  for (const p of params) if (p.includes('\0')) throw new TypeError('tgtd request parameters cannot hold a NUL byte');
  const body = params.length ? Buffer.from(`${params.join(',')}\0`, 'utf8') : Buffer.alloc(0);
  if (body.length > MAX_PARAMS_SIZE) throw new RangeError(`tgtd request parameters too long (${body.length} bytes, at most ${MAX_PARAMS_SIZE})`);
  const lld = Buffer.from(req.lld ?? 'iscsi', 'latin1');
  if (lld.length >= LLD_NAME_SIZE) throw new RangeError('tgtd driver name too long');

  const h = Buffer.alloc(REQUEST_HEADER_SIZE);
  const le = endianness() === 'LE';
  const u32 = (v: number, off: number): void => { if (le) h.writeUInt32LE(v >>> 0, off); else h.writeUInt32BE(v >>> 0, off); };
  const u64 = (v: bigint, off: number): void => { if (le) h.writeBigUInt64LE(BigInt.asUintN(64, v), off); else h.writeBigUInt64BE(BigInt.asUintN(64, v), off); };
  u32(req.mode, 0);
  u32(req.op, 4);
  lld.copy(h, 8);
  u32(REQUEST_HEADER_SIZE + body.length, 72);
  u32(req.tid ?? -1, 76);
  u64(BigInt(req.sid ?? 0), 80);
  u64(req.lun === undefined ? ALL_ONES_64 : BigInt(req.lun), 88);
  u32(req.cid ?? 0, 96);
  u32(req.hostNo ?? 0, 100);
  u32(req.deviceType ?? 0, 104);
  u32(req.accountDir ?? 0, 108);
  u32(0, 112);
  u32(req.force ? 1 : 0, 116);
  return Buffer.concat([h, body]);
}

/** Error code and total length of an answer's header. */
export function decodeResponseHeader(buf: Buffer): { code: number; length: number } {
  if (buf.length < RESPONSE_HEADER_SIZE) throw new RangeError('short tgtd response header');
  const le = endianness() === 'LE';
  return { code: le ? buf.readUInt32LE(0) : buf.readUInt32BE(0), length: le ? buf.readUInt32LE(4) : buf.readUInt32BE(4) };
}

/** The answer's text: its payload up to the NUL tgtd ends it with. */
function payloadText(payload: Buffer): string {
  const nul = payload.indexOf(0);
  return payload.subarray(0, nul < 0 ? payload.length : nul).toString('utf8');
}

/** A value that tgtd would split at ',' or cut at NUL. */
function plain(name: string, value: string): string {
  if (!value || /[,\0]/.test(value)) throw new TypeError(`tgtd ${name} must be non-empty without ',' or NUL`);
  return value;
}

function ensureTid(tid: number): number {
  if (!Number.isInteger(tid) || tid <= 0 || tid > 0x7fff_ffff) throw new RangeError(`tgtd tid must be a positive integer, not ${tid}`);
  return tid;
}

export interface TgtControlOptions {
  /** Explicit socket path (default: from the port as tgtadm does). */
  socketPath?: string;
  timeoutMs?: number;
}

/**
 * tgtadm's requests over tgtd's control socket. The `what` of each request, used in errors, is
 * the equivalent tgtadm arguments without any password.
 */
export class TgtControl {
  readonly socketPath: string;
  private readonly timeoutMs: number;

  constructor(readonly controlPort: number, opts: TgtControlOptions = {}) {
    this.socketPath = opts.socketPath ?? controlSocketPath(controlPort);
    this.timeoutMs = opts.timeoutMs ?? 30_000;
  }

  /** Send one request; resolves to tgtd's text (may be ''), rejects with TgtadmError on a non-zero code. */
  request(req: TgtRequest, what: string): Promise<string> {
    const data = encodeRequest(req);
    return new Promise((resolve, reject) => {
      const sock = createConnection({ path: this.socketPath });
      const chunks: Buffer[] = [];
      let got = 0;
      let settled = false;
      const finish = (err: Error | null, text = ''): void => {
        if (settled) return;
        settled = true;
        sock.destroy();
        if (err) reject(err);
        else resolve(text);
      };
      const answer = (): boolean => {
        if (got < RESPONSE_HEADER_SIZE) return false;
        const all = Buffer.concat(chunks, got);
        const { code, length } = decodeResponseHeader(all);
        if (code !== 0) {
          finish(new TgtadmError(code, tgtadmMessage(code), what));
          return true;
        }
        if (length < RESPONSE_HEADER_SIZE) {
          finish(new Error(`tgtadm ${what} failed: tgtd sent a bad answer length ${length}`));
          return true;
        }
        if (got < length) return false;
        finish(null, payloadText(all.subarray(RESPONSE_HEADER_SIZE, length)));
        return true;
      };
      sock.setTimeout(this.timeoutMs, () => finish(new Error(`tgtadm ${what} failed: no answer from tgtd on ${this.socketPath} within ${this.timeoutMs} ms`)));
      sock.on('connect', () => sock.write(data));
      sock.on('data', (d: Buffer) => {
        chunks.push(d);
        got += d.length;
        answer();
      });
      sock.on('end', () => {
        if (!answer()) finish(new Error(`tgtadm ${what} failed: tgtd closed the socket ${this.socketPath} ${got ? 'in the middle of its answer' : 'without an answer'}`));
      });
      sock.on('close', () => finish(new Error(`tgtadm ${what} failed: the connection to tgtd on ${this.socketPath} closed without an answer`)));
      sock.on('error', (e: NodeJS.ErrnoException) => {
        finish(new Error(`tgtadm ${what} failed: can't connect to tgtd on ${this.socketPath}: ${e.code ?? e.message}`, { cause: e }));
      });
    });
  }

  /** The listing of `tgtadm --mode target --op show`. */
  showTargets(): Promise<string> {
    return this.request({ mode: TgtMode.Target, op: TgtOp.Show }, '--mode target --op show');
  }

  async newTarget(tid: number, name: string): Promise<void> {
    await this.request({ mode: TgtMode.Target, op: TgtOp.New, tid: ensureTid(tid), params: [`targetname=${plain('target name', name)}`] },
      `--mode target --op new --tid ${tid} --targetname ${name}`);
  }

  async deleteTarget(tid: number, force = false): Promise<void> {
    await this.request({ mode: TgtMode.Target, op: TgtOp.Delete, tid: ensureTid(tid), force },
      `--mode target --op delete${force ? ' --force' : ''} --tid ${tid}`);
  }

  /** Allow initiators by address ('ALL' for any). */
  async bindInitiatorAddress(tid: number, address: string): Promise<void> {
    await this.request({ mode: TgtMode.Target, op: TgtOp.Bind, tid: ensureTid(tid), params: [`initiator-address=${plain('initiator address', address)}`] },
      `--mode target --op bind --tid ${tid} --initiator-address ${address}`);
  }

  /** A disk LUN backed by a file or block device. */
  async newLogicalUnit(tid: number, lun: number, backingStore: string): Promise<void> {
    if (!Number.isInteger(lun) || lun < 0) throw new RangeError(`tgtd lun must be a non-negative integer, not ${lun}`);
    await this.request({ mode: TgtMode.LogicalUnit, op: TgtOp.New, tid: ensureTid(tid), lun, params: [`path=${plain('backing store', backingStore)}`] },
      `--mode logicalunit --op new --tid ${tid} --lun ${lun} --backing-store ${backingStore}`);
  }

  /** A CHAP account; the password goes only over the socket, and into no error message. */
  async newAccount(user: string, password: string): Promise<void> {
    if (!password || password.includes('\0')) throw new TypeError('CHAP password must be non-empty without NUL');
    await this.request({ mode: TgtMode.Account, op: TgtOp.New, params: [`user=${plain('account user', user)}`, `password=${password}`] },
      `--mode account --op new --user ${user} --password ********`);
  }

  async deleteAccount(user: string): Promise<void> {
    await this.request({ mode: TgtMode.Account, op: TgtOp.Delete, params: [`user=${plain('account user', user)}`] },
      `--mode account --op delete --user ${user}`);
  }

  /** Bind an account to a target as an incoming (or outgoing) account. */
  async bindAccount(tid: number, user: string, outgoing = false): Promise<void> {
    await this.request({ mode: TgtMode.Account, op: TgtOp.Bind, tid: ensureTid(tid), accountDir: outgoing ? 1 : 0, params: [`user=${plain('account user', user)}`] },
      `--mode account --op bind --tid ${tid} --user ${user}${outgoing ? ' --outgoing' : ''}`);
  }

  /** The listing of `tgtadm --mode account --op show` (user names only). */
  showAccounts(): Promise<string> {
    return this.request({ mode: TgtMode.Account, op: TgtOp.Show }, '--mode account --op show');
  }
}
