// The RPC layer's observer hooks as Prometheus series (common/metrics/rpc.ts): call latency by
// topic, method and outcome; timeouts and remote errors counted; casts; server-side dispatch
// by method and outcome, an unknown method under one label. On fake://, one topic per test.
import { expect } from 'chai';
import { randomUUID } from 'node:crypto';
import { installRpcMetrics } from '../../../common/metrics';
import {
  addRpcObserver, getRpcTransport, MessagingTimeout, RemoteError, RPCClient, RPCServer, Target, ValueError, type Transport,
} from '../../../common/rpc';
import { waitFor } from '../../support/processes';
import { scrapeRegistry, value } from '../../support/metrics';

describe('rpc metrics (observer hooks → prom-client)', function () {
  this.timeout(10_000);
  let transport: Transport;
  let server: RPCServer;
  let client: RPCClient;
  let topic: string;
  let release: () => void = () => undefined;

  beforeEach(async () => {
    installRpcMetrics();
    topic = `metrics_${randomUUID().slice(0, 8)}`;
    transport = getRpcTransport(`fake://metrics-${randomUUID()}`);
    const held = new Promise<void>((r) => { release = r; });
    server = new RPCServer(transport, new Target({ topic, server: 's1' }), [{
      methods: {
        echo: (_c, a) => a.value,
        boom: () => { throw new ValueError('bad size'); },
        hang: async () => { await held; return null; },
      },
    }]);
    await server.start();
    client = new RPCClient(transport, new Target({ topic, server: 's1' }), { timeout: 5 });
  });
  afterEach(async () => {
    release();
    await server.stop();
    await server.wait();
    await transport.close();
  });

  it('times calls by topic, method and outcome, and counts the dispatch on the server', async () => {
    expect(await client.call({}, 'echo', { value: 7 })).to.equal(7);
    expect(await client.call({}, 'echo', { value: 8 })).to.equal(8);
    const m = await scrapeRegistry();
    expect(value(m, 'attachd_rpc_call_duration_seconds_count', { topic, method: 'echo', outcome: 'success' })).to.equal(2);
    // A reply on fake:// takes well under 10 s: both land in the +Inf and the 10 s buckets.
    expect(value(m, 'attachd_rpc_call_duration_seconds_bucket', { topic, method: 'echo', outcome: 'success', le: '10' })).to.equal(2);
    expect(value(m, 'attachd_rpc_dispatch_duration_seconds_count', { topic, method: 'echo', outcome: 'success' })).to.equal(2);
    expect(value(m, 'attachd_rpc_timeouts_total', { topic })).to.equal(0);
  });

  it('counts a timeout (MessagingTimeout) by topic and method', async () => {
    const err = await client.prepare({ timeout: 0.2 }).call({}, 'hang').then(() => null, (e: unknown) => e);
    expect(err).to.be.instanceOf(MessagingTimeout);
    const m = await scrapeRegistry();
    expect(value(m, 'attachd_rpc_timeouts_total', { topic, method: 'hang' })).to.equal(1);
    expect(value(m, 'attachd_rpc_call_duration_seconds_count', { topic, method: 'hang', outcome: 'timeout' })).to.equal(1);
    expect(value(m, 'attachd_rpc_call_duration_seconds_count', { topic, method: 'hang', outcome: 'success' })).to.equal(0);
  });

  it('counts remote errors by exception class; an unknown method is rejected under method="unknown"', async () => {
    const err = await client.call({}, 'boom').then(() => null, (e: unknown) => e);
    expect(err).to.be.instanceOf(Error);
    const noSuch = await client.call({}, `no_such_${randomUUID().slice(0, 4)}`).then(() => null, (e: unknown) => e);
    expect(noSuch).to.be.instanceOf(RemoteError);
    const m = await scrapeRegistry();
    expect(value(m, 'attachd_rpc_remote_errors_total', { topic, method: 'boom', exception: 'ValueError' })).to.equal(1);
    expect(value(m, 'attachd_rpc_call_duration_seconds_count', { topic, method: 'boom', outcome: 'remote_error' })).to.equal(1);
    expect(value(m, 'attachd_rpc_dispatch_duration_seconds_count', { topic, method: 'boom', outcome: 'error' })).to.equal(1);
    // The wire's method name is not a label: every unresolvable request is one series.
    expect(value(m, 'attachd_rpc_dispatch_duration_seconds_count', { topic, method: 'unknown', outcome: 'rejected' })).to.equal(1);
    expect(m.filter((s) => s.labels.topic === topic && s.labels.method?.startsWith('no_such_') && s.name.startsWith('attachd_rpc_dispatch'))).to.deep.equal([]);
    expect(value(m, 'attachd_rpc_remote_errors_total', { topic, exception: 'NoSuchMethod' })).to.equal(1);
  });

  it('counts casts, and a failing observer never fails the RPC', async () => {
    const remove = addRpcObserver({ callDone: () => { throw new Error('observer bug'); }, castDone: () => { throw new Error('observer bug'); } });
    try {
      await client.cast({}, 'echo', { value: 1 });
      expect(await client.call({}, 'echo', { value: 2 })).to.equal(2);
    } finally {
      remove();
    }
    await waitFor(async () => value(await scrapeRegistry(), 'attachd_rpc_dispatch_duration_seconds_count', { topic, method: 'echo' }) === 2, 5_000, 'the cast dispatched');
    const m = await scrapeRegistry();
    expect(value(m, 'attachd_rpc_casts_total', { topic, method: 'echo', outcome: 'success' })).to.equal(1);
  });
});
