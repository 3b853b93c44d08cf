// User messages (cinder/message/api.py, the v3 messages controller's checks): a message is shown
// to readers of its project and deleted by its members; admins see every project's.
import type { RequestContext } from '../../common/context';
import type { Message } from '../../cinder-common/entities';
import type { VolumeAPI } from './api';

export const MESSAGE_POLICY = { get: 'message:get', getAll: 'message:get_all', delete: 'message:delete' } as const;

export class MessageAPI {
  constructor(private readonly volumes: VolumeAPI) {}

  private get rows() { return this.volumes.messages; }

  /**
   * Non-admins see their own project's messages. Cinder's list is not limited to the caller's
   * project (its show is); here the list is, as the show (docs/differences.md).
   */
  private scope(ctx: RequestContext): string | null {
    return ctx.isAdmin ? null : ctx.projectId ?? '';
  }

  /** Looked up first (404), then judged by the message's own project. */
  async get(ctx: RequestContext, id: string): Promise<Message> {
    const m = await this.rows.get(id, this.scope(ctx));
    this.volumes.authorize(ctx, MESSAGE_POLICY.get, { project_id: m.projectId });
    return m;
  }

  async list(ctx: RequestContext): Promise<Message[]> {
    this.volumes.authorize(ctx, MESSAGE_POLICY.getAll);
    return this.rows.list(this.scope(ctx));
  }

  async delete(ctx: RequestContext, id: string): Promise<void> {
    const m = await this.rows.get(id, this.scope(ctx));
    this.volumes.authorize(ctx, MESSAGE_POLICY.delete, { project_id: m.projectId });
    await this.rows.destroy(m.id);
  }
}
