// Business layer of os-quota-sets, os-quota-class-sets and /limits (cinder/api/contrib/quotas.py,
// quota_classes.py, used_limits.py, api/v3/limits.py): policies, Cinder's validation order and
// texts, and the bodies as Cinder builds them (limits as integers, `id` last).
import { badRequest } from '../../common/api';
import type { RequestContext } from '../../common/context';
import { Invalid, InvalidInput, InvalidParameterValue, NotAuthorized } from '../../cinder-common/exception';
import { NON_QUOTA_KEYS, type ProjectQuota, type QuotaEngine } from '../../cinder-common/quota';
import type { VolumeAPI } from './api';

export const QUOTA_POLICY = {
  show: 'volume_extension:quotas:show',
  update: 'volume_extension:quotas:update',
  delete: 'volume_extension:quotas:delete',
  classGet: 'volume_extension:quota_classes:get',
  classUpdate: 'volume_extension:quota_classes:update',
  usedLimits: 'limits_extension:used_limits',
} as const;

const DB_MAX_INT = 2147483647;
/** webob's HTTPBadRequest default text (Cinder's wsgi answers a TypeError with it). */
const WEBOB_BAD_REQUEST = 'The server could not comply with the request since it is either malformed or otherwise incorrect.';

/** A checked quota set: each resource's limit, and which of them the body gave as strings. */
export interface QuotaSetValues {
  values: Record<string, number>;
  textual: string[];
}
/** The microversion from which an admin may ask /limits about another project (LIMITS_ADMIN_FILTER). */
export const LIMITS_ADMIN_FILTER = '3.39';

/** oslo strutils.validate_integer as Cinder calls it (int(str(value)), then the range). */
export function validateInteger(value: unknown, name: string, min: number, max: number): number {
  const text = typeof value === 'number' ? (Number.isInteger(value) ? String(value) : '') : typeof value === 'string' ? value : '';
  if (!/^\s*[+-]?\d+(_\d+)*\s*$/.test(text)) throw new Invalid({}, `${name} must be an integer`);
  const n = Number(text.replace(/_/g, ''));
  if (n < min) throw new Invalid({}, `${name} must be >= ${min}`);
  if (n > max) throw new Invalid({}, `${name} must be <= ${max}`);
  return n;
}

/** strutils.is_valid_boolstr / bool_from_string(strict=True). */
function boolParam(name: string, raw: string): boolean {
  const v = raw.trim().toLowerCase();
  if (['1', 't', 'true', 'on', 'y', 'yes'].includes(v)) return true;
  if (['0', 'f', 'false', 'off', 'n', 'no'].includes(v)) return false;
  throw new InvalidParameterValue({ err: `Value '${raw}' for '${name}' is not a boolean.` });
}

/** utils.check_string_length via validate_string_length (400). */
function checkLength(value: string, name: string): void {
  if (value.length < 1) throw new Invalid({}, `${name} has ${value.length} characters, less than 1.`);
  if (value.length > 255) throw new Invalid({}, `${name} has ${value.length} characters, more than 255.`);
}

export class QuotaAPI {
  constructor(private readonly volumes: VolumeAPI, readonly engine: QuotaEngine) {}

  private async quotaSet(projectId: string, usages: boolean): Promise<Record<string, number | ProjectQuota>> {
    const q = await this.engine.projectQuotas(projectId, { usages });
    return Object.fromEntries(Object.entries(q).map(([k, v]) => [k, usages ? v : v.limit]));
  }

  /** GET os-quota-sets/{id}[?usage=True] */
  async show(ctx: RequestContext, projectId: string, usage: string | undefined): Promise<Record<string, unknown>> {
    this.volumes.authorize(ctx, QUOTA_POLICY.show, { project_id: projectId });
    const withUsage = usage === undefined ? false : boolParam('usage', usage);
    return { quota_set: { ...await this.quotaSet(projectId, withUsage), id: projectId } };
  }

  /** GET os-quota-sets/{id}/defaults */
  async defaults(ctx: RequestContext, projectId: string): Promise<Record<string, unknown>> {
    this.volumes.authorize(ctx, QUOTA_POLICY.show, { project_id: projectId });
    return { quota_set: { ...await this.engine.defaults(), id: projectId } };
  }

  /**
   * The quota_set schema's format check (validators._validate_quota_set): every value an
   * integer in [-1, DB_MAX_INT] as it comes, unknown keys reported together afterwards.
   */
  async checkQuotaSet(set: Record<string, unknown>): Promise<QuotaSetValues> {
    const known = await this.engine.resourceNames();
    const bad: string[] = [];
    const out: QuotaSetValues = { values: {}, textual: [] };
    for (const [k, v] of Object.entries(set)) {
      if (!known.has(k) && !NON_QUOTA_KEYS.includes(k)) { bad.push(k); continue; }
      if (NON_QUOTA_KEYS.includes(k)) continue;
      out.values[k] = validateInteger(v, k, -1, DB_MAX_INT);
      if (typeof v === 'string') out.textual.push(k);
    }
    if (bad.length) throw new InvalidInput({ reason: `Bad key(s) in quota set: ${bad.join(', ')}` });
    return out;
  }

  /** PUT os-quota-sets/{id} (body checked by the controller first, as Cinder's schema decorator). */
  async update(ctx: RequestContext, projectId: string, { values, textual }: QuotaSetValues): Promise<Record<string, unknown>> {
    this.volumes.authorize(ctx, QUOTA_POLICY.update, { project_id: projectId });
    checkLength(projectId, 'quota_set_name');
    // Cinder compares with the usage only where the project has its own limit already.
    const own = await this.engine.projectQuotas(projectId, { defaults: false, usages: true });
    for (const [key, value] of Object.entries(values)) {
      if (key === 'per_volume_gigabytes') continue;
      // Cinder compares the value as the body gave it: a string (even "-1") against the usage is
      // a TypeError, which its wsgi layer answers with webob's bare 400.
      if (textual.includes(key)) throw badRequest(WEBOB_BAD_REQUEST);
      if (value === -1) continue;
      const used = (own[key]?.in_use ?? 0) + (own[key]?.reserved ?? 0);
      if (value < used) {
        throw new Invalid({}, `Quota ${key} limit must be equal or greater than existing resources. Current usage is ${used} and the requested limit is ${value}.`);
      }
    }
    for (const [key, value] of Object.entries(values)) await this.engine.db.quotaSet(projectId, key, value);
    return { quota_set: await this.quotaSet(projectId, false) };
  }

  /** DELETE os-quota-sets/{id}: back to the defaults. */
  async delete(ctx: RequestContext, projectId: string): Promise<void> {
    this.volumes.authorize(ctx, QUOTA_POLICY.delete, { project_id: projectId });
    await this.engine.db.quotaDestroyByProject(projectId);
  }

  /** GET os-quota-class-sets/{class}: a non-admin only its own class (none here). */
  async classShow(ctx: RequestContext, className: string): Promise<Record<string, unknown>> {
    this.volumes.authorize(ctx, QUOTA_POLICY.classGet);
    if (!ctx.isAdmin) throw new NotAuthorized({}, 'Access was denied to this resource.');
    return { quota_class_set: { ...await this.engine.classQuotas(className), id: className } };
  }

  /** PUT os-quota-class-sets/{class} (body checked by the controller first). */
  async classUpdate(ctx: RequestContext, className: string, values: Record<string, number>): Promise<Record<string, unknown>> {
    this.volumes.authorize(ctx, QUOTA_POLICY.classUpdate);
    checkLength(className, 'quota_class_name');
    for (const [key, value] of Object.entries(values)) await this.engine.db.classSet(className, key, value);
    return { quota_class_set: await this.engine.classQuotas(className) };
  }

  async classResourceNames(): Promise<Set<string>> {
    return this.engine.resourceNames();
  }

  /**
   * GET /limits: the absolute limits (views/limits.py names) and, when limits_extension:used_limits
   * allows, what is in use; no rate limits. An admin may name ?project_id= (or tenant_id) from 3.39.
   */
  async limits(ctx: RequestContext, query: Record<string, unknown>, adminFilter: boolean): Promise<Record<string, unknown>> {
    let projectId = ctx.projectId ?? '';
    if (adminFilter && ctx.isAdmin) {
      const asked = query.project_id ?? query.tenant_id;
      if (typeof asked === 'string') projectId = asked;
    }
    const quotas = await this.engine.projectQuotas(projectId, { usages: true });
    const absolute: Record<string, number> = {};
    const names: Record<string, string> = {
      gigabytes: 'maxTotalVolumeGigabytes', backup_gigabytes: 'maxTotalBackupGigabytes', volumes: 'maxTotalVolumes',
      snapshots: 'maxTotalSnapshots', backups: 'maxTotalBackups',
    };
    for (const [k, v] of Object.entries(quotas)) if (names[k]) absolute[names[k]] = v.limit;
    if (this.volumes.allows(ctx, QUOTA_POLICY.usedLimits)) {
      const used: Record<string, string> = {
        totalVolumesUsed: 'volumes', totalGigabytesUsed: 'gigabytes', totalSnapshotsUsed: 'snapshots', totalBackupsUsed: 'backups',
        totalBackupGigabytesUsed: 'backup_gigabytes',
      };
      for (const [name, res] of Object.entries(used)) if (quotas[res]) absolute[name] = quotas[res].in_use ?? 0;
    }
    return { limits: { rate: [], absolute } };
  }
}

