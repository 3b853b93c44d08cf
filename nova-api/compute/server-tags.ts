// A server's tags (server_tags.py, 2.26). Nova finds the server by its instance mapping, then
// checks the policy against the server's project: another project's server is a 403 here, not
// the 404 of the servers API. Changes need the server active, paused, suspended or stopped (its
// vm_state only; a task in flight or a lock does not matter).
import { violation } from '../../common/api';
import type { RequestContext } from '../../common/context';
import type { Instance } from '../../nova-common/entities';
import {
  InstanceInvalidState, InstanceMappingNotFound, InstanceNotFound, InstanceTagNotFound, InvalidTag, ServerTagNotFound, TagLimitExceeded,
} from '../../nova-common/exception';
import { VM_STATES } from '../../nova-common/objects';
import { tag as TAG } from '../schemas/parameter-types';
import type { ComputeAPI } from './api';

/** objects.instance.MAX_TAG_COUNT. */
export const MAX_TAG_COUNT = 50;

const CHANGEABLE: readonly string[] = [VM_STATES.ACTIVE, VM_STATES.PAUSED, VM_STATES.SUSPENDED, VM_STATES.STOPPED];

export class ServerTagsAPI {
  constructor(private readonly c: ComputeAPI) {}

  /** The server (any project's, as Nova's mapping lookup), then the policy on its project. */
  private async server(ctx: RequestContext, uuid: string, action: string): Promise<Instance> {
    const inst = await this.c.db.instanceGet(uuid);
    // A deleted server keeps its mapping in Nova: the policy first, then InstanceNotFound.
    const found = inst ?? await this.c.db.instanceGetAny(uuid);
    if (!found) throw new InstanceMappingNotFound({ uuid });
    this.c.can(ctx, `os_compute_api:os-server-tags:${action}`, found);
    if (!inst) throw new InstanceNotFound({ instance_id: uuid });
    return inst;
  }

  private changeable(inst: Instance, method: string): void {
    if (!CHANGEABLE.includes(inst.vmState ?? '')) throw new InstanceInvalidState({ method, instance_uuid: inst.uuid, attr: 'vm_state', state: inst.vmState ?? 'None' });
  }

  async index(ctx: RequestContext, uuid: string): Promise<string[]> {
    await this.server(ctx, uuid, 'index');
    return (await this.c.db.tagsOf([uuid])).get(uuid) ?? [];
  }

  async show(ctx: RequestContext, uuid: string, tag: string): Promise<void> {
    await this.server(ctx, uuid, 'show');
    if (!((await this.c.db.tagsOf([uuid])).get(uuid) ?? []).includes(tag)) throw new ServerTagNotFound({ server_id: uuid, tag });
  }

  /** PUT one tag: true when it was added (201), false when the server had it (204). */
  async add(ctx: RequestContext, uuid: string, tag: string): Promise<boolean> {
    const inst = await this.server(ctx, uuid, 'update');
    this.changeable(inst, 'update tag');
    const err = violation(TAG, tag);
    if (err) throw new InvalidTag({ tag, err: err.message });
    const tags = (await this.c.db.tagsOf([uuid])).get(uuid) ?? [];
    if (tags.length >= MAX_TAG_COUNT) throw new TagLimitExceeded({ limit: MAX_TAG_COUNT });
    if (tags.includes(tag)) return false;
    await this.c.db.tagAdd(uuid, tag);
    return true;
  }

  /** PUT the whole list (validated by the schema); answers the tags the server now has. */
  async replace(ctx: RequestContext, uuid: string, tags: string[]): Promise<string[]> {
    const inst = await this.server(ctx, uuid, 'update_all');
    this.changeable(inst, 'update tags');
    await this.c.db.tagsSet(uuid, tags);
    return (await this.c.db.tagsOf([uuid])).get(uuid) ?? [];
  }

  async remove(ctx: RequestContext, uuid: string, tag: string): Promise<void> {
    const inst = await this.server(ctx, uuid, 'delete');
    this.changeable(inst, 'delete tag');
    if (!(await this.c.db.tagsDelete(uuid, tag))) throw new InstanceTagNotFound({ instance_id: uuid, tag });
  }

  async removeAll(ctx: RequestContext, uuid: string): Promise<void> {
    const inst = await this.server(ctx, uuid, 'delete_all');
    this.changeable(inst, 'delete tags');
    await this.c.db.tagsDelete(uuid);
  }
}
