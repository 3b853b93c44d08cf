// [oslo_messaging_rabbit] and [oslo_messaging_notifications] as oslo.messaging names them, with
// its defaults (oslo.messaging 18.x: _drivers/impl_rabbit.py, _drivers/amqp.py,
// notify/notifier.py). Part of every service's schema (COMMON_OPTS); common/rpc/opts.ts turns
// them into transport options and a notifier.
import type { Schema } from './index';

export const RABBIT_OPTS = {
  oslo_messaging_rabbit: {
    rabbit_quorum_queue: { type: 'bool', default: false, help: 'Use quorum queues (x-queue-type: quorum, durable) for topic and notification queues; amqp_durable_queues is then ignored' },
    rabbit_transient_quorum_queue: { type: 'bool', default: false, help: 'Use quorum queues for the transient queues too (reply_ and fanout queues, durable; fanout exchanges durable)' },
    rabbit_quorum_delivery_limit: { type: 'int', default: 0, min: 0, help: 'x-delivery-limit of quorum queues (0: none)' },
    rabbit_quorum_max_memory_length: { type: 'int', default: 0, min: 0, help: 'x-max-in-memory-length of quorum queues (0: none)' },
    rabbit_quorum_max_memory_bytes: { type: 'int', default: 0, min: 0, help: 'x-max-in-memory-bytes of quorum queues (0: none)' },
    rabbit_transient_queues_ttl: { type: 'int', default: 1800, min: 0, help: 'x-expires of reply_ and fanout queues, seconds (0: none)' },
    amqp_durable_queues: { type: 'bool', default: false, help: 'Durable topic exchanges and queues' },
    amqp_auto_delete: { type: 'bool', default: false, help: 'Auto-delete topic exchanges and queues' },
    rabbit_qos_prefetch_count: { type: 'int', default: 0, min: 0, help: 'Prefetch of RPC server and notification consumers (0: attachd\'s bound, twice the executor size)' },
    kombu_reconnect_delay: { type: 'float', default: 1.0, min: 0, max: 4.5, help: 'Seconds to wait before re-consuming after a consumer cancel notification' },
    kombu_reconnect_splay: { type: 'float', default: 0.0, min: 0, help: 'Up to this many seconds more, at random, after a consumer cancel notification' },
    rabbit_retry_interval: { type: 'int', default: 1, min: 1, help: 'First wait, seconds, after the broker refused a declaration' },
    rabbit_retry_backoff: { type: 'int', default: 2, min: 0, help: 'Seconds added to the wait after each further refusal' },
    rabbit_interval_max: { type: 'int', default: 30, min: 1, help: 'Longest wait between declaration retries, seconds' },
    heartbeat_timeout_threshold: { type: 'int', default: 60, min: 0, help: 'AMQP heartbeat timeout, seconds (0: no heartbeat)' },
    heartbeat_rate: { type: 'int', default: 3, min: 1, help: 'Accepted for oslo compatibility (amqplib checks heartbeats itself)' },
    kombu_missing_consumer_retry_timeout: { type: 'int', default: 60, min: 0, help: 'Seconds a reply to a missing reply queue, and a cast or notification no queue took (returned by the broker), are sent again before giving up' },
    enable_cancel_on_failover: { type: 'bool', default: false, help: 'Consumers ask for x-cancel-on-ha-failover: the broker cancels them when their queue fails over, and they re-declare and consume again' },
    use_queue_manager: { type: 'bool', default: false, help: 'Name reply and fanout queues <hostname>:<processname>:<n> instead of a random uuid, the same after a restart (and keep them on stop)' },
    hostname: { type: 'str', default: null, help: 'Host name in queue manager names (default: this host\'s name)' },
    processname: { type: 'str', default: null, help: 'Process name in queue manager names (default: the program\'s name)' },
    rabbit_stream_fanout: { type: 'bool', default: false, help: 'One stream queue (x-queue-type: stream) <topic>_fanout per topic instead of a fanout queue per server; needs rabbit_transient_quorum_queue = true' },
    ssl: { type: 'bool', default: false, help: 'Connect over TLS' },
    ssl_version: { type: 'str', default: '', choices: ['', 'tlsv1', 'tlsv1_1', 'tlsv1_2', 'tlsv1_3', 'sslv23', 'tls'], help: 'Pin the TLS version (tlsv1_2: TLS 1.2 only); empty: negotiate' },
    ssl_key_file: { type: 'str', default: '', help: 'Client private key (PEM)' },
    ssl_cert_file: { type: 'str', default: '', help: 'Client certificate (PEM)' },
    ssl_ca_file: { type: 'str', default: '', help: 'CA certificates that sign the broker\'s certificate (PEM); empty: the system\'s' },
    ssl_enforce_hostname_verification: { type: 'bool', default: false, help: 'With ssl_ca_file, also check the broker\'s host name against its certificate' },
    direct_mandatory_flag: { type: 'bool', default: true, help: '(Deprecated in oslo) Publish replies mandatory: a reply to a missing queue comes back and is retried' },
  },
} as const satisfies Schema;

export const NOTIFIER_DRIVERS = ['messagingv2', 'messaging', 'log', 'noop'] as const;

export const NOTIFICATION_OPTS = {
  oslo_messaging_notifications: {
    // oslo's MultiStrOpt: here one line, comma-separated.
    driver: { type: 'list', default: [], choices: NOTIFIER_DRIVERS, help: `Notification drivers (${NOTIFIER_DRIVERS.join(', ')}); none: no notifications` },
    transport_url: { type: 'str', default: null, secret: true, help: 'Transport for notifications (unset: the RPC transport_url)' },
    topics: { type: 'list', default: ['notifications'], help: 'Topics notifications are sent to' },
    retry: { type: 'int', default: -1, min: -1, help: 'Reconnect attempts per notification (0: none, -1: no limit)' },
  },
} as const satisfies Schema;

export const MESSAGING_OPTS = { ...RABBIT_OPTS, ...NOTIFICATION_OPTS } as const satisfies Schema;
