import { expect } from 'chai';
import { randomUUID } from 'node:crypto';
import {
  getRpcTransport, RPCClient, RPCServer, Target, MessagingTimeout, MessageDeliveryFailure, type Transport,
} from '../../../common/rpc';
import { parseRabbitUrl } from '../../../common/rpc/drivers/rabbit/url';
import { decodeBody, encodeEnvelope } from '../../../common/rpc/serializer/message';
import { waitFor } from '../../support/processes';

describe('rpc driver details', () => {
  it('parses multi-host rabbit URLs with per-host credentials and a vhost', () => {
    const u = parseRabbitUrl('rabbit://u1:p%40ss@h1:5673,u2:p2@h2/my%2Fvhost?heartbeat=30');
    expect(u.hosts).to.deep.equal([
      { hostname: 'h1', port: 5673, username: 'u1', password: 'p@ss' },
      { hostname: 'h2', port: 5672, username: 'u2', password: 'p2' },
    ]);
    expect(u.vhost).to.equal('my/vhost');
    expect(u.query).to.deep.equal({ heartbeat: '30' });
    expect(parseRabbitUrl('rabbit://guest:guest@127.0.0.1:1234/').vhost).to.equal('/');
    expect(parseRabbitUrl('rabbit://h3').hosts[0]).to.deep.equal({ hostname: 'h3', port: 5672, username: 'guest', password: 'guest' });
  });

  it('masks credentials in the transport URL it exposes', async () => {
    const t = getRpcTransport('rabbit://user:secret@127.0.0.1:1/');
    expect(t.url).to.not.contain('secret');
    await t.close();
  });

  it('with no broker reachable: calls time out, casts give up after their retries', async function () {
    this.timeout(10_000);
    const t = getRpcTransport('rabbit://guest:guest@127.0.0.1:1/');
    try {
      const client = new RPCClient(t, new Target({ topic: 'nowhere' }), { timeout: 0.5 });
      const t0 = Date.now();
      try {
        await client.call({}, 'echo');
        expect.fail('call resolved');
      } catch (e) {
        expect(e).to.be.instanceOf(MessagingTimeout);
      }
      expect(Date.now() - t0).to.be.below(2000);
      try {
        await client.prepare({ retry: 1 }).cast({}, 'echo');
        expect.fail('cast resolved');
      } catch (e) {
        expect(e).to.be.instanceOf(MessageDeliveryFailure);
      }
    } finally {
      await t.close();
    }
  });

  it('retries a reply whose reply queue does not exist yet', async function () {
    this.timeout(10_000);
    const url = `fake://${randomUUID()}`;
    const transports: Transport[] = [getRpcTransport(url), getRpcTransport(url)];
    const [srvT, cliT] = transports;
    const server = new RPCServer(srvT, new Target({ topic: 't', server: 's' }), [{ methods: { echo: (_c, a) => a.value } }]);
    await server.start();
    try {
      await cliT.driver.bus.publish({
        exchange: cliT.driver.topicExchange({ exchange: null }),
        routingKey: 't',
        body: encodeEnvelope({ method: 'echo', args: { value: 'late' }, _msg_id: 'm1', _reply_q: 'reply_late', _timeout: null, _unique_id: 'u1' }),
      });
      // The reply comes back unroutable (the server keeps it to resend); the queue appears after that and still gets it.
      const returned = (srvT.driver as unknown as { returnedReplies: Map<string, number> }).returnedReplies;
      await waitFor(() => returned.size > 0, 5_000, 'the reply returned unroutable');
      const got = await new Promise<Record<string, unknown>>((resolve) => {
        void cliT.driver.bus.subscribe(
          { queue: { name: 'reply_late', durable: false, autoDelete: false, exclusive: false }, prefetch: 0 },
          (d) => { d.ack(); resolve(decodeBody(d.body)); },
        );
      });
      expect(got).to.include({ result: 'late', failure: null, ending: true, _msg_id: 'm1' });
    } finally {
      await server.stop();
      for (const t of transports) await t.close();
    }
  });
});
