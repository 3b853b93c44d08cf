// Cinder's user messages (cinder/message/api.py and the db's message_* calls): a service that
// sees an asynchronous request fail records why, for the request's project to read. A message
// written with a status change shares its transaction, so it exists exactly when the change
// happened; one written alone is best-effort, as Cinder's (a failure is logged, never raised).
import { randomUUID } from 'node:crypto';
import { LessThan, type DataSource, type EntityManager } from 'typeorm';
import { fastSelect } from '../common/db/fast-select';
import { getLogger } from '../common/log';
import { Message } from './entities';
import { MessageNotFound } from './exception';
import { detailIdOf, Resource, type Field } from './message-field';

const LOG = getLogger('cinder.message');

/** [DEFAULT] message_ttl's default: a message lives at least 30 days. */
export const MESSAGE_TTL_DEFAULT = 2592000;

/** Who the message is for: the failed request's project and id. */
export interface MessageOwner { projectId: string | null; requestId: string | null }

export interface MessageOptions {
  resourceType?: string;
  resourceUuid?: string | null;
  /** The failure: a mapped exception class names the detail (message_field's mappings). */
  exception?: unknown;
  detail?: Field | null;
  level?: 'ERROR' | 'WARNING' | 'INFO';
}

export class UserMessages {
  constructor(private readonly ds: DataSource, private readonly ttlSec = MESSAGE_TTL_DEFAULT) {}

  private get rows() { return fastSelect(this.ds, Message); }

  /** The row message_api.create writes (its event_id is VOLUME_<resource>_<action>_<detail>). */
  record(owner: MessageOwner, action: Field, o: MessageOptions = {}): Message {
    const resourceType = o.resourceType ?? Resource.VOLUME;
    const detailId = detailIdOf(o.exception, o.detail ?? null);
    const now = new Date();
    return Object.assign(new Message(), {
      id: randomUUID(), projectId: owner.projectId ?? '', requestId: owner.requestId, resourceType, resourceUuid: o.resourceUuid ?? null,
      actionId: action[0], detailId, messageLevel: o.level ?? 'ERROR', eventId: `VOLUME_${resourceType}_${action[0]}_${detailId}`,
      expiresAt: new Date(now.getTime() + this.ttlSec * 1000), createdAt: now, updatedAt: null, deletedAt: null, deleted: false,
    });
  }

  /** Inside `m`, the transaction of the change it explains: a failure fails that transaction. */
  async createIn(m: EntityManager, owner: MessageOwner, action: Field, o: MessageOptions = {}): Promise<void> {
    await this.rows.insert(this.record(owner, action, o), m);
  }

  /** On its own, best-effort. */
  async create(owner: MessageOwner, action: Field, o: MessageOptions = {}): Promise<void> {
    LOG.info(`Creating message record for request_id = ${owner.requestId ?? 'None'}`);
    try {
      await this.rows.insert(this.record(owner, action, o));
    } catch (e) {
      LOG.exception(`Failed to create message record for request_id ${owner.requestId ?? 'None'}`, e);
    }
  }

  /** message_get: a live message, of `projectId` only when given (non-admins). */
  async get(id: string, projectId: string | null): Promise<Message> {
    const row = await this.rows.findOne({ id, deleted: false, ...(projectId !== null ? { projectId } : {}) });
    if (!row) throw new MessageNotFound({ message_id: id });
    return row;
  }

  /** Live messages, of `projectId` when given. */
  list(projectId: string | null): Promise<Message[]> {
    return this.rows.find({ deleted: false, ...(projectId !== null ? { projectId } : {}) });
  }

  /** message_destroy: soft-deleted. */
  async destroy(id: string): Promise<void> {
    await this.rows.update({ id, deleted: false }, { deleted: true, deletedAt: new Date() });
  }

  /** cleanup_expired_messages: rows past expires_at deleted for good; how many. */
  async reapExpired(now = new Date()): Promise<number> {
    return (await this.ds.getRepository(Message).delete({ expiresAt: LessThan(now) })).affected ?? 0;
  }
}
