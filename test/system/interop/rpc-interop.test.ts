// Our RPC against the real Python oslo.messaging over the private broker, both directions.
import { expect } from 'chai';
import { randomBytes } from 'node:crypto';
import { requireTransportUrl } from '../../support/servers';
import { Peer, run, pythonOsloAvailable, type Line, type PeerKind } from './peers';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

const directions: [PeerKind, PeerKind][] = [['py', 'ts'], ['ts', 'py']];

for (const [clientKind, serverKind] of directions) {
  describe(`interop: ${clientKind} client -> ${serverKind} server`, function () {
    this.timeout(60_000);
    let url: string;
    let topic: string;
    let s1: Peer;
    let s2: Peer;
    let ns: Peer;
    const dispatches = (method: string): Line[] =>
      [...s1.events('dispatch'), ...s2.events('dispatch')].filter((l) => l.method === method);
    const call = (args: string[], timeoutMs?: number) =>
      run(clientKind, ['call', '--url', url, '--topic', topic, ...args], timeoutMs);

    before(async function () {
      url = await requireTransportUrl(this);
      if (!pythonOsloAvailable()) {
        if (process.env.CI === 'true') throw new Error('python3-oslo.messaging is not installed');
        this.skip();
      }
      topic = `interop_${clientKind}_${serverKind}_${randomBytes(4).toString('hex')}`;
      s1 = new Peer(serverKind, ['serve', '--url', url, '--topic', topic, '--server', 's1']);
      s2 = new Peer(serverKind, ['serve', '--url', url, '--topic', topic, '--server', 's2']);
      // A versioned, namespaced endpoint on its own topic and exchange.
      ns = new Peer(serverKind, ['serve', '--url', url, '--topic', `${topic}_ns`, '--server', 'n1', '--exchange', 'interop_x',
        '--namespace', 'ns1', '--version', '1.2']);
      await Promise.all([s1.ready(), s2.ready(), ns.ready()]);
    });

    after(async () => {
      const codes = await Promise.all([s1?.stop(), s2?.stop(), ns?.stop()]);
      if (s1 && s2 && ns) {
        expect(codes).to.deep.equal([0, 0, 0]);
        expect(s1.lines[s1.lines.length - 1]).to.deep.equal({ event: 'stopped' });
      }
    });

    it('call returns the result', async () => {
      const r = await call(['--method', 'echo', '--args', JSON.stringify({ value: { k: [1, 'x', null, 2.5], s: 'hé' } })]);
      expect(r.last).to.deep.equal({ ok: true, result: { k: [1, 'x', null, 2.5], s: 'hé' } });
      expect(r.code).to.equal(0);
      const r2 = await call(['--method', 'add', '--args', '{"a": 2, "b": 3}']);
      expect(r2.last).to.deep.equal({ ok: true, result: 5 });
    });

    it('server-targeted call reaches that server only, with the context', async () => {
      const ctx = { user_id: 'u1', project_id: 'p1', request_id: 'req-123', roles: ['admin', 'member'], is_admin: true, global_request_id: null };
      const before1 = s1.events('dispatch').length;
      const r = await call(['--method', 'whoami', '--server', 's2', '--context', JSON.stringify(ctx)]);
      expect(r.last).to.deep.equal({ ok: true, result: { ...ctx, client_timeout: null } });
      expect(s1.events('dispatch').length).to.equal(before1);
      const last = s2.events('dispatch').pop() as Line;
      expect(last.method).to.equal('whoami');
      expect(last.ctxt).to.deep.equal({ ...ctx, client_timeout: null });
    });

    it('cast reaches exactly one of the two servers', async () => {
      const value = randomBytes(6).toString('hex');
      const r = await call(['--method', 'echo', '--args', JSON.stringify({ value }), '--cast']);
      expect(r.last).to.deep.equal({ ok: true, result: null });
      const mine = () => dispatches('echo').filter((l) => (l.args as Line).value === value);
      await s1.waitFor(() => mine().length >= 1, 10_000, 'cast dispatch');
      await sleep(500);
      expect(mine()).to.have.length(1);
    });

    it('fanout cast reaches both servers', async () => {
      const value = randomBytes(6).toString('hex');
      const r = await call(['--method', 'echo', '--args', JSON.stringify({ value }), '--fanout']);
      expect(r.last).to.deep.equal({ ok: true, result: null });
      const on = (p: Peer) => p.events('dispatch').filter((l) => (l.args as Line).value === value);
      await s1.waitFor(() => on(s1).length === 1, 10_000, 'fanout on s1');
      await s2.waitFor(() => on(s2).length === 1, 10_000, 'fanout on s2');
    });

    it('a ValueError crosses as builtins.ValueError', async () => {
      const r = await call(['--method', 'fail', '--args', '{"message": "boom"}']);
      expect(r.code).to.equal(1);
      expect(r.last.ok).to.equal(false);
      expect(r.last.remote).to.equal(true);
      if (clientKind === 'ts') {
        // Our client maps unregistered remote classes to RemoteError.
        expect(r.last.error_class).to.equal('RemoteError');
        expect(r.last.exc_type).to.equal('ValueError');
        expect(String(r.last.message)).to.match(/^Remote error: ValueError boom\n/);
      } else {
        // Python rebuilds builtins: a plain ValueError whose text starts with the message.
        expect(r.last.error_class).to.equal('ValueError');
        expect(String(r.last.message)).to.match(/^boom\n/);
      }
    });

    it('missing or private method: NoSuchMethod', async () => {
      for (const method of ['no_such_method', '_announce']) {
        const r = await call(['--method', method]);
        expect(r.code).to.equal(1);
        expect(r.last).to.include({ ok: false, error_class: 'RemoteError', exc_type: 'NoSuchMethod', remote: true });
        expect(String(r.last.message)).to.contain(`Endpoint does not support RPC method ${method}`);
      }
    });

    it('newer minor or other major version: UnsupportedVersion', async () => {
      for (const version of ['1.5', '2.0']) {
        const r = await call(['--method', 'echo', '--version', version, '--args', '{"value": 1}']);
        expect(r.last).to.include({ ok: false, error_class: 'RemoteError', exc_type: 'UnsupportedVersion' });
        expect(String(r.last.message)).to.contain(`Endpoint does not support RPC version ${version}. Attempted method: echo`);
      }
      const ok = await call(['--method', 'echo', '--version', '1.0', '--args', '{"value": 1}']);
      expect(ok.last).to.deep.equal({ ok: true, result: 1 });
    });

    it('namespace, version and exchange select the endpoint', async () => {
      const base = ['call', '--url', url, '--topic', `${topic}_ns`, '--exchange', 'interop_x', '--method', 'echo', '--args', '{"value": "ns"}'];
      const ok = await run(clientKind, [...base, '--namespace', 'ns1', '--version', '1.1']);
      expect(ok.last).to.deep.equal({ ok: true, result: 'ns' });
      const ok2 = await run(clientKind, [...base, '--namespace', 'ns1', '--version', '1.2', '--server', 'n1']);
      expect(ok2.last).to.deep.equal({ ok: true, result: 'ns' });
      const noNs = await run(clientKind, base);
      expect(noNs.last).to.include({ ok: false, exc_type: 'UnsupportedVersion' });
      expect(String(noNs.last.message)).to.contain('Endpoint does not support RPC version 1.0. Attempted method: echo');
      const tooNew = await run(clientKind, [...base, '--namespace', 'ns1', '--version', '1.3']);
      expect(tooNew.last).to.include({ ok: false, exc_type: 'UnsupportedVersion' });
    });

    it('call-monitor heartbeats keep a 3 s call with a 2 s monitor alive', async () => {
      const r = await call(['--method', 'sleep', '--args', '{"seconds": 3}', '--call-monitor-timeout', '2', '--timeout', '20']);
      expect(r.last).to.deep.equal({ ok: true, result: 3 });
    });

    it('times out when no server listens', async () => {
      const r = await run(clientKind, ['call', '--url', url, '--topic', `${topic}_nobody`, '--method', 'echo', '--timeout', '2']);
      expect(r.code).to.equal(1);
      expect(r.last).to.include({ ok: false, error_class: 'MessagingTimeout', remote: false });
      expect(String(r.last.message)).to.match(/^Timed out waiting for a reply to message ID [0-9a-f]{32}/);
    });
  });
}
