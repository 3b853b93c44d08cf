// tgtd's control protocol as tgt-control.ts speaks it: the request bytes equal what the real
// tgtadm (tgt 1.0.85) sent for the same operation — captured by pointing tgtadm at our own socket
// with TGT_IPC_SOCKET — and a TgtControl talks to a fake tgtd on a unix socket: request bytes,
// answers, tgtadm's error codes and messages, and no password in any error.
import { expect } from 'chai';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  REQUEST_HEADER_SIZE, TgtControl, TgtMode, TgtOp, TgtadmError, controlSocketPath, decodeResponseHeader, encodeRequest, tgtadmMessage,
} from '../../../cinder-volume/drivers/tgt-control';

// `tgtadm -C 7 --lld iscsi --mode account --op new --user alice --password 's3cr,et'`, as sent.
const ACCOUNT_NEW_HEX = '07000000000000006973637369'.padEnd(144, '0')
  + '94000000ffffffff0000000000000000ffffffffffffffff' + '0'.repeat(48)
  + Buffer.from('user=alice,password=s3cr,et\0').toString('hex');
// `tgtadm -C 7 --lld iscsi --mode account --op bind --tid 3 --user alice`, as sent.
const ACCOUNT_BIND_HEX = '07000000030000006973637369'.padEnd(144, '0')
  + '83000000030000000000000000000000ffffffffffffffff' + '0'.repeat(48)
  + Buffer.from('user=alice\0').toString('hex');

interface Fields {
  mode: number; op: number; lld: string; len: number; tid: number; sid: bigint; lun: bigint; cid: number;
  hostNo: number; deviceType: number; accountDir: number; pack: number; force: number; params: string | null;
}

/** Read a request back field by field (x86-64/arm64: little-endian). */
function fields(b: Buffer): Fields {
  const lld = b.subarray(8, 72);
  const body = b.subarray(REQUEST_HEADER_SIZE);
  return {
    mode: b.readUInt32LE(0), op: b.readUInt32LE(4), lld: lld.subarray(0, lld.indexOf(0)).toString(), len: b.readUInt32LE(72),
    tid: b.readInt32LE(76), sid: b.readBigUInt64LE(80), lun: b.readBigUInt64LE(88), cid: b.readUInt32LE(96), hostNo: b.readUInt32LE(100),
    deviceType: b.readUInt32LE(104), accountDir: b.readUInt32LE(108), pack: b.readUInt32LE(112), force: b.readUInt32LE(116),
    params: body.length ? body.toString() : null,
  };
}

const NONE = 0xffff_ffff_ffff_ffffn;
const base = { lld: 'iscsi', sid: 0n, cid: 0, hostNo: 0, deviceType: 0, accountDir: 0, pack: 0, force: 0 };

describe('tgt control protocol: requests', () => {
  it('encodes account new and account bind byte for byte as tgtadm 1.0.85 sent them', () => {
    expect(encodeRequest({ mode: TgtMode.Account, op: TgtOp.New, params: ['user=alice', 'password=s3cr,et'] }).toString('hex')).to.equal(ACCOUNT_NEW_HEX);
    expect(encodeRequest({ mode: TgtMode.Account, op: TgtOp.Bind, tid: 3, params: ['user=alice'] }).toString('hex')).to.equal(ACCOUNT_BIND_HEX);
  });

  it('lays out every request the driver makes as tgtadm does (fields checked against its captures)', () => {
    const iqn = 'iqn.2010-10.org.openstack:volume-x';
    const cases: [Parameters<typeof encodeRequest>[0], Partial<Fields>][] = [
      // --mode target --op show: no parameters, not even a NUL; tid and lun "not given".
      [{ mode: TgtMode.Target, op: TgtOp.Show }, { mode: 1, op: 2, len: 120, tid: -1, lun: NONE, params: null }],
      [{ mode: TgtMode.Target, op: TgtOp.New, tid: 2, params: [`targetname=${iqn}`] },
        { mode: 1, op: 0, len: 166, tid: 2, lun: NONE, params: `targetname=${iqn}\0` }],
      [{ mode: TgtMode.Target, op: TgtOp.Delete, tid: 2, force: true }, { mode: 1, op: 1, len: 120, tid: 2, lun: NONE, force: 1, params: null }],
      [{ mode: TgtMode.LogicalUnit, op: TgtOp.New, tid: 2, lun: 1, params: ['path=/var/lib/x/volume-1'] },
        { mode: 2, op: 0, len: 145, tid: 2, lun: 1n, params: 'path=/var/lib/x/volume-1\0' }],
      [{ mode: TgtMode.Target, op: TgtOp.Bind, tid: 2, params: ['initiator-address=ALL'] },
        { mode: 1, op: 3, len: 142, tid: 2, lun: NONE, params: 'initiator-address=ALL\0' }],
      [{ mode: TgtMode.Account, op: TgtOp.Delete, params: ['user=alice'] }, { mode: 7, op: 1, len: 131, tid: -1, lun: NONE, params: 'user=alice\0' }],
      // --op delete --mode system without --lld: an empty driver name.
      [{ mode: TgtMode.System, op: TgtOp.Delete, lld: '' }, { mode: 0, op: 1, lld: '', len: 120, tid: -1, lun: NONE, params: null }],
    ];
    for (const [req, want] of cases) expect(fields(encodeRequest(req)), JSON.stringify(req)).to.deep.equal({ ...base, ...want });
  });

  it('an outgoing account bind sets the direction', () => {
    expect(fields(encodeRequest({ mode: TgtMode.Account, op: TgtOp.Bind, tid: 1, accountDir: 1, params: ['user=u'] })).accountDir).to.equal(1);
  });

  it('refuses what tgtd would cut or drop: NUL in a parameter, more than 8 KiB, a long driver name', () => {
    expect(() => encodeRequest({ mode: TgtMode.Account, op: TgtOp.Delete, params: ['user=a\0b'] })).to.throw(TypeError);
    expect(() => encodeRequest({ mode: TgtMode.Target, op: TgtOp.New, tid: 1, params: [`targetname=${'x'.repeat(8192)}`] })).to.throw(RangeError);
    expect(encodeRequest({ mode: TgtMode.Target, op: TgtOp.New, tid: 1, params: ['x'.repeat(8191)] }).length).to.equal(120 + 8192);
    expect(() => encodeRequest({ mode: TgtMode.Target, op: TgtOp.Show, lld: 'x'.repeat(64) })).to.throw(RangeError);
  });

  it('finds the control socket as tgtadm -C does, $TGT_IPC_SOCKET first', () => {
    expect(controlSocketPath(0, {})).to.equal('/var/run/tgtd/socket.0');
    expect(controlSocketPath(4711, {})).to.equal('/var/run/tgtd/socket.4711');
    expect(controlSocketPath(12, { TGT_IPC_SOCKET: '/tmp/t/sock' })).to.equal('/tmp/t/sock.12');
    expect(() => controlSocketPath(32768, {})).to.throw(RangeError);
    expect(() => controlSocketPath(1, { TGT_IPC_SOCKET: `/${'d'.repeat(110)}` })).to.throw(RangeError);
  });

  it('answers: header fields and tgtadm messages by code', () => {
    const h = Buffer.alloc(8);
    h.writeUInt32LE(14, 0);
    h.writeUInt32LE(8, 4);
    expect(decodeResponseHeader(h)).to.deep.equal({ code: 14, length: 8 });
    expect(tgtadmMessage(0)).to.equal('success');
    expect(tgtadmMessage(4)).to.equal("can't find the target");
    expect(tgtadmMessage(9)).to.equal('this target already exists');
    expect(tgtadmMessage(14)).to.equal('this account already exists');
    expect(tgtadmMessage(15)).to.equal("can't find the account");
    expect(tgtadmMessage(24)).to.equal('this device has Prevent Removal set');
    expect(tgtadmMessage(25)).to.equal('(unknown tgtadm_errno)');
  });
});

/** A fake tgtd: records each request, answers with `reply(request)`. */
class FakeTgtd {
  readonly requests: Buffer[] = [];
  private server: Server | null = null;
  constructor(readonly path: string, private readonly reply: (req: Buffer, sock: Socket) => void) {}
  async start(): Promise<void> {
    this.server = createServer((sock) => {
      let buf = Buffer.alloc(0);
      sock.on('data', (d: Buffer) => {
        buf = Buffer.concat([buf, d]);
        if (buf.length >= REQUEST_HEADER_SIZE && buf.length >= buf.readUInt32LE(72)) {
          this.requests.push(buf);
          this.reply(buf, sock);
        }
      });
      sock.on('error', () => undefined);
    });
    await new Promise<void>((r) => this.server!.listen(this.path, r));
  }
  async stop(): Promise<void> {
    await new Promise((r) => this.server?.close(r));
  }
}

function answer(sock: Socket, code: number, text?: string): void {
  const payload = text === undefined ? Buffer.alloc(0) : Buffer.from(`${text}\0`);
  const h = Buffer.alloc(8);
  h.writeUInt32LE(code, 0);
  h.writeUInt32LE(8 + payload.length, 4);
  // In two writes, as tgtd does (header, then payload).
  sock.write(h);
  setTimeout(() => sock.end(payload), 5);
}

describe('tgt control protocol: TgtControl against a fake tgtd', () => {
  let dir = '';
  let tgtd: FakeTgtd;
  let code = 0;
  let text: string | undefined;

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'tgt-control-'));
    tgtd = new FakeTgtd(join(dir, 'socket.7'), (_req, sock) => answer(sock, code, text));
    await tgtd.start();
  });
  after(async () => {
    await tgtd?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });
  beforeEach(() => {
    code = 0;
    text = undefined;
    tgtd.requests.length = 0;
  });
  const ctl = (): TgtControl => new TgtControl(7, { socketPath: join(dir, 'socket.7'), timeoutMs: 2000 });

  it('sends each driver operation as one request and returns the listing of show', async () => {
    const c = ctl();
    await c.newTarget(3, 'iqn.x:volume-1');
    await c.newLogicalUnit(3, 1, '/v/volume-1');
    await c.newAccount('alice', 'pw,with=odd chars');
    await c.bindAccount(3, 'alice');
    await c.bindInitiatorAddress(3, 'ALL');
    await c.deleteTarget(3, true);
    await c.deleteAccount('alice');
    text = 'Target 3: iqn.x:volume-1\n    System information:\n';
    expect(await c.showTargets()).to.equal(text);
    expect(tgtd.requests.map((r) => r.toString('hex'))).to.deep.equal([
      encodeRequest({ mode: TgtMode.Target, op: TgtOp.New, tid: 3, params: ['targetname=iqn.x:volume-1'] }),
      encodeRequest({ mode: TgtMode.LogicalUnit, op: TgtOp.New, tid: 3, lun: 1, params: ['path=/v/volume-1'] }),
      encodeRequest({ mode: TgtMode.Account, op: TgtOp.New, params: ['user=alice', 'password=pw,with=odd chars'] }),
      encodeRequest({ mode: TgtMode.Account, op: TgtOp.Bind, tid: 3, params: ['user=alice'] }),
      encodeRequest({ mode: TgtMode.Target, op: TgtOp.Bind, tid: 3, params: ['initiator-address=ALL'] }),
      encodeRequest({ mode: TgtMode.Target, op: TgtOp.Delete, tid: 3, force: true }),
      encodeRequest({ mode: TgtMode.Account, op: TgtOp.Delete, params: ['user=alice'] }),
      encodeRequest({ mode: TgtMode.Target, op: TgtOp.Show }),
    ].map((b) => b.toString('hex')));
  });

  it("a non-zero code rejects with tgtadm's code and message, and never the password", async () => {
    code = 14;
    const err = await ctl().newAccount('alice', 'Sup3rSecretPw').then(() => null, (e: unknown) => e);
    expect(err).to.be.instanceOf(TgtadmError);
    const e = err as TgtadmError;
    expect(e.code).to.equal(14);
    expect(e.reason).to.equal('this account already exists');
    expect(e.message).to.equal('tgtadm --mode account --op new --user alice --password ******** failed: tgtadm: this account already exists');
    expect(e.message + (e.stack ?? '')).to.not.contain('Sup3rSecretPw');
    code = 4;
    const e2 = await ctl().deleteTarget(9).then(() => null, (x: unknown) => x as TgtadmError);
    expect(e2?.message).to.equal("tgtadm --mode target --op delete --tid 9 failed: tgtadm: can't find the target");
  });

  it('refuses values tgtd would split: a user with a comma, an empty password, a bad tid', async () => {
    for (const call of [() => ctl().newAccount('a,b', 'pw'), () => ctl().newAccount('a', ''), () => ctl().bindAccount(0, 'a'), () => ctl().deleteAccount('')]) {
      expect(await call().then(() => null, (e: unknown) => e)).to.be.instanceOf(Error);
    }
    expect(tgtd.requests).to.have.length(0);
  });

  it('no tgtd, or one that hangs up without an answer, is an error', async () => {
    const none = new TgtControl(8, { socketPath: join(dir, 'socket.8'), timeoutMs: 2000 });
    const e1 = await none.showTargets().then(() => null, (e: Error) => e);
    expect(e1?.message).to.match(/tgtadm --mode target --op show failed: can't connect to tgtd on .*socket\.8: ENOENT/);

    const mute = new FakeTgtd(join(dir, 'socket.9'), (_req, sock) => sock.end());
    await mute.start();
    try {
      const e2 = await new TgtControl(9, { socketPath: join(dir, 'socket.9'), timeoutMs: 2000 }).showTargets().then(() => null, (e: Error) => e);
      expect(e2?.message).to.match(/tgtd closed the socket .* without an answer/);
    } finally {
      await mute.stop();
    }
  });
});
