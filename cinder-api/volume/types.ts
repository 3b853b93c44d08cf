// The volume types business layer (cinder/volume/volume_types.py and the rules of the types,
// types_extra_specs and volume_type_access controllers): who sees which type, the default
// type, extra specs (frozen while volumes use the type) and the access list of private types.
// Every check names its Cinder policy; type targets are the caller's project, as Cinder's.
import type { RequestContext } from '../../common/context';
import type { Enforcer } from '../../common/policy';
import type { CinderDB, TypeAccess } from '../../cinder-common/db-api';
import type { VolumeType } from '../../cinder-common/entities';
import {
  Invalid, InvalidInput, InvalidVolumeType, VolumeTypeAccessExists, VolumeTypeAccessNotFound, VolumeTypeDefaultDeletionError,
  VolumeTypeDefaultMisconfiguredError, VolumeTypeDeletionError, VolumeTypeExists, VolumeTypeExtraSpecsNotFound, VolumeTypeInUse,
  VolumeTypeNotFound, VolumeTypeNotFoundByName,
} from '../../cinder-common/exception';

type Ctx = RequestContext;
export type Specs = Record<string, string | null>;

export const TYPE_POLICY = {
  create: 'volume_extension:type_create',
  update: 'volume_extension:type_update',
  delete: 'volume_extension:type_delete',
  get: 'volume_extension:type_get',
  getAll: 'volume_extension:type_get_all',
  qosSpecsId: 'volume_extension:access_types_qos_specs_id',
  extraSpecs: 'volume_extension:access_types_extra_specs',
  specsIndex: 'volume_extension:types_extra_specs:index',
  specsShow: 'volume_extension:types_extra_specs:show',
  specsCreate: 'volume_extension:types_extra_specs:create',
  specsUpdate: 'volume_extension:types_extra_specs:update',
  specsDelete: 'volume_extension:types_extra_specs:delete',
  specsReadSensitive: 'volume_extension:types_extra_specs:read_sensitive',
  access: 'volume_extension:volume_type_access',
  addProject: 'volume_extension:volume_type_access:addProjectAccess',
  removeProject: 'volume_extension:volume_type_access:removeProjectAccess',
  accessList: 'volume_extension:volume_type_access:get_all_for_type',
} as const;

/** The extra specs a user without read_sensitive still sees (USER_VISIBLE_EXTRA_SPECS). */
export const USER_VISIBLE_EXTRA_SPECS = ['RESKEY:availability_zones', 'multiattach', 'replication_enabled'];

const IS_TRUE = '<is> True';

/** A type whose `multiattach` extra spec is "<is> True" makes multiattach volumes. */
export function isMultiattachSpec(specs: Specs): boolean {
  return specs.multiattach === IS_TRUE;
}

/**
 * provision_filter_on_size: a type's `provisioning:min_vol_size` / `max_vol_size` bound the size
 * of its volumes (create, extend, retype). A bound that is no integer is ignored (Cinder's int()
 * of it is a 500).
 */
export function provisionFilterOnSize(type: TypeWithSpecs, size: number): void {
  const bound = (key: string): number | null => {
    const raw = type.specs[key];
    return raw && /^\s*[-+]?\d+\s*$/.test(raw) ? Number(raw) : null;
  };
  const [min, max] = [bound('provisioning:min_vol_size'), bound('provisioning:max_vol_size')];
  if (min !== null && size < min) {
    throw new InvalidInput({ reason: `Specified volume size of '${size}' is less than the minimum required size of '${type.specs['provisioning:min_vol_size']}' for volume type '${type.type.name}'.` });
  }
  if (max !== null && size > max) {
    throw new InvalidInput({ reason: `Specified volume size of '${size}' is greater than the maximum allowable size of '${type.specs['provisioning:max_vol_size']}' for volume type '${type.type.name}'.` });
  }
}

/** oslo's uuidutils.is_uuid_like: 32 hex digits, with or without the dashes (braces, urn prefix aside). */
const UUID_LIKE = /^[0-9a-f]{8}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{12}$/i;

export interface TypeAPIDeps {
  db: CinderDB;
  enforcer: Enforcer;
  /** [DEFAULT] default_volume_type: the name of the type volumes without one get. */
  defaultTypeName: string;
}

export interface TypeWithSpecs {
  type: VolumeType;
  specs: Specs;
  /** Whether it has an encryption (read where a volume takes the type: get, getByNameOrId, getDefault). */
  encrypted?: boolean;
  /** Encrypted with no cipher (volume_utils.create_encryption_key's "Invalid encryption spec"). */
  cipherless?: boolean;
}

export interface TypeListQuery {
  /** The raw is_public parameter (admins only: others always see public and granted types). */
  isPublic?: string;
  /** The extra_specs filter, already a dict (admins and user-visible keys). */
  extraSpecs?: Record<string, string>;
}

export class TypeAPI {
  constructor(readonly d: TypeAPIDeps) {}

  private get db(): CinderDB { return this.d.db; }

  authorize(ctx: Ctx, action: string): void {
    this.d.enforcer.authorize(ctx, action, { project_id: ctx.projectId, user_id: ctx.userId });
  }

  allows(ctx: Ctx, action: string): boolean {
    return this.d.enforcer.allows(ctx, action, { project_id: ctx.projectId, user_id: ctx.userId });
  }

  /** Admins see every type; others public ones and private ones granted to their project. */
  private accessOf(ctx: Ctx): TypeAccess | null {
    return ctx.isAdmin ? null : { projectId: ctx.projectId };
  }

  async withSpecs(type: VolumeType): Promise<TypeWithSpecs> {
    return { type, specs: (await this.db.typeExtraSpecsGet([type.id])).get(type.id) ?? {} };
  }

  /** volume_types.get_volume_type: a type the caller may see, by id (VolumeTypeNotFound otherwise). */
  async get(ctx: Ctx, id: string): Promise<TypeWithSpecs> {
    const t = await this.db.typeGetWithSpecs(id, this.accessOf(ctx));
    if (!t) throw new VolumeTypeNotFound({ volume_type_id: id });
    return t;
  }

  /**
   * get_by_name_or_id: a uuid-like identity is an id first, then a name (a type may be named
   * like a uuid). Unlike Cinder's by-name lookup, a private type is found only by those it is
   * granted to, whichever way it is named.
   */
  async getByNameOrId(ctx: Ctx, identity: string): Promise<TypeWithSpecs> {
    const access = this.accessOf(ctx);
    if (UUID_LIKE.test(identity)) {
      const t = await this.db.typeGetWithSpecs(identity, access) ?? await this.db.typeGetByNameWithSpecs(identity, access);
      if (!t) throw new VolumeTypeNotFound({ volume_type_id: identity });
      return t;
    }
    const t = await this.db.typeGetByNameWithSpecs(identity, access);
    if (!t) throw new VolumeTypeNotFoundByName({ volume_type_name: identity });
    return t;
  }

  /** get_default_volume_type: the type [DEFAULT] default_volume_type names (no per-project defaults here). */
  async getDefault(): Promise<TypeWithSpecs> {
    const t = await this.db.typeGetByNameWithSpecs(this.d.defaultTypeName);
    if (!t) throw new VolumeTypeDefaultMisconfiguredError({ volume_type_name: this.d.defaultTypeName });
    return t;
  }

  /** GET /types/{id} (id "default": the default type). */
  async show(ctx: Ctx, id: string): Promise<TypeWithSpecs> {
    const t = id === 'default' ? await this.getDefault() : await this.get(ctx, id);
    this.authorize(ctx, TYPE_POLICY.get);
    return t;
  }

  /**
   * GET /types: non-admins get public types and those granted to them; admins choose with
   * is_public (absent: the same as true, "none": all, false: private only). An extra_specs
   * filter on a key the caller may not read matches nothing.
   */
  async list(ctx: Ctx, q: TypeListQuery): Promise<TypeWithSpecs[]> {
    this.authorize(ctx, TYPE_POLICY.getAll);
    const isPublic = ctx.isAdmin ? parseIsPublic(q.isPublic) : true;
    if (q.extraSpecs && !this.allows(ctx, TYPE_POLICY.specsReadSensitive)
      && Object.keys(q.extraSpecs).some((k) => !USER_VISIBLE_EXTRA_SPECS.includes(k))) return [];
    const types = await this.db.typeList({ isPublic, projectId: ctx.projectId, extraSpecs: q.extraSpecs });
    const specs = await this.db.typeExtraSpecsGet(types.map((t) => t.id));
    return types.map((type) => ({ type, specs: specs.get(type.id) ?? {} }));
  }

  /** POST /types: names are unique among live types (VolumeTypeExists, 409). */
  async create(ctx: Ctx, r: { name: string; description: string | null; isPublic: boolean; extraSpecs: Specs }): Promise<TypeWithSpecs> {
    this.authorize(ctx, TYPE_POLICY.create);
    if (await this.db.typeGetByName(r.name)) throw new VolumeTypeExists({ id: r.name });
    const type = await this.db.typeCreate({ name: r.name, description: r.description, isPublic: r.isPublic });
    await this.db.typeExtraSpecsUpdateOrCreate(type.id, r.extraSpecs);
    return this.withSpecs(type);
  }

  /** PUT /types/{id}: null fields stay as they are; a new name must be free. */
  async update(ctx: Ctx, id: string, u: { name: string | null; description: string | null; isPublic: boolean | null }): Promise<TypeWithSpecs> {
    this.authorize(ctx, TYPE_POLICY.update);
    if (u.name && !u.name.trim()) throw new Invalid({}, 'Volume type name can not be empty.');
    if (u.name === null && u.description === null && u.isPublic === null) {
      throw new Invalid({}, 'Specify volume type name, description, is_public or a combination thereof.');
    }
    await this.get(ctx.elevated(), id);
    if (u.name !== null) {
      const other = await this.db.typeGetByName(u.name);
      if (other && other.id !== id) throw new VolumeTypeExists({ id: u.name });
    }
    const values: Partial<Pick<VolumeType, 'name' | 'description' | 'isPublic'>> = {};
    if (u.name !== null) values.name = u.name;
    if (u.description !== null) values.description = u.description;
    if (u.isPublic !== null) values.isPublic = u.isPublic;
    if (!await this.db.typeUpdate(id, values)) throw new VolumeTypeNotFound({ volume_type_id: id });
    return this.get(ctx.elevated(), id);
  }

  /** DELETE /types/{id}: never the default type, nor one live volumes still use. */
  async delete(ctx: Ctx, id: string): Promise<void> {
    this.authorize(ctx, TYPE_POLICY.delete);
    const { type } = await this.get(ctx, id);
    const dflt = await this.getDefault();
    if (type.id === dflt.type.id) throw new VolumeTypeDefaultDeletionError({ volume_type_id: type.id });
    if ((await this.db.typeList({ isPublic: null, projectId: null })).length <= 1) throw new VolumeTypeDeletionError({ volume_type_id: type.id });
    if (await this.db.typeInUse(type.id)) throw new VolumeTypeInUse({ volume_type_id: type.id }, 'Target volume type is still in use.');
    await this.db.typeDestroy(type.id);
  }

  // -- extra specs -----------------------------------------------------------------------

  /** What the caller may read of a type's specs: all with read_sensitive, else the user-visible keys. */
  visibleSpecs(ctx: Ctx, specs: Specs): Specs {
    if (this.allows(ctx, TYPE_POLICY.specsReadSensitive)) return specs;
    return Object.fromEntries(Object.entries(specs).filter(([k]) => USER_VISIBLE_EXTRA_SPECS.includes(k)));
  }

  /** _allow_update: the specs of a type live volumes use are frozen. */
  private async allowSpecsUpdate(typeId: string): Promise<void> {
    if (await this.db.typeInUse(typeId)) throw new VolumeTypeInUse({ volume_type_id: typeId }, 'Volume Type is currently in use.');
  }

  /** multiattach and cacheable exclude each other, counting what the type already has. */
  private async checkCacheable(typeId: string, specs: Specs): Promise<void> {
    const cur = (await this.db.typeExtraSpecsGet([typeId])).get(typeId) ?? {};
    const multi = specs.multiattach === IS_TRUE || (cur.multiattach === IS_TRUE && specs.cacheable === IS_TRUE);
    const cache = specs.cacheable === IS_TRUE || cur.cacheable === IS_TRUE;
    if (multi && cache) throw new Invalid({}, 'cacheable cannot be set with multiattach.');
  }

  async listSpecs(ctx: Ctx, typeId: string): Promise<Specs> {
    this.authorize(ctx, TYPE_POLICY.specsIndex);
    const { specs } = await this.get(ctx, typeId);
    return this.visibleSpecs(ctx, specs);
  }

  async showSpec(ctx: Ctx, typeId: string, key: string): Promise<Specs> {
    this.authorize(ctx, TYPE_POLICY.specsShow);
    const specs = this.visibleSpecs(ctx, (await this.get(ctx, typeId)).specs);
    if (!(key in specs)) throw new VolumeTypeExtraSpecsNotFound({ volume_type_id: typeId, extra_specs_key: key });
    return { [key]: specs[key] };
  }

  /** POST …/extra_specs: added or overwritten, key by key. */
  async createSpecs(ctx: Ctx, typeId: string, specs: Specs): Promise<void> {
    this.authorize(ctx, TYPE_POLICY.specsCreate);
    await this.allowSpecsUpdate(typeId);
    await this.get(ctx, typeId);
    await this.checkCacheable(typeId, specs);
    await this.db.typeExtraSpecsUpdateOrCreate(typeId, specs);
  }

  /** PUT …/extra_specs/{key}: the body names that one key. */
  async updateSpec(ctx: Ctx, typeId: string, key: string, body: Specs): Promise<void> {
    this.authorize(ctx, TYPE_POLICY.specsUpdate);
    await this.allowSpecsUpdate(typeId);
    await this.get(ctx, typeId);
    if (!Object.hasOwn(body, key)) throw new Invalid({}, 'Request body and URI mismatch');
    await this.checkCacheable(typeId, body);
    await this.db.typeExtraSpecsUpdateOrCreate(typeId, body);
  }

  /** DELETE …/extra_specs/{key}: the type is looked up before the policy, as Cinder's. */
  async deleteSpec(ctx: Ctx, typeId: string, key: string): Promise<void> {
    await this.get(ctx, typeId);
    this.authorize(ctx, TYPE_POLICY.specsDelete);
    await this.allowSpecsUpdate(typeId);
    if (!await this.db.typeExtraSpecDelete(typeId, key)) {
      throw new VolumeTypeExtraSpecsNotFound({ volume_type_id: typeId, extra_specs_key: key });
    }
  }

  // -- access ----------------------------------------------------------------------------

  /** GET /types/{id}/os-volume-type-access: the projects a private type is granted to. */
  async listAccess(ctx: Ctx, typeId: string): Promise<string[]> {
    this.authorize(ctx, TYPE_POLICY.accessList);
    const { type } = await this.get(ctx, typeId);
    if (type.isPublic) throw new VolumeTypeAccessNotFound({}, 'Access list not available for public volume types.');
    return (await this.db.typeAccessList(type.id)).map((p) => p.projectId);
  }

  /** A private type whose access list may change (elevated lookup: any type). */
  private async privateType(ctx: Ctx, typeId: string): Promise<VolumeType> {
    const { type } = await this.get(ctx.elevated(), typeId);
    if (type.isPublic) throw new InvalidVolumeType({ reason: 'Type access modification is not applicable to public volume type.' });
    return type;
  }

  async addAccess(ctx: Ctx, typeId: string, projectId: string): Promise<void> {
    this.authorize(ctx, TYPE_POLICY.addProject);
    const type = await this.privateType(ctx, typeId);
    if (!await this.db.typeAccessAdd(type.id, projectId)) throw new VolumeTypeAccessExists({ volume_type_id: typeId, project_id: projectId });
  }

  async removeAccess(ctx: Ctx, typeId: string, projectId: string): Promise<void> {
    this.authorize(ctx, TYPE_POLICY.removeProject);
    const type = await this.privateType(ctx, typeId);
    if (!await this.db.typeAccessRemove(type.id, projectId)) throw new VolumeTypeAccessNotFound({ volume_type_id: typeId, project_id: projectId });
  }
}

const NONE_STRINGS = ['none'];

/** api_utils._parse_is_public: absent is true (public only), "none" both, else a strict boolean. */
export function parseIsPublic(v: string | undefined): boolean | null {
  if (v === undefined) return true;
  if (NONE_STRINGS.includes(v.toLowerCase())) return null;
  const s = v.toLowerCase();
  if (['1', 't', 'true', 'on', 'y', 'yes'].includes(s)) return true;
  if (['0', 'f', 'false', 'off', 'n', 'no'].includes(s)) return false;
  throw new Invalid({}, `Invalid is_public filter [${v}]`);
}
