// Placeholder until the amqplib driver lands.
import { MessagingError } from '../../errors';
import type { Bus, Delivery, PublishSpec, SubscribeSpec, Subscription } from '../base';
import type { RabbitUrl } from './url';

export interface RabbitOptions {
  /** ms to keep publishes back after a reconnect so peers can re-declare their queues. */
  reconnectSettleMs?: number;
}

export class RabbitBus implements Bus {
  constructor(readonly url: RabbitUrl, readonly options: RabbitOptions = {}) {}
  async publish(_spec: PublishSpec): Promise<void> { throw new MessagingError('rabbit driver not implemented yet'); }
  async subscribe(_spec: SubscribeSpec, _on: (d: Delivery) => void): Promise<Subscription> {
    throw new MessagingError('rabbit driver not implemented yet');
  }
  async close(): Promise<void> {}
}
