// A project's compute quotas (nova quota_sets.py and quota_classes.py over the DbQuotaDriver):
// the [quota] options, overridden by the "default" quota class, overridden per project by rows
// of `quotas`, and per user (?user_id=) by rows of `project_user_quotas`; usage counted from the
// live servers of the project (or of the user in it).
// Enforced: instances, cores and RAM on a server create (counted again once the servers exist,
// as Nova's recheck_quota), metadata_items, and key_pairs per user (keypairs.ts); the rest are kept
// and shown.
import { In, type EntityManager, type EntityTarget, type ObjectLiteral } from 'typeorm';
import type { RequestContext } from '../../common/context';
import { transactionWithRetry } from '../../common/db/retry';
import { badRequest } from '../../common/api';
import { isDuplicateEntry } from '../../nova-common/db';
import type { NovaDB } from '../../nova-common/db-api';
import { Instance, KeyPair, ProjectUserQuota, Quota, QuotaClass } from '../../nova-common/entities';
import { findFlavor } from '../../nova-common/flavors';
import { recheckServers, serversAllowed, type Counted } from './server-quota';

/** Nova's QUOTAS.resources, sorted as it lists them. */
export const QUOTA_RESOURCES = ['cores', 'fixed_ips', 'floating_ips', 'injected_file_content_bytes', 'injected_file_path_bytes',
  'injected_files', 'instances', 'key_pairs', 'metadata_items', 'ram', 'security_group_rules', 'security_groups',
  'server_group_members', 'server_groups'] as const;
export type QuotaResource = (typeof QUOTA_RESOURCES)[number];
export type QuotaLimits = Record<QuotaResource, number>;

/** The nova-network quotas, gone from the API at 2.36; the personality ones at 2.57. */
export const NETWORK_QUOTAS: readonly string[] = ['fixed_ips', 'floating_ips', 'security_group_rules', 'security_groups'];
export const PERSONALITY_QUOTAS: readonly string[] = ['injected_files', 'injected_file_content_bytes', 'injected_file_path_bytes'];
/** The resources a server create counts. */
export const BINDING = ['instances', 'cores', 'ram'] as const;

/** The resources a microversion shows (and takes in a PUT) of a project's quotas. */
export function shownResources(atLeast: (v: string) => boolean): QuotaResource[] {
  const hidden = [...(atLeast('2.36') ? NETWORK_QUOTAS : []), ...(atLeast('2.57') ? PERSONALITY_QUOTAS : [])];
  return QUOTA_RESOURCES.filter((r) => !hidden.includes(r));
}

/** Those of a quota class: without the server group ones before 2.50, the network ones from it. */
export function classResources(atLeast: (v: string) => boolean): QuotaResource[] {
  const hidden = atLeast('2.50') ? [...NETWORK_QUOTAS, ...(atLeast('2.57') ? PERSONALITY_QUOTAS : [])] : ['server_groups', 'server_group_members'];
  return QUOTA_RESOURCES.filter((r) => !hidden.includes(r));
}

const DEFAULT_CLASS = 'default';

const used = (u: Partial<QuotaLimits>): Counted => ({ instances: u.instances ?? 0, cores: u.cores ?? 0, ram: u.ram ?? 0 });

export interface QuotaDeps {
  db: NovaDB;
  /** The [quota] defaults; the nova-network ones are -1. */
  defaults: QuotaLimits;
  /** Those of BINDING whose default [quota] sets (and so binds); the others bind once set through the API. */
  boundDefaults?: ReadonlySet<string>;
  can(ctx: RequestContext, action: string, projectId: string): void;
}

export class QuotaAPI {
  constructor(private readonly d: QuotaDeps) {}

  /** A quota class's limits: its rows over the [quota] options. */
  async classLimits(className: string): Promise<QuotaLimits> {
    return over({ ...this.d.defaults }, await this.d.db.ds.getRepository(QuotaClass).findBy({ className }));
  }

  /** The defaults every project starts from: the "default" class. */
  defaults(): Promise<QuotaLimits> {
    return this.classLimits(DEFAULT_CLASS);
  }

  /** The project's limits: its own rows over the defaults. */
  async limits(projectId: string): Promise<QuotaLimits> {
    return over(await this.defaults(), await this.d.db.ds.getRepository(Quota).findBy({ projectId }));
  }

  /** A user's limits within its project: its own rows over the project's limits. */
  async userLimits(projectId: string, userId: string): Promise<QuotaLimits> {
    return over(await this.limits(projectId), await this.d.db.ds.getRepository(ProjectUserQuota).findBy({ projectId, userId }));
  }

  /** in_use of each countable resource: the live servers of the project (or of one user in it), their cores and RAM, the user's key pairs. */
  async usage(projectId: string, userId: string | null = null): Promise<Partial<QuotaLimits>> {
    const servers = await this.d.db.ds.getRepository(Instance).findBy({ projectId, deleted: 0, ...(userId ? { userId } : {}) });
    let cores = 0;
    let ram = 0;
    for (const i of servers) {
      const f = findFlavor(i.flavorId);
      cores += f?.vcpus ?? 0;
      ram += f?.ram ?? 0;
    }
    // Key pairs are a user's: counted when a user is asked about.
    const keyPairs = userId ? { key_pairs: await this.d.db.ds.getRepository(KeyPair).countBy({ userId }) } : {};
    return { instances: servers.length, cores, ram, ...keyPairs };
  }

  /**
   * How many of min..max servers of `flavor` a create may make: within the project's limits, and
   * the user's too when the user has its own limit on servers, cores or RAM. A limit binds once
   * it is set: by [quota], the default quota class, the project's or the user's own limits.
   * Nova's built-in defaults are shown but bind nothing (docs/quotas.md says why).
   */
  async serversAllowed(projectId: string, userId: string | null, flavor: { vcpus: number; ram: number }, min: number, max: number): Promise<number> {
    const b = await this.binding(projectId, userId);
    let n = serversAllowed(b.project, used(await this.usage(projectId)), flavor, min, max);
    if (b.user && userId) n = serversAllowed(b.user, used(await this.usage(projectId, userId)), flavor, min, n);
    return n;
  }

  /** Nova's recheck once a create's `requested` servers exist: TooManyInstances when they passed a limit together with a racing create. */
  async serversRecheck(projectId: string, userId: string | null, flavor: { vcpus: number; ram: number }, requested: number): Promise<void> {
    const b = await this.binding(projectId, userId);
    const binds = (c: Counted | null): boolean => !!c && (c.instances >= 0 || c.cores >= 0 || c.ram >= 0);
    if (binds(b.project)) recheckServers(b.project, used(await this.usage(projectId)), flavor, requested);
    if (b.user && userId && binds(b.user)) recheckServers(b.user, used(await this.usage(projectId, userId)), flavor, requested);
  }

  /** The limits a server create is held to (-1 where none binds): the project's, and the user's when it has its own. */
  private async binding(projectId: string, userId: string | null): Promise<{ project: Counted; user: Counted | null }> {
    const repo = <T extends ObjectLiteral>(e: EntityTarget<T>) => this.d.db.ds.getRepository(e);
    const among = { resource: In([...BINDING]) };
    const [classRows, projectRows, userRows] = await Promise.all([
      repo(QuotaClass).findBy({ className: DEFAULT_CLASS, ...among }), repo(Quota).findBy({ projectId, ...among }),
      userId ? repo(ProjectUserQuota).findBy({ projectId, userId, ...among }) : Promise.resolve([]),
    ]);
    const projectSet = new Set([...(this.d.boundDefaults ?? []), ...classRows.map((r) => r.resource), ...projectRows.map((r) => r.resource)]);
    const bound = (l: QuotaLimits, set: Set<string>): Counted => ({
      instances: set.has('instances') ? l.instances : -1, cores: set.has('cores') ? l.cores : -1, ram: set.has('ram') ? l.ram : -1,
    });
    const project = bound(await this.limits(projectId), projectSet);
    if (!userId || !userRows.length) return { project, user: null };
    const userSet = new Set([...projectSet, ...userRows.map((r) => r.resource)]);
    return { project, user: bound(await this.userLimits(projectId, userId), userSet) };
  }

  async show(ctx: RequestContext, projectId: string, userId: string | null = null): Promise<QuotaLimits> {
    this.d.can(ctx, 'os_compute_api:os-quota-sets:show', projectId);
    return userId ? this.userLimits(projectId, userId) : this.limits(projectId);
  }

  async detail(ctx: RequestContext, projectId: string, userId: string | null = null): Promise<Record<QuotaResource, { in_use: number; limit: number; reserved: number }>> {
    this.d.can(ctx, 'os_compute_api:os-quota-sets:detail', projectId);
    const [limits, used] = await Promise.all([userId ? this.userLimits(projectId, userId) : this.limits(projectId), this.usage(projectId, userId)]);
    return Object.fromEntries(QUOTA_RESOURCES.map((r) => [r, { in_use: used[r] ?? 0, limit: limits[r], reserved: 0 }])) as Record<QuotaResource, { in_use: number; limit: number; reserved: number }>;
  }

  async showDefaults(ctx: RequestContext, projectId: string): Promise<QuotaLimits> {
    this.d.can(ctx, 'os_compute_api:os-quota-sets:defaults', projectId);
    return this.defaults();
  }

  async showClass(ctx: RequestContext, className: string): Promise<QuotaLimits> {
    this.d.can(ctx, 'os_compute_api:os-quota-class-sets:show', '');
    return this.classLimits(className);
  }

  /** PUT a class's limits (schema-checked): no usage to respect; "default" changes every project's defaults. */
  async updateClass(ctx: RequestContext, className: string, values: Record<string, unknown>): Promise<QuotaLimits> {
    this.d.can(ctx, 'os_compute_api:os-quota-class-sets:update', '');
    if (className.length > 255) throw badRequest('Invalid input received: quota_class_name has more than 255 characters.');
    // 'networks' passes the old schema but is no resource: nothing shows it, so nothing keeps it.
    const wanted = Object.entries(values).filter(([r]) => (QUOTA_RESOURCES as readonly string[]).includes(r)).map(([r, v]) => [r, Number(v)] as const);
    await this.setLimits(QuotaClass, { className }, wanted);
    return this.classLimits(className);
  }

  /**
   * PUT: each given limit (-1 or more, schema-checked) is kept, within what get_settable_quotas
   * allows unless `force`: a project's not under its usage nor its users' own limits together; a
   * user's not under its usage nor over what the project leaves it.
   */
  async update(ctx: RequestContext, projectId: string, values: Record<string, unknown>, force: boolean, userId: string | null = null): Promise<QuotaLimits> {
    this.d.can(ctx, 'os_compute_api:os-quota-sets:update', projectId);
    // Nova asks Keystone whether the project exists; here no id longer than a project id can be is kept.
    if (projectId.length > 255) throw badRequest(`Project ID ${projectId} is not a valid project.`);
    if (userId !== null && userId.length > 255) throw badRequest('Invalid input received: user_id has more than 255 characters.');
    if ('networks' in values) throw badRequest('The networks quota has been removed');
    const wanted = Object.entries(values).filter(([k]) => k !== 'force').map(([k, v]) => [k as QuotaResource, Number(v)] as const);
    if (!force) {
      const settable = await this.settable(projectId, userId);
      for (const [r, limit] of wanted) checkLimit(r, limit, settable[r]);
    }
    if (userId) await this.setLimits(ProjectUserQuota, { projectId, userId }, wanted);
    else await this.setLimits(Quota, { projectId }, wanted);
    return userId ? this.userLimits(projectId, userId) : this.limits(projectId);
  }

  /**
   * Each limit set on `owner`'s row (update_limit, else create_limit), all in one transaction: a
   * lost database or a kill part-way keeps none of them, and the caller's retry sets them all.
   */
  private async setLimits<T extends ObjectLiteral>(entity: EntityTarget<T>, owner: Record<string, string>, limits: ReadonlyArray<readonly [string, number]>): Promise<void> {
    if (!limits.length) return;
    await transactionWithRetry(this.d.db.ds, async (m: EntityManager) => {
      for (const [resource, hardLimit] of limits) {
        const where = { ...owner, resource } as never;
        if ((await m.update(entity, where, { hardLimit, updatedAt: new Date() } as never)).affected) continue;
        try {
          await m.insert(entity, { ...owner, resource, hardLimit, createdAt: new Date() } as never);
        } catch (e) {
          // A concurrent PUT made the row first: set it.
          if (!isDuplicateEntry(e)) throw e;
          await m.update(entity, where, { hardLimit, updatedAt: new Date() } as never);
        }
      }
    }, { what: `quota update of ${Object.values(owner).join('/')}` });
  }

  /** get_settable_quotas: each resource's bounds for a PUT of the project's (or a user's) limit. */
  private async settable(projectId: string, userId: string | null): Promise<Record<QuotaResource, { minimum: number; maximum: number }>> {
    const project = await this.limits(projectId);
    const rows = await this.d.db.ds.getRepository(ProjectUserQuota).findBy({ projectId });
    // What the project's limit leaves after its users' own limits (plain arithmetic, as Nova's).
    const remains = { ...project };
    for (const q of rows) if (q.hardLimit !== null && q.resource in remains) remains[q.resource as QuotaResource] -= q.hardLimit;
    const used = await this.usage(projectId, userId);
    const out = {} as Record<QuotaResource, { minimum: number; maximum: number }>;
    for (const r of QUOTA_RESOURCES) {
      if (userId) {
        const own = rows.find((q) => q.userId === userId && q.resource === r)?.hardLimit ?? 0;
        out[r] = { minimum: used[r] ?? 0, maximum: unlimited(remains[r], own) ? -1 : remains[r] + own };
      } else {
        const usersTogether = unlimited(project[r], remains[r]) ? -1 : project[r] - remains[r];
        out[r] = { minimum: Math.max(usersTogether, used[r] ?? 0), maximum: -1 };
      }
    }
    return out;
  }

  /** DELETE: the project (and each of its users) back on the defaults; with a user, that user back on the project's. */
  async reset(ctx: RequestContext, projectId: string, userId: string | null = null): Promise<void> {
    this.d.can(ctx, 'os_compute_api:os-quota-sets:delete', projectId);
    await transactionWithRetry(this.d.db.ds, async (m) => {
      if (userId) {
        await m.delete(ProjectUserQuota, { projectId, userId });
        return;
      }
      await m.delete(Quota, { projectId });
      await m.delete(ProjectUserQuota, { projectId });
    }, { what: `quota reset of ${projectId}` });
  }
}

/** `base` with the rows' limits of known resources over it. */
function over(base: QuotaLimits, rows: Array<{ resource: string; hardLimit: number | null }>): QuotaLimits {
  for (const q of rows) {
    if ((QUOTA_RESOURCES as readonly string[]).includes(q.resource) && q.hardLimit !== null) base[q.resource as QuotaResource] = q.hardLimit;
  }
  return base;
}


/** Nova's unlimited values: -1 and below. */
const unlimited = (...v: number[]): boolean => v.some((x) => x <= -1);

/** _validate_quota_limit: within [minimum, maximum], -1 being infinity on every side. */
function checkLimit(resource: string, limit: number, b: { minimum: number; maximum: number }): void {
  const inf = (v: number): number => (v === -1 ? Infinity : v);
  if (inf(limit) < inf(b.minimum)) {
    throw badRequest(`Quota limit ${limit} for ${resource} must be greater than or equal to already used and reserved ${b.minimum}.`);
  }
  if (inf(limit) > inf(b.maximum)) throw badRequest(`Quota limit ${limit} for ${resource} must be less than or equal to ${b.maximum}.`);
}
