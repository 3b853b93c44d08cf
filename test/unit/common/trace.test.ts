import { expect } from 'chai';
import { randomUUID } from 'node:crypto';
import { getRpcTransport, RPCClient, RPCServer, Target } from '../../../common/rpc';
import {
  addSpanSink, formatTraceparent, MemorySpanStore, otlpBody, parseTraceparent, startSpan, withSpan, currentScope,
  traceMethods, setTracingEnabled, tracingEnabled, type SpanRecord,
} from '../../../common/trace';
import { arrowsOf, renderSequenceSvg } from '../../../common/trace/diagram';
import { DbSpanStore, idsOfContextDict } from '../../../common/trace';
import { migrateDatabase } from '../../../common/db';
import { openNovaDatabase } from '../../../nova-common/db';
import { renderTracePage } from '../../../common/trace/page';
import type { DataSource } from 'typeorm';

describe('common/trace', function () {
  this.timeout(10_000);
  let store: MemorySpanStore;
  let remove: () => void;
  let was: boolean;
  // Tracing is off by default ([trace] enabled); these tests turn it on, as that option does.
  beforeEach(() => {
    was = tracingEnabled();
    setTracingEnabled(true);
    store = new MemorySpanStore(1000);
    remove = addSpanSink(store);
  });
  afterEach(() => {
    remove();
    setTracingEnabled(was);
  });

  it('reads and writes W3C traceparent, refusing invalid values', () => {
    const tp = '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01';
    expect(parseTraceparent(tp, 'vendor=x')).to.deep.equal({ traceId: '4bf92f3577b34da6a3ce929d0e0e4736', spanId: '00f067aa0ba902b7', sampled: true, tracestate: 'vendor=x' });
    expect(formatTraceparent(parseTraceparent(tp)!)).to.equal(tp);
    for (const bad of ['', 'x', '00-00000000000000000000000000000000-00f067aa0ba902b7-01', 'ff-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01',
      '00-4bf92f3577b34da6a3ce929d0e0e4736-0000000000000000-01', '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01-extra', 42]) {
      expect(parseTraceparent(bad), String(bad)).to.equal(null);
    }
  });

  it('records nothing outside a trace unless the span is an entry point', async () => {
    expect(startSpan({ name: 'db.x', peer: 'database' })).to.equal(null);
    await withSpan({ name: 'POST', kind: 'server', service: 'nova-api', root: true, ids: { requestId: 'req-a' } }, async () => {
      await withSpan({ name: 'db.bdmCreate', kind: 'client', peer: 'database' }, async () => undefined);
    });
    const spans = [...store.all()];
    expect(spans.map((s) => s.name)).to.deep.equal(['db.bdmCreate', 'POST']);
    expect(spans[0].traceId).to.equal(spans[1].traceId);
    expect(spans[0].parentSpanId).to.equal(spans[1].spanId);
    expect(spans[0].service).to.equal('nova-api');
    expect(spans[0].globalRequestId).to.equal('req-a');
  });

  it('traces wrapped methods and records their failure', async () => {
    const driver = { async initializeConnection(): Promise<never> { throw new Error('backend down'); }, sync(): number { return 7; } };
    traceMethods(driver, ['initializeConnection', 'sync'], { peer: 'target' });
    await withSpan({ name: 'initialize_connection', kind: 'server', service: 'cinder-volume', root: true }, async () => {
      expect(driver.sync()).to.equal(7);
      await driver.initializeConnection().catch(() => undefined);
    });
    const failed = [...store.all()].find((s) => s.name === 'initializeConnection')!;
    expect(failed.status).to.equal('error');
    expect(failed.error).to.contain('backend down');
    expect(failed.peer).to.equal('target');
  });

  it('carries traceparent in the RPC context dict and continues the trace on the server, with the sender\'s ids in scope', async () => {
    const url = `fake://trace-${randomUUID()}`;
    const t = getRpcTransport(url);
    let seen: Record<string, unknown> = {};
    let scopeIds: unknown;
    const server = new RPCServer(t, new Target({ topic: 'tt', server: 'h' }), [{
      methods: { ping: (ctxt) => { seen = ctxt; scopeIds = currentScope()?.ids; return 'pong'; } },
    }], { traceService: 'cinder-volume' });
    await server.start();
    try {
      const client = new RPCClient(t, new Target({ topic: 'tt', server: 'h' }));
      await withSpan({ name: 'POST', kind: 'server', service: 'cinder-api', root: true }, () =>
        client.call({ request_id: 'req-b', global_request_id: 'req-a', user_id: 'u', project_id: 'p' }, 'ping'));
    } finally {
      await server.stop();
      await t.close();
    }
    const spans = [...store.all()];
    const call = spans.find((s) => s.kind === 'client' && s.name === 'ping')!;
    const dispatch = spans.find((s) => s.kind === 'server' && s.name === 'ping')!;
    expect(seen.traceparent).to.equal(formatTraceparent({ traceId: call.traceId, spanId: call.spanId, sampled: true }));
    expect(dispatch.parentSpanId).to.equal(call.spanId);
    expect(dispatch.service).to.equal('cinder-volume');
    expect(dispatch.requestId).to.equal('req-b');
    expect(dispatch.globalRequestId).to.equal('req-a');
    expect(scopeIds).to.deep.include({ requestId: 'req-b', globalRequestId: 'req-a' });
  });

  it('keeps spans in trace_spans: found by local, global or trace id, pruned to max_spans', async () => {
    await withSpanStore(async (db, ds, spans) => {
      expect((await db.forRequest('req-b')).map((x) => x.spanId)).to.have.members(spans.map((x) => x.spanId));
      expect(await db.forRequest('req-a')).to.have.length(spans.length);
      expect(await db.forRequest('a'.repeat(32))).to.have.length(spans.length);
      expect(await db.forRequest('req-none')).to.deep.equal([]);
      for (let i = 0; i < 150; i++) db.add({ ...spans[0], traceId: i.toString(16).padStart(32, '0'), spanId: i.toString(16).padStart(16, '0') });
      await db.flush();
      await db.prune();
      const kept = await spansIn(ds);
      expect(kept).to.be.within(90, 100);
      expect(await db.forRequest('a'.repeat(32))).to.deep.equal([]);
      expect(await db.forRequest((149).toString(16).padStart(32, '0'))).to.have.length(1);
    });
  });

  it('writes the spans one request has in a batch as one row; prunes by spans, not rows', async () => {
    await withSpanStore(async (db, ds, spans) => {
      await db.flush();
      // nova-api and nova-compute share req-a; cinder-api and cinder-volume share req-b.
      const rows = await ds.query('SELECT request_id, record FROM trace_spans ORDER BY id') as Array<{ request_id: string; record: string }>;
      expect(rows.map((r) => r.request_id)).to.deep.equal(['req-a', 'req-b']);
      expect(rows.map((r) => (JSON.parse(r.record) as unknown[]).length)).to.deep.equal([9, 5]);
      // A row of one span object, as written before rows held arrays, is still read.
      const old = { ...spans[0], traceId: 'c'.repeat(32), requestId: 'req-old', globalRequestId: 'req-old' };
      await ds.query('INSERT INTO trace_spans (trace_id, request_id, global_request_id, record) VALUES (?, ?, ?, ?)',
        [old.traceId, 'req-old', 'req-old', JSON.stringify(old)]);
      expect(await db.forRequest('req-old')).to.deep.equal([old]);
      // 60 requests of 4 spans each: the newest rows that hold about 100 spans are kept.
      for (let i = 0; i < 60; i++) {
        const traceId = (1000 + i).toString(16).padStart(32, '0');
        for (let j = 0; j < 4; j++) db.add({ ...spans[1], traceId, spanId: (i * 4 + j).toString(16).padStart(16, '0'), requestId: `req-${i}`, globalRequestId: `req-${i}` });
      }
      await db.flush();
      await db.prune();
      expect(await spansIn(ds)).to.be.within(80, 100);
      expect(await db.forRequest('req-59')).to.have.length(4);
      expect(await db.forRequest('req-0')).to.deep.equal([]);
    });
  });

  it('exports OTLP/JSON: one resource per service, ids, kinds and error status', () => {
    const body = otlpBody(fixture()) as { resourceSpans: Array<{ resource: { attributes: Array<{ value: { stringValue: string } }> }; scopeSpans: Array<{ spans: Array<Record<string, unknown>> }> }> };
    const services = body.resourceSpans.map((r) => r.resource.attributes[0].value.stringValue);
    expect(services).to.include.members(['nova-api', 'nova-compute', 'cinder-api', 'cinder-volume']);
    const all = body.resourceSpans.flatMap((r) => r.scopeSpans[0].spans);
    const failed = all.find((s) => s.name === 'initializeConnection')!;
    expect(failed.status).to.deep.equal({ code: 2, message: 'VolumeBackendAPIException: export failed' });
    expect(failed.kind).to.equal(3);
    expect(String(failed.startTimeUnixNano)).to.match(/^\d{19}$/);
  });
});

/** A span store bounded to 100 spans on a fresh SQLite database, holding the fixture's spans. */
async function withSpanStore(fn: (db: DbSpanStore, ds: DataSource, spans: SpanRecord[]) => Promise<void>): Promise<void> {
  const ds = await openNovaDatabase('sqlite://:memory:');
  await migrateDatabase(ds);
  try {
    const db = new DbSpanStore(ds, 100);
    const spans = fixture();
    for (const sp of spans) db.add(sp);
    await fn(db, ds, spans);
    await db.close();
  } finally {
    await ds.destroy();
  }
}

/** How many spans trace_spans holds (a row holds an array of them, or one). */
async function spansIn(ds: { query(sql: string): Promise<unknown> }): Promise<number> {
  const rows = await ds.query('SELECT record FROM trace_spans') as Array<{ record: string }>;
  return rows.reduce((n, r) => n + ([JSON.parse(r.record)] as unknown[]).flat().length, 0);
}

// A recorded attach that fails at initialize_connection and rolls back (legacy flow, trimmed).
function fixture(): SpanRecord[] {
  let t = 1_700_000_000_000;
  const trace = 'a'.repeat(32);
  const sp = (id: string, parent: string | null, service: string, name: string, kind: SpanRecord['kind'], attrs: SpanRecord['attrs'] = {},
    o: { peer?: string; error?: string; duration?: number } = {}): SpanRecord => ({
    traceId: trace, spanId: id.padStart(16, '0'), parentSpanId: parent ? parent.padStart(16, '0') : null, name, kind, service, peer: o.peer ?? null,
    start: (t += 5), duration: o.duration ?? 2, status: o.error ? 'error' : 'ok', error: o.error ?? null,
    requestId: service.startsWith('cinder') ? 'req-b' : 'req-a', globalRequestId: 'req-a', attrs,
  });
  const http = (m: string, route: string, action?: string, code = 200): SpanRecord['attrs'] =>
    ({ 'http.method': m, 'http.route': route, ...(action ? { 'http.action': action } : {}), 'http.status_code': code });
  return [
    sp('1', null, 'nova-api', 'POST', 'server', http('POST', '/v2.1/servers/:server_id/os-volume_attachments'), { duration: 80 }),
    sp('2', '1', 'nova-api', 'db.bdmCreate', 'client', {}, { peer: 'database' }),
    sp('3', '1', 'nova-api', 'db.actionStart', 'client', {}, { peer: 'database' }),
    sp('4', '1', 'nova-api', 'attach_volume', 'producer', { 'rpc.kind': 'cast', 'rpc.method': 'attach_volume', 'rpc.topic': 'compute.host1' }, { peer: 'broker' }),
    sp('5', '4', 'nova-compute', 'attach_volume', 'consumer', { 'rpc.method': 'attach_volume' }, { duration: 200, error: 'VolumeBackendAPIException: export failed' }),
    sp('6', '5', 'nova-compute', 'POST /volumes/{id}/action', 'client', { 'http.method': 'POST', 'http.action': 'os-initialize_connection' }, { peer: 'cinder-api', error: 'VolumeBackendAPIException: export failed' }),
    sp('7', '6', 'cinder-api', 'POST', 'server', http('POST', '/v3/:project_id/volumes/:id/action', 'os-initialize_connection', 500), { error: 'VolumeBackendAPIException: export failed' }),
    sp('8', '7', 'cinder-api', 'initialize_connection', 'client', { 'rpc.kind': 'call', 'rpc.method': 'initialize_connection', 'rpc.topic': 'cinder-volume.host1@fake' }, { peer: 'broker', error: 'VolumeBackendAPIException: export failed' }),
    sp('9', '8', 'cinder-volume', 'initialize_connection', 'server', { 'rpc.method': 'initialize_connection' }, { error: 'VolumeBackendAPIException: export failed' }),
    sp('10', '9', 'cinder-volume', 'initializeConnection', 'client', {}, { peer: 'target', error: 'VolumeBackendAPIException: export failed' }),
    sp('11', '5', 'nova-compute', 'rollback attach', 'internal', { rollback: true }),
    sp('12', '11', 'nova-compute', 'POST /volumes/{id}/action', 'client', { 'http.method': 'POST', 'http.action': 'os-unreserve', rollback: true }, { peer: 'cinder-api' }),
    sp('13', '12', 'cinder-api', 'POST', 'server', http('POST', '/v3/:project_id/volumes/:id/action', 'os-unreserve', 202)),
    sp('14', '11', 'nova-compute', 'db.bdmDestroyIf', 'client', { rollback: true }, { peer: 'database' }),
  ];
}

describe('trace sequence diagram', () => {
  const svg = renderSequenceSvg(fixture(), 'req-a');
  const messages = [...svg.matchAll(/<g class="message" data-kind="(\w+)" data-from="([\w-]+)" data-to="([\w-]+)" data-status="(\w+)" data-rollback="(\w+)"[^>]*>[\s\S]*?<\/g>/g)]
    .map((m) => ({ kind: m[1], from: m[2], to: m[3], status: m[4], rollback: m[5] === 'true', body: m[0] }));

  it('draws a lifeline per process and per thing they talk to, in the order a request crosses them', () => {
    const lanes = [...svg.matchAll(/data-lifeline="([\w-]+)"/g)].map((m) => m[1]);
    expect(lanes).to.deep.equal(['client', 'nova-api', 'nova-compute', 'broker', 'cinder-api', 'cinder-volume', 'target', 'database']);
  });

  it('draws an arrow per REST call and RPC message, labelled with the action and duration', () => {
    const pairs = messages.filter((m) => m.kind !== 'reply').map((m) => `${m.kind} ${m.from}->${m.to}`);
    expect(pairs).to.include.members(['rest client->nova-api', 'rpc nova-api->broker', 'rpc broker->nova-compute', 'rest nova-compute->cinder-api',
      'rpc cinder-api->broker', 'rpc broker->cinder-volume', 'driver cinder-volume->target', 'db nova-api->database']);
    expect(messages.find((m) => m.kind === 'rpc' && m.from === 'nova-api')!.body).to.contain('cast attach_volume → compute.host1');
    expect(messages.find((m) => m.kind === 'rest' && m.to === 'cinder-api')!.body).to.match(/os-initialize_connection \(2\.0 ms\)/);
    // The two back-to-back database units of nova-api's request are one arrow.
    expect(messages.filter((m) => m.kind === 'db' && m.from === 'nova-api')).to.have.length(1);
    expect(svg).to.contain('db: bdmCreate, actionStart (4.0 ms)');
  });

  it('draws the failing step in red, with the error', () => {
    const failed = messages.find((m) => m.kind === 'driver' && m.to === 'target')!;
    expect(failed.status).to.equal('error');
    expect(failed.body).to.contain('stroke="#c62828"');
    expect(failed.body).to.contain('✗ VolumeBackendAPIException: export failed');
    expect(messages.find((m) => m.kind === 'rest' && m.from === 'client')!.status).to.equal('ok');
  });

  it('shows the rollback as such: marked, dashed orange arrows on a band, down to the other project\'s side', () => {
    const rb = messages.filter((m) => m.rollback);
    expect(rb.map((m) => `${m.kind} ${m.from}->${m.to}`)).to.include.members(['note nova-compute->nova-compute', 'rest nova-compute->cinder-api', 'db nova-compute->database']);
    const unreserve = rb.find((m) => m.kind === 'rest')!;
    expect(unreserve.body).to.contain('↺ POST /v3/:project_id/volumes/:id/action os-unreserve');
    expect(unreserve.body).to.contain('stroke="#e65100"');
    expect(unreserve.body).to.contain('stroke-dasharray');
    expect(svg).to.contain('class="rollback-band"');
    expect(arrowsOf(fixture()).filter((a) => !a.rollback && a.label.includes('os-unreserve'))).to.have.length(0);
  });

  it('puts the SVG in an HTML page with the spans, escaping what it shows', () => {
    const spans = fixture();
    spans[0].error = '<script>alert(1)</script>';
    spans[0].status = 'error';
    const html = renderTracePage(spans, 'req-a');
    expect(html).to.match(/^<!DOCTYPE html>/);
    expect(html).to.contain('<svg');
    expect(html).to.not.contain('<script>');
    expect(html).to.contain('&lt;script&gt;');
  });
});

describe('idsOfContextDict: the ids a log line shows, from an oslo context dict', () => {
  it('reads request, global request, user and project ids, with the old user/tenant keys as fallbacks', () => {
    expect(idsOfContextDict({ request_id: 'req-1', global_request_id: 'req-g', user_id: 'u', project_id: 'p' }))
      .to.deep.equal({ requestId: 'req-1', globalRequestId: 'req-g', userId: 'u', projectId: 'p' });
    expect(idsOfContextDict({ request_id: 'req-1', user: 'u2', tenant: 'p2' }))
      .to.deep.equal({ requestId: 'req-1', globalRequestId: null, userId: 'u2', projectId: 'p2' });
  });
  it('gives nothing without a request id, and ignores values that are not strings', () => {
    expect(idsOfContextDict({ user_id: 'u' })).to.equal(undefined);
    expect(idsOfContextDict({ request_id: 7 })).to.equal(undefined);
    expect(idsOfContextDict({ request_id: 'req-1', user_id: 5, project_id: '' })).to.deep.equal({ requestId: 'req-1', globalRequestId: null, userId: null, projectId: null });
  });
});
