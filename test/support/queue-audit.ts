// The broker's side of a cluster audit: a cast that sits in a queue, or a queue no one consumes,
// is work that has not happened yet (or never will), whatever the rows say. Read with
// basic.declare passive (amqplib's checkQueue), so it works on any broker the tests are given,
// not only on the private one rabbitmqctl can reach.
import * as amqp from 'amqplib';

/** An oslo.messaging transport URL as amqplib takes it: the first host of a list, amqp:. */
export function amqpUrlOf(transportUrl: string): string {
  const m = /^rabbit:\/\/([^@/]*@)?([^/]*)(\/.*)?$/.exec(transportUrl);
  if (!m) return transportUrl.replace(/^rabbit:/, 'amqp:');
  const [creds, hosts, rest] = [m[1] ?? '', m[2], m[3] ?? '/'];
  // rabbit://u:p@h1:5672,u:p@h2:5672/vhost: each host carries its own credentials.
  const first = hosts.split(',')[0];
  return `amqp://${first.includes('@') ? first : creds + first}${rest}`;
}

/**
 * Each queue must exist, have a consumer and hold no message ready for delivery (a message
 * being worked on is unacked, not ready). Returns what is wrong, empty when all is well.
 */
export async function queueDrift(transportUrl: string, queues: readonly string[]): Promise<string[]> {
  const conn = await amqp.connect(amqpUrlOf(transportUrl));
  const out: string[] = [];
  try {
    for (const q of queues) {
      // A missing queue closes the channel it was asked on: one channel per queue.
      const ch = await conn.createChannel();
      ch.on('error', () => undefined);
      try {
        const { messageCount, consumerCount } = await ch.checkQueue(q);
        if (messageCount) out.push(`queue ${q}: ${messageCount} message(s) not delivered`);
        if (!consumerCount) out.push(`queue ${q}: no consumer`);
      } catch (e) {
        out.push(`queue ${q}: ${(e as Error).message.split('\n')[0]}`);
      } finally {
        await ch.close().catch(() => undefined);
      }
    }
  } finally {
    await conn.close().catch(() => undefined);
  }
  return out;
}
