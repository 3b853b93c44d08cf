// The private broker is stopped and started mid-run: servers and clients must recover by
// themselves, casts issued while it is down wait and are delivered, and no confirmed cast is
// lost. Bounded: at most MAX_CASTS casts and a fixed time budget.
import { expect } from 'chai';
import { randomBytes } from 'node:crypto';
import { requireServersDir, requireTransportUrl, startBroker, stopBroker } from '../../support/servers';
import {
  getRpcTransport, Target, RPCClient, RPCServer, MessagingTimeout, MessageDeliveryFailure, type Transport,
} from '../../../common/rpc';
import { installRpcMetrics } from '../../../common/metrics';
import { scrapeRegistry, total } from '../../support/metrics';

const MAX_CASTS = 3000;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function until(pred: () => boolean, ms: number, what: string): Promise<void> {
  const deadline = Date.now() + ms;
  while (!pred()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(50);
  }
}

describe('rpc over a broker restart', function () {
  this.timeout(180_000);
  let url: string;
  const transports: Transport[] = [];
  let brokerDown = false;

  before(async function () {
    url = await requireTransportUrl(this);
    requireServersDir(this);
  });

  after(async () => {
    if (brokerDown) await startBroker();
    for (const t of transports) await t.close();
  });

  it('recovers servers and clients, loses no confirmed cast', async () => {
    const topic = `restart_${randomBytes(4).toString('hex')}`;
    const serverT = getRpcTransport(url);
    const clientT = getRpcTransport(url);
    transports.push(serverT, clientT);
    const received = new Set<number>();
    let sleeping = false;
    const server = new RPCServer(serverT, new Target({ topic, server: 'r1' }), [{
      methods: {
        record: (_c, a) => { received.add(a.i as number); },
        echo: (_c, a) => a.value,
        sleep: async (_c, a) => { sleeping = true; await sleep(Number(a.seconds) * 1000); return a.seconds; },
      },
    }]);
    await server.start();
    // The reconnects are counted (attachd_rpc_reconnects_total; other tests may add to it meanwhile).
    installRpcMetrics();
    const reconnectsBefore = total(await scrapeRegistry(), 'attachd_rpc_reconnects_total');
    const client = new RPCClient(clientT, new Target({ topic }), { timeout: 5 });
    expect(await client.call({}, 'echo', { value: 'before' })).to.equal('before');

    // Casts in a loop, one at a time; `confirmed` holds those whose promise resolved.
    const confirmed: number[] = [];
    const failed: unknown[] = [];
    let paused = false;
    let stop = false;
    let inFlight = false;
    const loop = (async () => {
      for (let i = 0; i < MAX_CASTS && !stop; i++) {
        while (paused && !stop) await sleep(10);
        inFlight = true;
        try {
          await client.cast({}, 'record', { i });
          confirmed.push(i);
        } catch (err) {
          failed.push(err);
        } finally {
          inFlight = false;
        }
        await sleep(5);
      }
    })();

    await until(() => confirmed.length >= 50, 20_000, '50 casts before the restart');
    // Oslo's queues are not durable: what sits in a queue when the broker stops is gone with
    // it, by design of the wire format. So stop only once everything confirmed was delivered;
    // from then on every cast is issued while the broker is down or after it came back.
    paused = true;
    await until(() => !inFlight && confirmed.every((i) => received.has(i)), 10_000, 'delivery before the stop');
    const beforeStop = confirmed.length;
    // A call that is running while the broker goes away ends, one way or the other, in time.
    const t0 = Date.now();
    const pendingCall = client.prepare({ timeout: 4 }).call({}, 'sleep', { seconds: 1 }).then(
      (v) => ({ ok: true, v }), (e: unknown) => ({ ok: false, e }));
    await until(() => sleeping, 10_000, 'the call running on the server');
    brokerDown = true;
    await stopBroker();
    paused = false;

    // While down: a cast with a small retry budget gives up with MessageDeliveryFailure.
    try {
      await client.prepare({ retry: 1 }).cast({}, 'record', { i: -1 });
      expect.fail('cast resolved while the broker was down');
    } catch (err) {
      expect(err).to.be.instanceOf(MessageDeliveryFailure);
    }
    const call = await pendingCall;
    expect(Date.now() - t0).to.be.below(8_000);
    if (!call.ok) expect((call as { e: unknown }).e).to.be.instanceOf(MessagingTimeout);
    await sleep(1000);
    expect(confirmed.length).to.equal(beforeStop);

    await startBroker();
    brokerDown = false;
    await until(() => confirmed.length >= beforeStop + 100, 60_000, '100 casts after the restart');
    stop = true;
    await loop;

    // Calls work again (the reply queue and the server's queues were re-declared).
    expect(await client.call({}, 'echo', { value: 'after' })).to.equal('after');
    await until(() => confirmed.every((i) => received.has(i)), 20_000, 'every confirmed cast delivered');
    expect(failed).to.deep.equal([]);
    expect(received.has(-1)).to.equal(false);
    // Both transports (server's and client's) came back at least once each.
    expect(total(await scrapeRegistry(), 'attachd_rpc_reconnects_total') - reconnectsBefore).to.be.at.least(2);
    await server.stop();
    await server.wait();
  });
});
