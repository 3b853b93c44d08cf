// The rabbit driver's connection set-up: a socket error between the AMQP handshake and the
// channels being open (the broker killed just after it accepted us, as the chaos campaign's
// back-to-back broker kills do) is a failed attempt to retry, not an 'error' event nobody
// hears, which ended cinder-api.
import { expect } from 'chai';
import { EventEmitter } from 'node:events';
import { RabbitBus } from '../../../common/rpc/drivers/rabbit/bus';
import { parseRabbitUrl } from '../../../common/rpc/drivers/rabbit/url';

// The module object bus.ts calls amqplib.connect on (the same require cache entry).
// eslint-disable-next-line @typescript-eslint/no-require-imports
const amqplib = require('amqplib') as { connect: unknown };

/** An amqplib ChannelModel whose socket is reset while the first channel opens. */
class ResetWhileOpening extends EventEmitter {
  createConfirmChannel(): Promise<never> {
    // amqplib emits the socket's error on the connection from the socket's own callback.
    setImmediate(() => this.emit('error', Object.assign(new Error('read ECONNRESET'), { code: 'ECONNRESET' })));
    return new Promise((_, reject) => setImmediate(() => setImmediate(() => reject(new Error('Connection closed (Error: read ECONNRESET)')))));
  }
  async close(): Promise<void> {}
}

describe('rabbit driver: a connection reset while its channels open', () => {
  const real = amqplib.connect;
  after(() => { amqplib.connect = real; });

  it('is retried as a failed attempt, and the process goes on', async () => {
    let attempts = 0;
    amqplib.connect = async () => {
      attempts++;
      return new ResetWhileOpening();
    };
    const bus = new RabbitBus(parseRabbitUrl('rabbit://127.0.0.1:1/'), { reconnectInitialMs: 1, reconnectMaxMs: 5 });
    try {
      // ping() waits for a connection: each attempt fails, then its deadline passes.
      const err = await bus.ping(300).then(() => null, (e: unknown) => e as Error);
      expect(err?.message).to.match(/unreachable until the deadline/);
      expect(attempts).to.be.greaterThan(1);
    } finally {
      await bus.close();
    }
  });
});
