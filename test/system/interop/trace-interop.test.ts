// W3C trace context across the real Python oslo.messaging: our casts carry `traceparent` and
// `tracestate` in the context dict (the keys an OpenTelemetry-instrumented Python peer reads and
// writes there), a Python peer keeps them, and a Python sender's trace is continued here.
import { expect } from 'chai';
import { randomBytes } from 'node:crypto';
import { getRpcTransport, RPCClient, RPCServer, Target, type Transport } from '../../../common/rpc';
import { addSpanSink, MemorySpanStore, setTracingEnabled, tracingEnabled, withSpan } from '../../../common/trace';
import { requireTransportUrl } from '../../support/servers';
import { Peer, requirePythonOslo, run, type Line } from './peers';

describe('interop: trace context in the oslo context dict', function () {
  this.timeout(60_000);
  let url: string;
  let store: MemorySpanStore;
  let remove: () => void;
  let transport: Transport;
  let was = false;

  before(async function () {
    url = await requireTransportUrl(this);
    requirePythonOslo(this);
    store = new MemorySpanStore(1000);
    remove = addSpanSink(store);
    // Off by default ([trace] enabled); on here, as that option turns it on.
    was = tracingEnabled();
    setTracingEnabled(true);
    transport = getRpcTransport(url);
  });
  after(async () => {
    setTracingEnabled(was);
    remove?.();
    await transport?.close();
  });

  it('a Python server receives our cast with traceparent and tracestate and keeps them', async () => {
    const topic = `trace_py_${randomBytes(4).toString('hex')}`;
    const py = new Peer('py', ['serve', '--url', url, '--topic', topic, '--server', 'p1']);
    try {
      await py.ready();
      const client = new RPCClient(transport, new Target({ topic, server: 'p1' }));
      const remote = { traceId: 'c'.repeat(32), spanId: 'd'.repeat(16), sampled: true, tracestate: 'vendor=42' };
      await withSpan({ name: 'POST', kind: 'server', service: 'nova-api', root: true, parent: remote }, () =>
        client.cast({ request_id: 'req-1', global_request_id: 'req-1' }, 'echo', { value: 'traced' }));
      await py.waitFor(() => py.events('dispatch').length > 0, 10_000, 'the cast');
      const ctxt = (py.events('dispatch')[0] as Line).ctxt as Record<string, unknown>;
      const cast = [...store.all()].find((s) => s.kind === 'producer' && s.name === 'echo')!;
      expect(ctxt.traceparent).to.equal(`00-${'c'.repeat(32)}-${cast.spanId}-01`);
      expect(ctxt.tracestate).to.equal('vendor=42');
      expect(ctxt.global_request_id).to.equal('req-1');
    } finally {
      await py.stop();
    }
  });

  it('a Python sender\'s traceparent is continued by our dispatch span', async () => {
    const topic = `trace_ts_${randomBytes(4).toString('hex')}`;
    let seen: Record<string, unknown> = {};
    const server = new RPCServer(transport, new Target({ topic, server: 't1' }), [{ methods: { whoami: (c) => { seen = c; return c; } } }],
      { traceService: 'cinder-volume' });
    await server.start();
    try {
      const traceId = randomBytes(16).toString('hex');
      const parent = randomBytes(8).toString('hex');
      const ctx = { request_id: 'req-py', global_request_id: 'req-g', traceparent: `00-${traceId}-${parent}-01`, tracestate: 'py=1' };
      const r = await run('py', ['call', '--url', url, '--topic', topic, '--server', 't1', '--method', 'whoami', '--context', JSON.stringify(ctx)]);
      expect(r.last.ok, r.stderr).to.equal(true);
      expect(seen.traceparent).to.equal(ctx.traceparent);
      const dispatch = [...store.all()].find((s) => s.traceId === traceId)!;
      expect(dispatch).to.include({ parentSpanId: parent, service: 'cinder-volume', name: 'whoami', kind: 'server', requestId: 'req-py', globalRequestId: 'req-g' });
    } finally {
      await server.stop();
    }
  });
});
