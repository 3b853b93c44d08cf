// A declaration the broker refused, read out of RabbitMQ's message so that the log says why:
// a channel closed with 406 PRECONDITION_FAILED (which argument differs and how), e.g.
//   PRECONDITION_FAILED - inequivalent arg 'durable' for queue 'compute' in vhost '/':
//   received 'false' but current is 'true'
//   PRECONDITION_FAILED - inequivalent arg 'x-queue-type' for queue 'q' in vhost '/':
//   received none but current is the value 'quorum' of type 'longstr'
// or the connection closed with 541 INTERNAL_ERROR because the declaration needs a deprecated
// feature the broker no longer permits (RabbitMQ 4.3: transient_nonexcl_queues), e.g.
//   INTERNAL_ERROR - Feature `transient_nonexcl_queues` is deprecated.

export interface DeclareRefusal {
  /** The broker's text after the reply code (no credentials in it: names and values only). */
  text: string;
  kind: 'queue' | 'exchange' | null;
  name: string | null;
  argument: string | null;
  /** What we declared / what the broker has ('none': argument absent). */
  received: string | null;
  current: string | null;
  /** A deprecated broker feature the declaration would use (541), e.g. transient_nonexcl_queues. */
  feature?: string;
}

const INEQUIVALENT = /inequivalent arg '([^']+)' for (queue|exchange) '([^']*)' in vhost '[^']*': received (.+?) but current is (.+)$/;

function value(v: string): string {
  return v.trim().replace(/^the value /, '').replace(/ of type '[^']*'$/, '');
}

const DEPRECATED = /Feature `?([\w-]+)`? is deprecated/;

/** The refusal in `err` if it is a 406 PRECONDITION_FAILED or a 541 for a deprecated feature, else null. */
export function declareRefusal(err: unknown): DeclareRefusal | null {
  const e = err as { code?: unknown; message?: unknown } | null;
  const message = typeof e?.message === 'string' ? e.message : '';
  const feature = DEPRECATED.exec(message);
  if (feature) {
    const at = message.indexOf('INTERNAL_ERROR');
    const text = (at >= 0 ? message.slice(at) : message).replace(/"$/, '').split('\n')[0];
    return { text, kind: null, name: null, argument: null, received: null, current: null, feature: feature[1] };
  }
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
  if (r.feature === 'transient_nonexcl_queues') {
    return `RabbitMQ refused to declare ${what}: it would be non-durable and non-exclusive, and the broker no longer permits ` +
      'that (deprecated feature transient_nonexcl_queues, denied by default since RabbitMQ 4.3). Set [oslo_messaging_rabbit] ' +
      'rabbit_quorum_queue = true and rabbit_transient_quorum_queue = true on every service (see docs/rabbitmq.md), or permit it ' +
      'on every broker node (deprecated_features.permit.transient_nonexcl_queues = true)';
  }
  if (!r.argument) return `RabbitMQ refused to declare ${what}: ${r.text}`;
  return `RabbitMQ refused to declare ${r.kind} '${r.name}': argument '${r.argument}' is ${r.current} on the broker ` +
    `but we declare ${r.received}. Another service declared it with different [oslo_messaging_rabbit] options ` +
    '(rabbit_quorum_queue, rabbit_transient_quorum_queue, amqp_durable_queues, amqp_auto_delete, rabbit_transient_queues_ttl, rabbit_quorum_*); ' +
    'use the same options everywhere, or delete the queue';
}
