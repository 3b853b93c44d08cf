// A declaration the broker refused (channel closed with 406 PRECONDITION_FAILED), read out of
// RabbitMQ's message so that the log says which argument differs and how, e.g.
//   PRECONDITION_FAILED - inequivalent arg 'durable' for queue 'compute' in vhost '/':
//   received 'false' but current is 'true'
//   PRECONDITION_FAILED - inequivalent arg 'x-queue-type' for queue 'q' in vhost '/':
//   received none but current is the value 'quorum' of type 'longstr'

export interface DeclareRefusal {
  /** The broker's text after the reply code (no credentials in it: names and values only). */
  text: string;
  kind: 'queue' | 'exchange' | null;
  name: string | null;
  argument: string | null;
  /** What we declared / what the broker has ('none': argument absent). */
  received: string | null;
  current: string | null;
}

const INEQUIVALENT = /inequivalent arg '([^']+)' for (queue|exchange) '([^']*)' in vhost '[^']*': received (.+?) but current is (.+)$/;

function value(v: string): string {
  return v.trim().replace(/^the value /, '').replace(/ of type '[^']*'$/, '');
}

/** The refusal in `err` if it is a 406 PRECONDITION_FAILED, else null. */
export function declareRefusal(err: unknown): DeclareRefusal | null {
  const e = err as { code?: unknown; message?: unknown } | null;
  const message = typeof e?.message === 'string' ? e.message : '';
  if (e?.code !== 406 && !message.includes('PRECONDITION_FAILED')) return null;
  const at = message.indexOf('PRECONDITION_FAILED');
  // amqplib wraps the broker's text: ... with message "PRECONDITION_FAILED - ..."
  const text = (at >= 0 ? message.slice(at) : message).replace(/"$/, '');
  const m = INEQUIVALENT.exec(text);
  if (!m) return { text, kind: null, name: null, argument: null, received: null, current: null };
  return { text, kind: m[2] as 'queue' | 'exchange', name: m[3], argument: m[1], received: value(m[4]), current: value(m[5]) };
}

/** One log line: what differs, and which options decide it. */
export function describeRefusal(r: DeclareRefusal, what: string): string {
  if (!r.argument) return `RabbitMQ refused to declare ${what}: ${r.text}`;
  return `RabbitMQ refused to declare ${r.kind} '${r.name}': argument '${r.argument}' is ${r.current} on the broker ` +
    `but we declare ${r.received}. Another service declared it with different [oslo_messaging_rabbit] options ` +
    '(rabbit_quorum_queue, rabbit_transient_quorum_queue, amqp_durable_queues, amqp_auto_delete, rabbit_transient_queues_ttl, rabbit_quorum_*); ' +
    'use the same options everywhere, or delete the queue';
}
