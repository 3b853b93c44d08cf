// Transport = one driver instance (one broker connection, one reply queue) chosen by URL.
import { maskPassword } from '../log';
import { MessagingError } from './errors';
import { AmqpDriver, type DriverOptions } from './drivers/amqpdriver';
import type { Bus } from './drivers/base';
import { FakeBus, fakeBrokerFor } from './drivers/fake';
import { RabbitBus, type RabbitOptions } from './drivers/rabbit/bus';
import { parseRabbitUrl } from './drivers/rabbit/url';

/** Built from [oslo_messaging_rabbit] by rabbitTransportOptions() (common/rpc/opts.ts). */
export interface TransportOptions extends RabbitOptions, DriverOptions {
  /** Exchange used when a Target names none (oslo's control_exchange). */
  controlExchange?: string;
}

export class Transport {
  /** The URL with credentials masked (safe to log). */
  readonly url: string;

  constructor(readonly driver: AmqpDriver, url: string) {
    this.url = maskPassword(url);
  }

  get controlExchange(): string {
    return this.driver.controlExchange;
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
    bus = new RabbitBus(parseRabbitUrl(url), options);
  } else {
    throw new MessagingError(`unsupported transport URL scheme: ${maskPassword(url)}`);
  }
  return new Transport(new AmqpDriver(bus, controlExchange, options), url);
}

/** Notifications use the same kind of transport (oslo's get_notification_transport). */
export const getNotificationTransport = getRpcTransport;
