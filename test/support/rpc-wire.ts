// What an rpcapi puts on the wire, read off the fake broker with a plain consumer bound to one
// routing key (e.g. "compute.host1"): a message sent without its server, to another topic or
// exchange never arrives. Each capture says call or cast (_msg_id/_reply_q), method, version
// and kwargs, as the oslo envelope carries them.
import { FakeBus, fakeBrokerFor } from '../../common/rpc/drivers/fake';
import type { Subscription } from '../../common/rpc/drivers/base';
import { decodeBody } from '../../common/rpc/serializer/message';
import { waitFor } from './processes';

export interface WireMessage {
  kind: 'call' | 'cast';
  method: string;
  version: string | undefined;
  args: Record<string, unknown>;
  context: Record<string, unknown>;
}

export class WireTap {
  readonly got: WireMessage[] = [];
  private sub: Subscription | null = null;
  private readonly bus: FakeBus;

  constructor(private readonly url: string, private readonly exchange: string, private readonly routingKey: string) {
    this.bus = new FakeBus(fakeBrokerFor(url));
  }

  async start(): Promise<void> {
    this.sub = await this.bus.subscribe({
      queue: { name: `wiretap-${this.routingKey}`, durable: false, autoDelete: false, exclusive: false },
      exchange: { name: this.exchange, type: 'topic', durable: false, autoDelete: false }, bindingKey: this.routingKey, prefetch: 0,
    }, (d) => {
      d.ack();
      const m = decodeBody(d.body);
      const context = Object.fromEntries(Object.entries(m).filter(([k]) => k.startsWith('_context_')).map(([k, v]) => [k.slice(9), v]));
      this.got.push({
        kind: '_msg_id' in m && '_reply_q' in m ? 'call' : 'cast', method: String(m.method),
        version: typeof m.version === 'string' ? m.version : undefined, args: (m.args ?? {}) as Record<string, unknown>, context,
      });
    });
  }

  /** The next message (waits for it; bounded). */
  async next(timeoutMs = 3000): Promise<WireMessage> {
    await waitFor(() => this.got.length > 0, timeoutMs, `a message on ${this.routingKey}`, 5);
    return this.got.shift() as WireMessage;
  }

  async stop(): Promise<void> {
    await this.sub?.cancel(true);
    await this.bus.close();
  }
}
