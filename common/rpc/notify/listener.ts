// NotificationListener: reads `<topic>.<priority>` queues (or one shared pool queue).
import { getLogger } from '../../log';
import type { Subscription } from '../drivers/base';
import type { Dict } from '../serializer/message';
import type { Target } from '../target';
import type { Transport } from '../transport';

const LOG = getLogger('rpc.notification-listener');

export const ALL_PRIORITIES = ['audit', 'critical', 'debug', 'error', 'info', 'sample', 'warn'] as const;

export interface Notification {
  ctxt: Dict;
  publisherId: string | null;
  eventType: string;
  payload: unknown;
  metadata: { message_id: unknown; timestamp: unknown };
  /** lower case, as oslo names endpoint methods: 'info', 'warn', 'error', ... */
  priority: string;
}

export interface NotificationHandler {
  onMessage(n: Notification): unknown;
}

export interface ListenerOptions {
  /** Shared queue name: listeners of one pool split the notifications between them. */
  pool?: string | null;
  priorities?: readonly string[];
}

export class NotificationListener {
  private subs: Subscription[] = [];
  private running = 0;
  private idle: (() => void)[] = [];

  constructor(
    readonly transport: Transport,
    readonly targets: Target[],
    private readonly handler: NotificationHandler,
    private readonly options: ListenerOptions = {},
  ) {}

  async start(): Promise<void> {
    this.subs = await this.transport.driver.listenForNotifications(
      this.targets, this.options.priorities ?? ALL_PRIORITIES, this.options.pool ?? null,
      async (msg, ctxt) => {
        this.running++;
        try {
          const priority = typeof msg.priority === 'string' ? msg.priority.toLowerCase() : 'info';
          await this.handler.onMessage({
            ctxt,
            publisherId: (msg.publisher_id ?? null) as string | null,
            eventType: String(msg.event_type ?? ''),
            payload: msg.payload,
            metadata: { message_id: msg.message_id, timestamp: msg.timestamp },
            priority,
          });
        } catch (err) {
          LOG.exception('notification endpoint failed', err);
        } finally {
          this.running--;
          if (this.running === 0) for (const r of this.idle.splice(0)) r();
        }
      },
    );
  }

  async stop(): Promise<void> {
    const subs = this.subs;
    this.subs = [];
    await Promise.all(subs.map((s) => s.cancel(false)));
  }

  /** Resolves when no notification is being handled. */
  wait(): Promise<void> {
    if (this.running === 0) return Promise.resolve();
    return new Promise((r) => this.idle.push(r));
  }
}
