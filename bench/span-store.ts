// bench:requests' last multi-process figure: what a span costs the multi-process layout's
// database store (common/trace/db-store.ts) to write and prune, in this process and in MariaDB.
// Spans come four to a request, as a REST request or an RPC dispatch makes them with its
// database calls; the store writes and prunes as the services' do.
import { DbSpanStore, type SpanRecord } from '../common/trace';
import { openCinderDatabase } from '../cinder-common/db';
import { cpuSeconds, type Proc } from './procs';

const flushed = (): Promise<void> => new Promise((r) => setImmediate(r));

export async function perSpan(url: string, mariadb: Proc, n: number): Promise<void> {
  const ds = await openCinderDatabase(url);
  const store = new DbSpanStore(ds, 20_000);
  try {
    console.log(`\n# the trace store: ${n} spans written, four per request, flushed every 440 as at about 60 cycles/s; CPU per span\n`);
    for (let round = 0; round < 2; round++) {
      const [s0, c0] = [cpuSeconds(mariadb.pid), process.cpuUsage()];
      for (let i = 0; i < n; i++) {
        store.add(span(round * n + i));
        if (i % 440 === 439) await store.flush();
      }
      await store.flush();
      await store.prune();
      await flushed();
      const c = process.cpuUsage(c0);
      console.log(`${'span rows (one per request)'.padEnd(38)} MariaDB ${(((cpuSeconds(mariadb.pid) - s0) * 1e6) / n).toFixed(1)} µs   client ${((c.user + c.system) / n).toFixed(1)} µs`);
    }
  } finally {
    await store.close();
    await ds.destroy();
  }
}

/** The i-th span: requests of four (a REST request's span and three database calls). */
function span(i: number): SpanRecord {
  const trace = (i >> 2).toString(16).padStart(32, '0');
  return {
    traceId: trace, spanId: i.toString(16).padStart(16, '0'), parentSpanId: i % 4 ? (i & ~3).toString(16).padStart(16, '0') : null,
    name: i % 4 ? 'db.volumeGet' : 'POST', kind: i % 4 ? 'client' : 'server', service: 'cinder-api', peer: i % 4 ? 'database' : null,
    start: Date.now(), duration: 0.5, status: 'ok', error: null, requestId: `req-${trace}`, globalRequestId: `req-${trace}`, attrs: {},
  };
}
