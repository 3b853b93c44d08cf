// Group types and their specs (cinder/volume/group_types.py with the rules of the group_types
// and group_specs controllers, 3.11+). Admin-only writes by default; anyone may list and show
// the types they can see. Checks come in Cinder's order, with its texts. Each change is sent as
// the 'groupType' or 'groupTypeSpecs' publisher's info notification; a failed send is only logged.
import type { RequestContext } from '../../common/context';
import { GroupTypeDB, type GroupSpecs, type GroupTypeWithSpecs } from '../../cinder-common/group-type-db';
import { GroupTypeExists, GroupTypeNotFound, GroupTypeSpecsNotFound, Invalid, NotFound } from '../../cinder-common/exception';
import { collationEquals } from '../collation';
import type { VolumeAPI } from './api';
import { parseIsPublic } from './types';

type Ctx = RequestContext;

export const GROUP_TYPE_POLICY = {
  create: 'group:group_types:create',
  update: 'group:group_types:update',
  delete: 'group:group_types:delete',
  showSpecs: 'group:access_group_types_specs',
  specGet: 'group:group_types_specs:get',
  specGetAll: 'group:group_types_specs:get_all',
  specCreate: 'group:group_types_specs:create',
  specUpdate: 'group:group_types_specs:update',
  specDelete: 'group:group_types_specs:delete',
} as const;

export class GroupTypeAPI {
  readonly db: GroupTypeDB;

  constructor(private readonly api: VolumeAPI) {
    this.db = new GroupTypeDB(api.d.db.ds);
  }

  authorize(ctx: Ctx, action: string): void {
    this.api.enforcer.authorize(ctx, action, { project_id: ctx.projectId, user_id: ctx.userId });
  }

  allows(ctx: Ctx, action: string): boolean {
    return this.api.enforcer.allows(ctx, action, { project_id: ctx.projectId, user_id: ctx.userId });
  }

  /** The type's dict as Cinder's notifications carry it (group_specs for admins only). */
  private payloadOf(ctx: Ctx, t: GroupTypeWithSpecs): Record<string, unknown> {
    const iso = (d: Date | null): string | null => (d ? d.toISOString().replace(/\.\d{3}Z$/, '') : null);
    return {
      id: t.type.id, name: t.type.name, description: t.type.description, is_public: t.type.isPublic, created_at: iso(t.type.createdAt),
      updated_at: iso(t.type.updatedAt), deleted_at: iso(t.type.deletedAt), deleted: t.type.deleted, ...(ctx.isAdmin ? { group_specs: t.specs } : {}),
    };
  }

  private notify(ctx: Ctx, publisher: string, event: string, payload: Record<string, unknown>): Promise<void> {
    return this.api.notifyAs(ctx, publisher, event, payload);
  }

  /** get_group_type: admins see any live type; others public ones and those granted to their project. */
  async get(ctx: Ctx, id: string): Promise<GroupTypeWithSpecs> {
    const t = await this.db.get(id, ctx.isAdmin ? null : { projectId: ctx.projectId });
    if (!t) throw new GroupTypeNotFound({ group_type_id: id });
    return t;
  }

  /** A live type of this name, under the tables' collation (any visibility, as Cinder's by-name lookup). */
  async byNameOrNull(name: string, exceptId?: string): Promise<GroupTypeWithSpecs | null> {
    const type = (await this.db.live()).find((t) => t.id !== exceptId && collationEquals(t.name, name));
    return type ? this.db.withSpecsOf(type) : null;
  }

  /** GET /group_types/{id}; "default" is [DEFAULT] default_group_type. */
  async show(ctx: Ctx, id: string): Promise<GroupTypeWithSpecs> {
    if (id !== 'default') return this.get(ctx, id);
    const name = this.api.d.defaultGroupTypeName;
    const t = name ? await this.byNameOrNull(name) : null;
    if (!t) throw new NotFound({}, 'Default group type can not be found.');
    return t;
  }

  /** GET /group_types: admins choose with is_public (absent: public, "none": all); others see public and granted types. */
  async list(ctx: Ctx, isPublic: string | undefined): Promise<GroupTypeWithSpecs[]> {
    return this.db.list({ isPublic: ctx.isAdmin ? parseIsPublic(isPublic) : true, projectId: ctx.projectId });
  }

  /** POST /group_types: names are unique among live types (409). */
  async create(ctx: Ctx, r: { name: string; description: string | null; isPublic: boolean; specs: GroupSpecs }): Promise<GroupTypeWithSpecs> {
    this.authorize(ctx, GROUP_TYPE_POLICY.create);
    if (await this.byNameOrNull(r.name)) {
      void this.notify(ctx, 'groupType', 'group_type.create', { group_types: { name: r.name, description: r.description, group_specs: r.specs, is_public: r.isPublic } });
      throw new GroupTypeExists({ id: r.name });
    }
    const t = await this.db.create({ name: r.name, description: r.description, isPublic: r.isPublic }, r.specs);
    await this.notify(ctx, 'groupType', 'group_type.create', { group_types: this.payloadOf(ctx, t) });
    return t;
  }

  /** PUT /group_types/{id}: null fields stay; a new name must be free, checked before the type is found. */
  async update(ctx: Ctx, id: string, u: { name: string | null; description: string | null; isPublic: boolean | null }): Promise<GroupTypeWithSpecs> {
    this.authorize(ctx, GROUP_TYPE_POLICY.update);
    if (u.name && !u.name.trim()) throw new Invalid({}, 'Group type name can not be empty.');
    if (u.name === null && u.description === null && u.isPublic === null) {
      throw new Invalid({}, 'Specify group type name, description or a combination thereof.');
    }
    if (u.name !== null && await this.byNameOrNull(u.name, id)) throw new GroupTypeExists({ id: u.name });
    const values: { name?: string; description?: string; isPublic?: boolean } = {};
    if (u.name !== null) values.name = u.name;
    if (u.description !== null) values.description = u.description;
    if (u.isPublic !== null) values.isPublic = u.isPublic;
    if (!await this.db.update(id, values)) throw new GroupTypeNotFound({ group_type_id: id });
    const t = await this.get(ctx, id);
    await this.notify(ctx, 'groupType', 'group_type.update', { group_types: this.payloadOf(ctx, t) });
    return t;
  }

  /** DELETE /group_types/{id}. No group uses a type here: groups are not served. */
  async delete(ctx: Ctx, id: string): Promise<void> {
    this.authorize(ctx, GROUP_TYPE_POLICY.delete);
    const t = await this.get(ctx, id);
    await this.db.destroy(t.type.id);
    await this.notify(ctx, 'groupType', 'group_type.delete', { group_types: this.payloadOf(ctx, t) });
  }

  // -- specs -----------------------------------------------------------------------------

  async listSpecs(ctx: Ctx, id: string): Promise<GroupSpecs> {
    this.authorize(ctx, GROUP_TYPE_POLICY.specGetAll);
    return (await this.get(ctx, id)).specs;
  }

  async showSpec(ctx: Ctx, id: string, key: string): Promise<GroupSpecs> {
    this.authorize(ctx, GROUP_TYPE_POLICY.specGet);
    const { specs } = await this.get(ctx, id);
    if (!Object.hasOwn(specs, key)) throw new NotFound({}, `Group Type ${id} has no extra spec with key ${key}.`);
    return { [key]: specs[key] };
  }

  /** POST …/group_specs: added or overwritten, key by key. */
  async createSpecs(ctx: Ctx, id: string, specs: GroupSpecs): Promise<void> {
    this.authorize(ctx, GROUP_TYPE_POLICY.specCreate);
    await this.get(ctx, id);
    await this.db.specsUpdateOrCreate(id, specs);
    await this.notify(ctx, 'groupTypeSpecs', 'group_type_specs.create', { type_id: id, specs });
  }

  /** PUT …/group_specs/{key}: the body names that one key. */
  async updateSpec(ctx: Ctx, id: string, key: string, body: GroupSpecs): Promise<void> {
    this.authorize(ctx, GROUP_TYPE_POLICY.specUpdate);
    await this.get(ctx, id);
    if (!Object.hasOwn(body, key)) throw new Invalid({}, 'Request body and URI mismatch');
    await this.db.specsUpdateOrCreate(id, body);
    await this.notify(ctx, 'groupTypeSpecs', 'group_type_specs.update', { type_id: id, id: key });
  }

  async deleteSpec(ctx: Ctx, id: string, key: string): Promise<void> {
    this.authorize(ctx, GROUP_TYPE_POLICY.specDelete);
    await this.get(ctx, id);
    if (!await this.db.specDelete(id, key)) throw new GroupTypeSpecsNotFound({ group_type_id: id, group_specs_key: key });
    await this.notify(ctx, 'groupTypeSpecs', 'group_type_specs.delete', { type_id: id, id: key });
  }
}
