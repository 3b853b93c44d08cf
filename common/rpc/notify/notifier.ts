// Notifier: versioned events on `<topic>.<priority>` (oslo.messaging's notify.Notifier).
import { randomUUID } from 'node:crypto';
import { getLogger, maskDict, type Logger } from '../../log';
import { MessagingError } from '../errors';
import { contextToDict, type Dict } from '../serializer/message';
import { Target } from '../target';
import type { Transport } from '../transport';

const LOG = getLogger('rpc.notifier');

export type NotifierDriver = 'messagingv2' | 'messaging' | 'log' | 'noop';

export interface NotifierOptions {
  /** e.g. 'volume.host1' (service.host). */
  publisherId?: string | null;
  /**
   * messagingv2 (enveloped, default), messaging (1.0, bare dict), log (a JSON log line on
   * oslo.messaging.notification.<event_type>), noop. An empty list sends nothing.
   */
  driver?: NotifierDriver | NotifierDriver[];
  topics?: string[];
  /** Reconnect attempts; null = keep trying. */
  retry?: number | null;
}

/** Keys that may leave the process in a notification (oslo's _sanitize_context: no tokens). */
const SAFE_CONTEXT_KEYS = new Set([
  'user_id', 'project_id', 'domain_id', 'user_domain_id', 'project_domain_id', 'is_admin', 'request_id', 'roles',
  'user_name', 'project_name', 'domain_name', 'user_domain_name', 'project_domain_name', 'service_user_id',
  'service_user_domain_id', 'service_user_domain_name', 'service_project_id', 'service_project_name',
  'service_project_domain_id', 'service_project_domain_name', 'service_roles', 'global_request_id', 'system_scope',
  'user', 'domain', 'user_domain', 'project_domain',
]);

/** Python's str(datetime.utcnow()): "YYYY-MM-DD HH:MM:SS.ffffff". */
export function pyUtcTimestamp(d = new Date()): string {
  const p = (n: number, w = 2): string => String(n).padStart(w, '0');
  return `${d.getUTCFullYear()}-${p(d.getUTCMonth() + 1)}-${p(d.getUTCDate())} ` +
    `${p(d.getUTCHours())}:${p(d.getUTCMinutes())}:${p(d.getUTCSeconds())}.${p(d.getUTCMilliseconds(), 3)}000`;
}

export class Notifier {
  readonly publisherId: string | null;
  readonly drivers: NotifierDriver[];
  readonly topics: string[];
  readonly retry: number | null;

  constructor(readonly transport: Transport, options: NotifierOptions = {}) {
    this.publisherId = options.publisherId ?? null;
    const d = options.driver ?? 'messagingv2';
    this.drivers = Array.isArray(d) ? d : [d];
    for (const x of this.drivers) {
      if (!['messagingv2', 'messaging', 'log', 'noop'].includes(x)) throw new MessagingError(`unknown notification driver ${x}`);
    }
    this.topics = options.topics ?? ['notifications'];
    this.retry = options.retry ?? null;
  }

  /** Whether a notification goes anywhere (a driver other than noop): callers skip building payloads otherwise. */
  get enabled(): boolean {
    return this.drivers.some((d) => d !== 'noop');
  }

  prepare(o: { publisherId?: string | null; retry?: number | null } = {}): Notifier {
    return new Notifier(this.transport, {
      publisherId: o.publisherId === undefined ? this.publisherId : o.publisherId,
      driver: this.drivers,
      topics: this.topics,
      retry: o.retry === undefined ? this.retry : o.retry,
    });
  }

  audit(ctxt: unknown, eventType: string, payload: unknown): Promise<void> { return this.notify(ctxt, eventType, payload, 'audit'); }
  debug(ctxt: unknown, eventType: string, payload: unknown): Promise<void> { return this.notify(ctxt, eventType, payload, 'debug'); }
  info(ctxt: unknown, eventType: string, payload: unknown): Promise<void> { return this.notify(ctxt, eventType, payload, 'info'); }
  warn(ctxt: unknown, eventType: string, payload: unknown): Promise<void> { return this.notify(ctxt, eventType, payload, 'warn'); }
  warning(ctxt: unknown, eventType: string, payload: unknown): Promise<void> { return this.notify(ctxt, eventType, payload, 'warn'); }
  error(ctxt: unknown, eventType: string, payload: unknown): Promise<void> { return this.notify(ctxt, eventType, payload, 'error'); }
  critical(ctxt: unknown, eventType: string, payload: unknown): Promise<void> { return this.notify(ctxt, eventType, payload, 'critical'); }
  sample(ctxt: unknown, eventType: string, payload: unknown): Promise<void> { return this.notify(ctxt, eventType, payload, 'sample'); }

  /**
   * Sends to every topic with every driver. Like oslo, a failure to notify is logged, not
   * thrown: an event must never fail the operation it reports on.
   */
  private async notify(ctxt: unknown, eventType: string, payload: unknown, priority: string): Promise<void> {
    const safe: Dict = {};
    for (const [k, v] of Object.entries(contextToDict(ctxt))) if (SAFE_CONTEXT_KEYS.has(k)) safe[k] = v;
    for (const driver of this.drivers) {
      if (driver === 'noop') continue;
      if (driver === 'log') {
        logNotification(publisherMessage(this.publisherId, eventType, priority, payload), priority);
        continue;
      }
      for (const topic of this.topics) {
        const msg = publisherMessage(this.publisherId, eventType, priority, payload);
        try {
          await this.transport.driver.sendNotification(
            new Target({ topic }), safe, msg, priority, driver === 'messagingv2', this.retry,
          );
        } catch (err) {
          LOG.exception(`Problem attempting to send ${eventType} to notification topic ${topic}`, err);
        }
      }
    }
  }
}

function publisherMessage(publisherId: string | null, eventType: string, priority: string, payload: unknown): Dict {
  return {
    message_id: randomUUID(), publisher_id: publisherId, event_type: eventType, priority: priority.toUpperCase(), payload,
    timestamp: pyUtcTimestamp(),
  };
}

/** oslo's LogDriver: the message as JSON (passwords masked) at the notification's priority. */
function logNotification(msg: Dict, priority: string): void {
  const log: Logger = getLogger(`oslo.messaging.notification.${String(msg.event_type)}`);
  const text = JSON.stringify(maskDict(msg));
  const p = priority.toLowerCase();
  if (p === 'debug') log.debug(text);
  else if (p === 'warn' || p === 'warning') log.warning(text);
  else if (p === 'error' || p === 'critical') log.error(text);
  else log.info(text);
}
