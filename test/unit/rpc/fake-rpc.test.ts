import FakeTimers from '@sinonjs/fake-timers';
import { expect } from 'chai';
import { randomUUID } from 'node:crypto';
import {
  getRpcTransport, Target, RPCClient, RPCServer, Notifier, NotificationListener, MessagingTimeout, RemoteError,
  RPCVersionCapError, InvalidTarget, ValueError, ExceptionModule, type Endpoint,
  type Transport, type Notification,
} from '../../../common/rpc';
import { encodeEnvelope } from '../../../common/rpc/serializer/message';
import { RequestContext } from '../../../common/context';
import { exceptionBases } from '../../../common/exception';
import { waitFor } from '../../support/processes';

const { Invalid } = exceptionBases('cinder.exception', 'CinderException', {
  invalid: 'Unacceptable parameters.', forbidden: { name: 'NotAuthorized', msgFmt: 'Not authorized.' },
});
class VolumeIsBusy extends Invalid {
  static override msgFmt = 'Volume %(volume_name)s is still busy.';
}
/** What a Cinder service's transport allows (cinder.rpc's ALLOWED_EXMODS). */
const CINDER_EXMODS = [new ExceptionModule('cinder.exception', { VolumeIsBusy })];

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('rpc on fake://', function () {
  this.timeout(10_000);
  let url: string;
  let transports: Transport[];
  let servers: RPCServer[];
  const transport = (allowedRemoteExmods: ExceptionModule[] = []): Transport => {
    const t = getRpcTransport(url, { allowedRemoteExmods });
    transports.push(t);
    return t;
  };
  const serve = async (t: Transport, target: Target, endpoints: Endpoint[], executorSize?: number) => {
    const s = new RPCServer(t, target, endpoints, { executorSize });
    await s.start();
    servers.push(s);
    return s;
  };
  const recorder = (name: string, log: string[]): Endpoint => ({
    methods: {
      echo: (_c, a) => a.value,
      note: (_c, a) => { log.push(`${name}:${String(a.value)}`); },
      whoami: (c) => c,
      who: () => name,
      fail: (_c, a) => { throw new ValueError(String(a.message)); },
      busy: () => { throw new VolumeIsBusy({ volume_name: 'v1' }); },
      sleep: async (_c, a) => { await sleep(Number(a.seconds) * 1000); return a.seconds; },
    },
  });

  beforeEach(() => {
    url = `fake://${randomUUID()}`;
    transports = [];
    servers = [];
  });
  afterEach(async () => {
    for (const s of servers) await s.stop();
    for (const t of transports) await t.close();
  });

  it('call returns the result and passes the flat context', async () => {
    await serve(transport(), new Target({ topic: 't', server: 's1' }), [recorder('s1', [])]);
    const client = new RPCClient(transport(), new Target({ topic: 't' }));
    const ctx = new RequestContext({ userId: 'u1', projectId: 'p1', roles: ['member'], requestId: 'req-1' });
    expect(await client.call(ctx, 'echo', { value: { k: [1, 'x', null, 2.5] } })).to.deep.equal({ k: [1, 'x', null, 2.5] });
    const seen = (await client.call(ctx, 'whoami')) as Record<string, unknown>;
    expect(seen.user_id).to.equal('u1');
    expect(seen.request_id).to.equal('req-1');
    expect(seen.roles).to.deep.equal(['member']);
    expect(seen.client_timeout).to.equal(null);
    expect(await client.call({ user_id: 'plain' }, 'whoami')).to.deep.equal({ user_id: 'plain', client_timeout: null });
  });

  it('casts go to one server of the topic, round robin; server-targeted calls to that server', async () => {
    const log: string[] = [];
    await serve(transport(), new Target({ topic: 't', server: 'a' }), [recorder('a', log)]);
    await serve(transport(), new Target({ topic: 't', server: 'b' }), [recorder('b', log)]);
    const client = new RPCClient(transport(), new Target({ topic: 't' }));
    for (let i = 0; i < 4; i++) await client.cast({}, 'note', { value: i });
    await waitFor(() => log.length === 4, 5_000, 'four casts handled');
    expect(log.filter((l) => l.startsWith('a:'))).to.have.length(2);
    expect(await client.prepare({ server: 'b' }).call({}, 'who')).to.equal('b');
    expect(await client.prepare({ server: 'a' }).call({}, 'who')).to.equal('a');
  });

  it('fanout casts reach every server; call with fanout is refused', async () => {
    const log: string[] = [];
    await serve(transport(), new Target({ topic: 't', server: 'a' }), [recorder('a', log)]);
    await serve(transport(), new Target({ topic: 't', server: 'b' }), [recorder('b', log)]);
    const client = new RPCClient(transport(), new Target({ topic: 't', fanout: true }));
    await client.cast({}, 'note', { value: 'all' });
    await waitFor(() => log.length === 2, 5_000, 'the fanout cast on both servers');
    expect(log.sort()).to.deep.equal(['a:all', 'b:all']);
    try {
      await client.call({}, 'who');
      expect.fail('call with fanout');
    } catch (e) {
      expect(e).to.be.instanceOf(InvalidTarget);
    }
  });

  it('times out when no server listens', async () => {
    const client = new RPCClient(transport(), new Target({ topic: 'nobody' }), { timeout: 0.2 });
    const t0 = Date.now();
    try {
      await client.call({}, 'echo', { value: 1 });
      expect.fail('no timeout');
    } catch (e) {
      expect(e).to.be.instanceOf(MessagingTimeout);
      expect((e as Error).message).to.match(/^Timed out waiting for a reply to message ID [0-9a-f]{32}$/);
    }
    expect(Date.now() - t0).to.be.at.least(150);
  });

  it('maps remote errors: ValueError, NoSuchMethod, UnsupportedVersion, a class of a module not allowed', async () => {
    await serve(transport(), new Target({ topic: 't', server: 's' }), [recorder('s', [])]);
    const client = new RPCClient(transport(), new Target({ topic: 't' }));
    const err = async (p: Promise<unknown>): Promise<Error> => {
      try { await p; } catch (e) { return e as Error; }
      throw new Error('no error');
    };
    const v = await err(client.call({}, 'fail', { message: 'boom' })) as RemoteError;
    expect(v).to.be.instanceOf(RemoteError);
    expect([v.excType, v.value]).to.deep.equal(['ValueError', 'boom']);
    expect(v.traceback[v.traceback.length - 1]).to.equal('ValueError: boom\n');
    const n = await err(client.call({}, 'nope')) as RemoteError;
    expect([n.excType, n.value]).to.deep.equal(['NoSuchMethod', 'Endpoint does not support RPC method nope']);
    const u = await err(client.prepare({ version: '1.5' }).call({}, 'echo')) as RemoteError;
    expect([u.excType, u.value]).to.deep.equal(['UnsupportedVersion', 'Endpoint does not support RPC version 1.5. Attempted method: echo']);
    const b = await err(client.call({}, 'busy')) as RemoteError;
    expect(b).to.be.instanceOf(RemoteError);
    expect([b.excType, b.value]).to.deep.equal(['VolumeIsBusy', 'Volume v1 is still busy.']);
  });

  it('two transports in one process rebuild failures by their own allowlist', async () => {
    await serve(transport(), new Target({ topic: 't', server: 's' }), [recorder('s', [])]);
    const err = async (t: Transport): Promise<Error> => {
      try { await new RPCClient(t, new Target({ topic: 't' })).call({}, 'busy'); } catch (e) { return e as Error; }
      throw new Error('no error');
    };
    const [cinder, other] = await Promise.all([err(transport(CINDER_EXMODS)), err(transport())]);
    expect(cinder).to.be.instanceOf(VolumeIsBusy);
    expect(cinder.message).to.equal('Volume v1 is still busy.');
    expect((cinder as VolumeIsBusy).kwargs).to.deep.equal({ volume_name: 'v1' });
    expect((cinder as VolumeIsBusy).code).to.equal(400);
    expect(other).to.be.instanceOf(RemoteError);
    expect([(other as RemoteError).excType, (other as RemoteError).value]).to.deep.equal(['VolumeIsBusy', 'Volume v1 is still busy.']);
  });

  it('endpoint targets: namespace and version', async () => {
    await serve(transport(), new Target({ topic: 't', server: 's' }), [
      { target: new Target({ namespace: 'ns1', version: '3.1' }), methods: { hi: () => 'ns1' } },
    ]);
    const client = new RPCClient(transport(), new Target({ topic: 't', namespace: 'ns1', version: '3.0' }));
    expect(await client.call({}, 'hi')).to.equal('ns1');
    expect(await client.prepare({ version: '3.1' }).call({}, 'hi')).to.equal('ns1');
    try {
      await client.prepare({ namespace: null }).call({}, 'hi');
      expect.fail('namespace mismatch');
    } catch (e) {
      expect((e as RemoteError).excType).to.equal('UnsupportedVersion');
    }
  });

  it('version cap: canSendVersion and RPCVersionCapError', async () => {
    const client = new RPCClient(transport(), new Target({ topic: 't', version: '3.0' }), { versionCap: '3.1' });
    expect(client.canSendVersion('3.1')).to.equal(true);
    expect(client.canSendVersion('3.2')).to.equal(false);
    expect(client.canSendVersion()).to.equal(true);
    expect(new RPCClient(client.transport, client.target).canSendVersion('9.0')).to.equal(true);
    try {
      await client.prepare({ version: '3.2' }).cast({}, 'x');
      expect.fail('cap');
    } catch (e) {
      expect(e).to.be.instanceOf(RPCVersionCapError);
    }
    const p = client.prepare({ server: 'x', timeout: 5 });
    expect(client.target.server).to.equal(null);
    expect(client.timeout).to.equal(60);
    expect(p.timeout).to.equal(5);
    expect(p.versionCap).to.equal('3.1');
  });

  it('call-monitor heartbeats keep a long call alive; silence ends it', async () => {
    // Fake clock for the timers of the call (the endpoint's sleep, the server's heartbeats, the
    // client's monitor); the fake broker delivers on setImmediate, which stays real.
    const clock = FakeTimers.install({ toFake: ['setTimeout', 'clearTimeout', 'setInterval', 'clearInterval', 'Date'] });
    try {
      await serve(transport(), new Target({ topic: 't', server: 's' }), [recorder('s', [])]);
      const client = new RPCClient(transport(), new Target({ topic: 't' }), { callMonitorTimeout: 2, timeout: 10 });
      const long = client.call({}, 'sleep', { seconds: 3 });
      await clock.tickAsync(3_100);
      expect(await long).to.equal(3);
      // Below 2 s the server sends no heartbeats (interval < 1 s), so the monitor fires.
      const silent = client.prepare({ callMonitorTimeout: 1 }).call({}, 'sleep', { seconds: 2 }).then(() => null, (e: unknown) => e);
      await clock.tickAsync(2_100);
      expect(await silent).to.be.instanceOf(MessagingTimeout);
    } finally {
      clock.uninstall();
    }
  });

  it('runs at most executorSize requests at once, and stop() lets in-flight calls reply', async () => {
    let running = 0;
    let peak = 0;
    let release = (): void => undefined;
    const gate = new Promise<void>((r) => { release = r; });
    let started = (): void => undefined;
    const holding = new Promise<void>((r) => { started = r; });
    const ep: Endpoint = {
      methods: {
        work: async () => { running++; peak = Math.max(peak, running); await sleep(30); running--; return 'done'; },
        hold: async () => { started(); await gate; return 'done'; },
      },
    };
    const server = await serve(transport(), new Target({ topic: 't', server: 's' }), [ep], 2);
    const client = new RPCClient(transport(), new Target({ topic: 't' }), { timeout: 5 });
    const results = await Promise.all(Array.from({ length: 6 }, () => client.call({}, 'work')));
    expect(results).to.deep.equal(Array(6).fill('done'));
    expect(peak).to.equal(2);
    const inflight = client.call({}, 'hold');
    await holding;
    await server.stop();
    release();
    expect(await inflight).to.equal('done');
    await server.wait();
    try {
      await client.prepare({ timeout: 0.2 }).call({}, 'work');
      expect.fail('stopped server answered');
    } catch (e) {
      expect(e).to.be.instanceOf(MessagingTimeout);
    }
  });

  it('answers malformed requests with an error, drops duplicates, keeps serving', async () => {
    const log: string[] = [];
    const t = transport();
    await serve(t, new Target({ topic: 't', server: 's' }), [recorder('s', log)]);
    const client = new RPCClient(transport(), new Target({ topic: 't' }), { timeout: 2 });
    await client.call({}, 'echo', { value: 0 }); // creates the reply queue
    const bus = t.driver.bus;
    const exchange = t.driver.topicExchange({ exchange: null });
    await bus.publish({ exchange, routingKey: 't', body: Buffer.from('not json') });
    // A bad request with a reply queue gets an error back: use the client's own waiter.
    const replyQ = (client.transport.driver as unknown as { replyWaiter: { queue: string } }).replyWaiter.queue;
    const waiter = (client.transport.driver as unknown as { replyWaiter: { wait(id: string, t: number, m: null): Promise<unknown> } }).replyWaiter;
    const reply = waiter.wait('bad1', 2, null);
    await bus.publish({ exchange, routingKey: 't', body: encodeEnvelope({ args: 3, _msg_id: 'bad1', _reply_q: replyQ, _unique_id: 'u-bad' }) });
    try {
      await reply;
      expect.fail('malformed request answered with success');
    } catch (e) {
      expect((e as RemoteError).excType).to.equal('BadRequest');
    }
    const dup = encodeEnvelope({ method: 'note', args: { value: 'dup' }, _unique_id: 'same-id' });
    await bus.publish({ exchange, routingKey: 't', body: dup });
    await bus.publish({ exchange, routingKey: 't', body: dup });
    expect(await client.call({}, 'echo', { value: 'alive' })).to.equal('alive');
    // A cast queued behind the duplicate: once it ran, the duplicate would have run too.
    await client.cast({}, 'note', { value: 'after' });
    await waitFor(() => log.includes('s:after'), 5_000, 'the cast after the duplicate');
    expect(log).to.deep.equal(['s:dup', 's:after']);
  });

  it('rejects unserializable arguments at the caller', async () => {
    const client = new RPCClient(transport(), new Target({ topic: 't' }));
    const circular: Record<string, unknown> = {};
    circular.self = circular;
    try {
      await client.cast({}, 'x', { circular });
      expect.fail('sent');
    } catch (e) {
      expect(e).to.be.instanceOf(TypeError);
    }
  });

  it('notifications: messagingv2 and messaging drivers, sanitized context, priorities', async () => {
    const got: Notification[] = [];
    const listener = new NotificationListener(transport(), [new Target({ topic: 'notifications' })], {
      onMessage: (n) => { got.push(n); },
    });
    await listener.start();
    const ctx = { user_id: 'u1', auth_token: 'SECRET', request_id: 'req-n1' };
    const n2 = new Notifier(transport(), { publisherId: 'volume.host1' });
    await n2.info(ctx, 'volume.attach.end', { volume_id: 'v1' });
    await n2.prepare({ publisherId: 'volume.host2' }).error(ctx, 'volume.attach.error', { why: 'x' });
    await new Notifier(transport(), { publisherId: 'p', driver: 'messaging' }).warn({}, 'old.format', 1);
    await new Notifier(transport(), { publisherId: 'p', driver: 'noop' }).info({}, 'never', 1);
    await waitFor(() => got.length >= 3, 5_000, 'three notifications');
    await listener.stop();
    // Different priorities are different queues: no order between them.
    got.sort((a, b) => ['info', 'error', 'warn'].indexOf(a.priority) - ['info', 'error', 'warn'].indexOf(b.priority));
    expect(got.map((n) => [n.priority, n.eventType, n.publisherId])).to.deep.equal([
      ['info', 'volume.attach.end', 'volume.host1'],
      ['error', 'volume.attach.error', 'volume.host2'],
      ['warn', 'old.format', 'p'],
    ]);
    expect(got[0].ctxt).to.deep.equal({ user_id: 'u1', request_id: 'req-n1' });
    expect(got[0].payload).to.deep.equal({ volume_id: 'v1' });
    expect(String(got[0].metadata.message_id)).to.match(/^[0-9a-f-]{36}$/);
    expect(String(got[0].metadata.timestamp)).to.match(/^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{6}$/);
  });

  it('a notifier with no driver or only noop is not enabled (callers skip building payloads); log and messaging are', () => {
    const t = getRpcTransport('fake://notify-enabled');
    expect(new Notifier(t, { driver: [] }).enabled).to.equal(false);
    expect(new Notifier(t, { driver: 'noop' }).enabled).to.equal(false);
    expect(new Notifier(t, { driver: ['noop', 'log'] }).enabled).to.equal(true);
    expect(new Notifier(t, { driver: 'messagingv2' }).enabled).to.equal(true);
  });

  it('keeps notifications sent before a listener exists', async () => {
    await new Notifier(transport(), { publisherId: 'early' }).info({}, 'e.1', {});
    const got: Notification[] = [];
    const listener = new NotificationListener(transport(), [new Target({ topic: 'notifications' })], {
      onMessage: (n) => { got.push(n); },
    }, { priorities: ['info'] });
    await listener.start();
    await waitFor(() => got.length >= 1, 5_000, 'the early notification');
    await listener.stop();
    expect(got.map((n) => n.eventType)).to.deep.equal(['e.1']);
  });
});
