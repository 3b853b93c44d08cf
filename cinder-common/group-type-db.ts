// group_types and group_type_specs (cinder/db/sqlalchemy/api.py group_type_* and
// group_type_specs_*). A create writes the type and its specs in one transaction, and a delete
// soft-deletes both in one, so a kill or a lost database leaves all of it or none.
// Non-admins see public types and private ones granted to their project (group_type_projects,
// which no API of Cinder 21 writes: it is read for that check only).
import { randomUUID } from 'node:crypto';
import { Brackets, type DataSource, type EntityManager, type SelectQueryBuilder } from 'typeorm';
import { putOwn } from '../common/api/own-keys';
import { transactionWithRetry, withDbRetry } from '../common/db/retry';
import { GroupType, GroupTypeSpec } from './entities';

export type GroupSpecs = Record<string, string | null>;

export interface GroupTypeWithSpecs {
  type: GroupType;
  specs: GroupSpecs;
}

/** Who looks: null sees every type (admins); a project sees public types and those granted to it. */
export interface GroupTypeAccess {
  projectId: string | null;
}

const now = (): Date => new Date();

export class GroupTypeDB {
  constructor(readonly ds: DataSource) {}

  /** `redoable`: running it again after a lost COMMIT changes nothing more (not an insert). */
  private tx<T>(fn: (m: EntityManager) => Promise<T>, what: string, redoable = true): Promise<T> {
    return transactionWithRetry(this.ds, fn, { retryOnDisconnect: redoable, what });
  }

  private read<T>(fn: () => Promise<T>, what: string, redoable = true): Promise<T> {
    return withDbRetry(fn, { retryOnDisconnect: redoable, what });
  }

  private query(): SelectQueryBuilder<GroupType> {
    return this.ds.getRepository(GroupType).createQueryBuilder('t').where('t.deleted = :d', { d: false });
  }

  /** Public, or granted to the project by a live grant (_group_type_get_query for non-admins). */
  private publicOrGranted(projectId: string | null): Brackets {
    return new Brackets((b) => {
      b.where('t.isPublic = :pub', { pub: true });
      if (projectId !== null) {
        b.orWhere('EXISTS (SELECT 1 FROM group_type_projects p WHERE p.group_type_id = t.id AND p.project_id = :gp AND p.deleted = :pd)',
          { gp: projectId, pd: false });
      }
    });
  }

  private async withSpecs(types: GroupType[]): Promise<GroupTypeWithSpecs[]> {
    const specs = await this.specsOf(types.map((t) => t.id));
    return types.map((type) => ({ type, specs: specs.get(type.id) ?? {} }));
  }

  /** The live specs of each type, by type id (insertion order, as Cinder's joined load). */
  async specsOf(ids: string[]): Promise<Map<string, GroupSpecs>> {
    const out = new Map<string, GroupSpecs>(ids.map((id) => [id, {}]));
    if (!ids.length) return out;
    const rows = await this.read(() => this.ds.getRepository(GroupTypeSpec).createQueryBuilder('s')
      .where('s.groupTypeId IN (:...ids) AND s.deleted = :d', { ids, d: false }).orderBy('s.id', 'ASC').getMany(), 'group type specs read');
    for (const r of rows) putOwn(out.get(r.groupTypeId)!, r.key ?? '', r.value);
    return out;
  }

  /** A live type by id that `access` may see, with its specs. */
  async get(id: string, access: GroupTypeAccess | null): Promise<GroupTypeWithSpecs | null> {
    const qb = this.query().andWhere('t.id = :id', { id });
    if (access) qb.andWhere(this.publicOrGranted(access.projectId));
    const type = await this.read(() => qb.getOne(), 'group type read');
    return type ? (await this.withSpecs([type]))[0] : null;
  }

  /**
   * Every live type, oldest first, without specs: names are matched by the caller under the
   * tables' collation (Cinder's MySQL compares them without case or accents; SQLite would not).
   */
  async live(): Promise<GroupType[]> {
    return this.read(() => this.query().orderBy('t.createdAt', 'ASC').addOrderBy('t.id', 'ASC').getMany(), 'group type list');
  }

  async withSpecsOf(type: GroupType): Promise<GroupTypeWithSpecs> {
    return (await this.withSpecs([type]))[0];
  }

  /**
   * group_type_get_all's is_public filter: true is public or granted to `projectId`, false
   * private only, null both. Newest first (created_at, id), as Cinder's default sort.
   */
  async list(f: { isPublic: boolean | null; projectId: string | null }): Promise<GroupTypeWithSpecs[]> {
    const qb = this.query();
    if (f.isPublic === true) qb.andWhere(this.publicOrGranted(f.projectId));
    if (f.isPublic === false) qb.andWhere('t.isPublic = :pub', { pub: false });
    const types = await this.read(() => qb.orderBy('t.createdAt', 'DESC').addOrderBy('t.id', 'DESC').getMany(), 'group type list');
    return this.withSpecs(types);
  }

  /** The type and its specs, in one transaction. */
  async create(values: { name: string; description: string | null; isPublic: boolean }, specs: GroupSpecs): Promise<GroupTypeWithSpecs> {
    const t = now();
    const type = Object.assign(new GroupType(), { id: randomUUID(), ...values, createdAt: t, updatedAt: null, deletedAt: null, deleted: false });
    await this.tx(async (m) => {
      await m.insert(GroupType, type);
      for (const [key, value] of Object.entries(specs)) await m.insert(GroupTypeSpec, { key, value, groupTypeId: type.id, createdAt: t, deleted: false });
    }, `create of group type ${values.name}`, false);
    return { type, specs: { ...specs } };
  }

  /** UPDATE of a live type; false when there is none. */
  async update(id: string, values: Partial<Pick<GroupType, 'name' | 'description' | 'isPublic'>>): Promise<boolean> {
    const res = await this.read(() => this.ds.getRepository(GroupType).update({ id, deleted: false }, { ...values, updatedAt: now() }), `update of group type ${id}`);
    return (res.affected ?? 0) > 0;
  }

  /** Soft-deletes the type and its specs (group_type_destroy); a redo changes nothing more. */
  async destroy(id: string): Promise<void> {
    const t = now();
    await this.tx(async (m) => {
      await m.update(GroupType, { id, deleted: false }, { deleted: true, deletedAt: t });
      await m.update(GroupTypeSpec, { groupTypeId: id, deleted: false }, { deleted: true, deletedAt: t });
    }, `delete of group type ${id}`);
  }

  /** group_type_specs_update_or_create: each key updated in place, else added; one transaction. */
  async specsUpdateOrCreate(id: string, specs: GroupSpecs): Promise<void> {
    const t = now();
    await this.tx(async (m) => {
      for (const [key, value] of Object.entries(specs)) {
        const res = await m.update(GroupTypeSpec, { groupTypeId: id, key, deleted: false }, { value, updatedAt: t });
        if (!res.affected) await m.insert(GroupTypeSpec, { key, value, groupTypeId: id, createdAt: t, deleted: false });
      }
    }, `specs of group type ${id}`);
  }

  /** false when the type has no such live key. */
  async specDelete(id: string, key: string): Promise<boolean> {
    const res = await this.read(() => this.ds.getRepository(GroupTypeSpec).update({ groupTypeId: id, key, deleted: false }, { deleted: true, deletedAt: now() }),
      `spec delete of group type ${id}`, false);
    return (res.affected ?? 0) > 0;
  }
}
