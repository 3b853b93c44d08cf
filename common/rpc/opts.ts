// How a service turns [oslo_messaging_rabbit] and [oslo_messaging_notifications]
// (common/config/messaging-opts.ts) into its RPC transport and its notifier.
import { basename } from 'node:path';
import { hostname } from 'node:os';
import type { ConfigOf } from '../config';
import type { MESSAGING_OPTS, RABBIT_OPTS } from '../config/messaging-opts';
import type { ExceptionModule } from './serializer/remote-error';
import { Notifier, type NotifierDriver, type NotifierOptions } from './notify/notifier';
import { getNotificationTransport, getRpcTransport, type Transport, type TransportOptions } from './transport';

type RabbitConf = ConfigOf<typeof RABBIT_OPTS>;
type MessagingConf = ConfigOf<typeof MESSAGING_OPTS> & {
  DEFAULT: { transport_url: string; control_exchange: string; rpc_ping_enabled?: boolean };
};

/** oslo's processname default, basename(sys.argv[0]): the program, without Node's `.js`. */
const programName = (): string => basename(process.argv[1] ?? 'node').replace(/\.[cm]?js$/, '');

/** [oslo_messaging_rabbit] as transport options (controlExchange from [DEFAULT]). */
export function rabbitTransportOptions(conf: RabbitConf, controlExchange?: string): TransportOptions {
  const r = conf.oslo_messaging_rabbit;
  return {
    controlExchange,
    quorumQueue: r.rabbit_quorum_queue,
    transientQuorumQueue: r.rabbit_transient_quorum_queue,
    quorumDeliveryLimit: r.rabbit_quorum_delivery_limit,
    quorumMaxMemoryLength: r.rabbit_quorum_max_memory_length,
    quorumMaxMemoryBytes: r.rabbit_quorum_max_memory_bytes,
    transientQueuesTtl: r.rabbit_transient_queues_ttl,
    durableQueues: r.amqp_durable_queues,
    autoDelete: r.amqp_auto_delete,
    qosPrefetchCount: r.rabbit_qos_prefetch_count,
    kombuReconnectDelay: r.kombu_reconnect_delay,
    kombuReconnectSplay: r.kombu_reconnect_splay,
    retryInterval: r.rabbit_retry_interval,
    retryBackoff: r.rabbit_retry_backoff,
    intervalMax: r.rabbit_interval_max,
    heartbeat: r.heartbeat_timeout_threshold,
    directMandatoryFlag: r.direct_mandatory_flag,
    missingConsumerRetryTimeout: r.kombu_missing_consumer_retry_timeout,
    enableCancelOnFailover: r.enable_cancel_on_failover,
    useQueueManager: r.use_queue_manager,
    hostname: r.hostname ?? hostname(),
    processname: r.processname ?? programName(),
    streamFanout: r.rabbit_stream_fanout,
    tls: r.ssl ? {
      version: r.ssl_version, keyFile: r.ssl_key_file, certFile: r.ssl_cert_file, caFile: r.ssl_ca_file,
      enforceHostnameVerification: r.ssl_enforce_hostname_verification,
    } : undefined,
  };
}

/**
 * A service's RPC transport: [DEFAULT] transport_url and control_exchange, [oslo_messaging_rabbit];
 * `allowedRemoteExmods` is the service's own list, as nova.rpc and cinder.rpc pass theirs to oslo.
 */
export function rpcTransportFromConf(conf: MessagingConf, allowedRemoteExmods: readonly ExceptionModule[] = []): Transport {
  return getRpcTransport(conf.DEFAULT.transport_url, {
    ...rabbitTransportOptions(conf, conf.DEFAULT.control_exchange), rpcPingEnabled: conf.DEFAULT.rpc_ping_enabled ?? false,
    allowedRemoteExmods,
  });
}

export interface ServiceNotifier {
  notifier: Notifier;
  /** Closes the notification transport if it is not the RPC one. */
  close(): Promise<void>;
}

/** A Notifier's options from [oslo_messaging_notifications] (its transport_url aside). */
export function notifierOptions(conf: MessagingConf, publisherId: string): NotifierOptions {
  const n = conf.oslo_messaging_notifications;
  return { publisherId, driver: n.driver as NotifierDriver[], topics: n.topics, retry: n.retry };
}

/**
 * The notifier [oslo_messaging_notifications] asks for: no driver, no notifications (oslo's
 * default); its own transport when transport_url names one, else the RPC transport.
 */
export function notifierFromConf(conf: MessagingConf, rpcTransport: Transport, publisherId: string): ServiceNotifier {
  const n = conf.oslo_messaging_notifications;
  const drivers = n.driver as NotifierDriver[];
  // The log and noop drivers send nothing: no connection for them.
  const own = drivers.some((d) => d !== 'noop' && d !== 'log') && n.transport_url && n.transport_url !== conf.DEFAULT.transport_url
    ? getNotificationTransport(n.transport_url, rabbitTransportOptions(conf, conf.DEFAULT.control_exchange))
    : null;
  const notifier = new Notifier(own ?? rpcTransport, notifierOptions(conf, publisherId));
  return { notifier, close: async () => { await own?.close(); } };
}
