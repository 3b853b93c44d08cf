// Transport = one driver instance (one broker connection, one reply queue) chosen by URL.
import { maskPassword } from '../log';
import { MessagingError } from './errors';
import { AmqpDriver, type DriverOptions } from './drivers/amqpdriver';
import type { Bus } from './drivers/base';
import { FakeBus, fakeBrokerFor } from './drivers/fake';
import { RabbitBus, type RabbitOptions } from './drivers/rabbit/bus';
import { tlsSocketOptions } from './drivers/rabbit/tls';
import { parseRabbitUrl } from './drivers/rabbit/url';

/** Built from [oslo_messaging_rabbit] by rabbitTransportOptions() (common/rpc/opts.ts). */
export interface TransportOptions extends RabbitOptions, DriverOptions {
  /** Exchange used when a Target names none (oslo's control_exchange). */
  controlExchange?: string;
  /** [DEFAULT] rpc_ping_enabled: servers on this transport answer oslo_rpc_server_ping. */
  rpcPingEnabled?: boolean;
}

export class Transport {
  /** The URL with credentials masked (safe to log). */
  readonly url: string;

  readonly rpcPingEnabled: boolean;

  constructor(readonly driver: AmqpDriver, url: string, options: Pick<TransportOptions, 'rpcPingEnabled'> = {}) {
    this.url = maskPassword(url);
    this.rpcPingEnabled = options.rpcPingEnabled ?? false;
  }

  get controlExchange(): string {
    return this.driver.controlExchange;
  }

  /** Resolves once the broker is reachable (connected, or connecting within `timeoutMs`): health checks. */
  ping(timeoutMs = 2000): Promise<void> {
    return this.driver.bus.ping(timeoutMs);
  }

  /** Closes the connection; pending calls fail, servers stop receiving. */
  async close(): Promise<void> {
    await this.driver.close();
  }
}

/**
 * `rabbit://user:pass@host:5672[,user:pass@host2:5672]/vhost` (hosts tried in order) or
 * `fake://` (in-process; every transport of the same fake URL shares one broker).
 */
export function getRpcTransport(url: string, options: TransportOptions = {}): Transport {
  const controlExchange = options.controlExchange ?? 'openstack';
  const scheme = /^([a-z0-9+]+):/i.exec(url)?.[1]?.toLowerCase();
  let bus: Bus;
  if (scheme === 'fake') {
    bus = new FakeBus(fakeBrokerFor(url.replace(/\/+$/, '')));
  } else if (scheme === 'rabbit' || scheme === 'amqp') {
    const parsed = parseRabbitUrl(url);
    // `?ssl=1` in the URL turns TLS on as [oslo_messaging_rabbit] ssl = true does (kombu reads it).
    const sslQuery = /^(1|true|yes|on)$/i.test(parsed.query.ssl ?? '');
    const tls = options.tls ?? (sslQuery ? {} : undefined);
    // A bad ssl_version or an unreadable file is a configuration error: say so now, not at every reconnect.
    if (tls) tlsSocketOptions(tls, parsed.hosts[0].hostname);
    bus = new RabbitBus(parsed, { ...options, tls });
  } else {
    throw new MessagingError(`unsupported transport URL scheme: ${maskPassword(url)}`);
  }
  return new Transport(new AmqpDriver(bus, controlExchange, options), url, options);
}

/** Notifications use the same kind of transport (oslo's get_notification_transport). */
export const getNotificationTransport = getRpcTransport;
