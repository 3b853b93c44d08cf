// /servers: create (202), list, detail, show, delete (204). Thin: schema → compute/api → view.
import { randomBytes } from 'node:crypto';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { badRequest, validateBody } from '../../common/api';
import type { ComputeAPI } from '../compute/api';
import { hostStatus } from '../compute/services';
import type { Instance, RequestSpecData } from '../../nova-common/entities';
import { baseUrl, projectInPath, viewCtx, type ServerParams } from '../request';
import { findFlavor } from '../../nova-common/flavors';
import { MV } from '../microversions';
import { createServerRequest, serverUpdate } from '../schemas/server-create-extras';
import { createServerBody, updateServerBody } from '../schemas/servers';
import { checkListKeys, statusFilter } from '../schemas/server-list-query';
import { isDateTime } from '../query';
import { diskConfig, serverDetail, serverRebuilt, serverSummary, serverUpdated, type ViewCtx } from '../views/servers';

function regexFilter(value: unknown, field: (i: Instance) => string | null): (i: Instance) => boolean {
  const want = typeof value === 'string' ? value : null;
  if (!want) return () => true;
  let re: RegExp | null = null;
  try { re = new RegExp(want); } catch { re = null; }
  // Nova treats name (and hostname) as a regular expression; an invalid one falls back to a substring match.
  return (i) => (re ? re.test(field(i) ?? '') : (field(i) ?? '').includes(want));
}

const badQuery = (name: string, v: string, why: string): never => {
  throw badRequest(`Invalid input for query parameters ${name}. Value: ${v}. ${why}`);
};

/** Nova's query schema checks (schemas/servers.py query_params_v21) for the keys we filter on. */
function checkQuery(q: Record<string, unknown>): void {
  for (const k of ['limit']) {
    const v = q[k];
    if (v !== undefined && !/^[0-9]+$/.test(String(v))) badQuery(k, String(v), `'${String(v)}' does not match '^[0-9]*$'`);
  }
  for (const k of ['changes-since', 'changes-before']) {
    const v = q[k];
    if (v !== undefined && !isDateTime(String(v))) badQuery(k, String(v), `'${String(v)}' is not a 'date-time'`);
  }
}

/** A query value as webob's MultiDict.get reads it: the last one given. */
function lastValue(v: unknown): string | null {
  const last = Array.isArray(v) ? v[v.length - 1] : v;
  return typeof last === 'string' && last !== '' ? last : null;
}

const TRUE_STRINGS = ['1', 't', 'true', 'on', 'y', 'yes'];
const FALSE_STRINGS = ['0', 'f', 'false', 'off', 'n', 'no'];

/**
 * Nova's common.is_all_tenants: present and empty is true, else oslo's strict
 * bool_from_string (any case), whose refusal is a 400.
 */
function isAllTenants(q: Record<string, unknown>): boolean {
  if (!('all_tenants' in q)) return false;
  const raw = Array.isArray(q.all_tenants) ? q.all_tenants[q.all_tenants.length - 1] : q.all_tenants;
  const v = String(raw ?? '').trim().toLowerCase();
  if (v === '') return true;
  if (TRUE_STRINGS.includes(v)) return true;
  if (FALSE_STRINGS.includes(v)) return false;
  const acceptable = [...TRUE_STRINGS, ...FALSE_STRINGS].sort().map((x) => `'${x}'`).join(', ');
  throw badRequest(`Invalid input received: Unrecognized value '${String(raw)}', acceptable values are: ${acceptable}`);
}

const TAG_FILTERS = ['tags', 'tags-any', 'not-tags', 'not-tags-any'] as const;

/**
 * The tag filters (2.26), each a comma-separated list: tags has them all, tags-any one of
 * them, not-tags not all of them, not-tags-any none of them. Null when none is asked.
 */
async function tagFilter(req: FastifyRequest, compute: ComputeAPI, rows: Instance[]): Promise<((i: Instance) => boolean) | null> {
  const q = req.query as Record<string, unknown>;
  const asked = TAG_FILTERS.map((k) => [k, lastValue(q[k]) ?? (k in q ? '' : null)] as const).filter(([, v]) => v !== null);
  if (!asked.length || !req.novaVersion.atLeast(MV.TAGS)) return null;
  const tags = await compute.db.tagsOf(rows.map((i) => i.uuid));
  return (i) => {
    const has = new Set(tags.get(i.uuid) ?? []);
    return asked.every(([k, v]) => {
      const want = (v as string).split(',');
      const all = want.every((t) => has.has(t));
      const any = want.some((t) => has.has(t));
      return k === 'tags' ? all : k === 'tags-any' ? any : k === 'not-tags' ? !all : !any;
    });
  };
}

/**
 * The filters Nova matches exactly (db exact_match_filter_names; a repeated one is any of its
 * values) and as a regular expression. Admins may use them all; others (2.83) all but host, node
 * and uuid, and below 2.83 none (Nova drops what a caller may not use).
 */
const EXACT_FILTERS: Array<[string, (i: Instance) => string | null]> = [
  ['host', (i) => i.host], ['uuid', (i) => i.uuid], ['user_id', (i) => i.userId], ['vm_state', (i) => i.vmState], ['task_state', (i) => i.taskState],
];
const REGEX_FILTERS: Array<[string, (i: Instance) => string | null]> = [
  ['node', (i) => i.node], ['key_name', (i) => i.keyName], ['availability_zone', (i) => i.availabilityZone],
  ['power_state', (i) => (i.powerState === null ? null : String(i.powerState))],
];

const valuesOf = (v: unknown): string[] => (Array.isArray(v) ? v : [v]).filter((x): x is string => typeof x === 'string' && x !== '');

function filterAndPage(req: FastifyRequest, rows: Instance[], maxLimit: number, all: boolean, byTags: ((i: Instance) => boolean) | null = null): Instance[] {
  const q = req.query as Record<string, unknown>;
  checkQuery(q);
  checkListKeys(q, req.novaVersion, all);
  let out = rows.filter(regexFilter(q.name, (i) => i.displayName));
  if (byTags) out = out.filter(byTags);
  // hostname is an admin filter, open to everyone from 2.90 (others' unknown filters are dropped).
  if (all || req.novaVersion.atLeast(MV.HOSTNAME)) out = out.filter(regexFilter(q.hostname, (i) => i.hostname));
  for (const [k, field] of EXACT_FILTERS) {
    const want = valuesOf(q[k]);
    if (want.length && (all || (req.novaVersion.atLeast(MV.MORE_FILTERS) && k !== 'host' && k !== 'uuid'))) out = out.filter((i) => want.includes(String(field(i) ?? '')));
  }
  for (const [k, field] of REGEX_FILTERS) {
    if (all || (req.novaVersion.atLeast(MV.MORE_FILTERS) && k !== 'node')) out = out.filter(regexFilter(lastValue(q[k]), field));
  }
  if (q.status !== undefined) {
    const byStatus = statusFilter(valuesOf(q.status), req.novaVersion, req.ctx.isAdmin);
    if (!byStatus) return [];
    out = out.filter(byStatus);
  }
  if (typeof q.flavor === 'string') out = out.filter((i) => i.flavorId === q.flavor);
  if (typeof q.image === 'string') out = out.filter((i) => i.imageRef === q.image);
  if (typeof q['changes-since'] === 'string') {
    const since = Date.parse(q['changes-since']);
    out = out.filter((i) => (i.updatedAt ?? i.createdAt ?? new Date(0)).getTime() >= since);
  }
  if (typeof q.marker === 'string') {
    // Nova pages from the marker's place in the sort order, filtered out or not; a marker the
    // caller cannot see is MarkerNotFound (400).
    const at = rows.findIndex((i) => i.uuid === q.marker);
    if (at < 0) throw badRequest(`marker [${q.marker}] not found`);
    const after = new Set(rows.slice(at + 1));
    out = out.filter((i) => after.has(i));
  }
  const limit = typeof q.limit === 'string' ? Math.min(Number(q.limit), maxLimit) : maxLimit;
  return out.slice(0, limit);
}

/**
 * host_status (2.16) as the policies let the caller see it: every status, only UNKNOWN, or none
 * (views/servers.py _get_host_status_unknown_only). The target is the server's project on show
 * and update, the caller's own on the detail list.
 */
async function hostStatuses(req: FastifyRequest, compute: ComputeAPI, rows: Instance[], one: Instance | null): Promise<ViewCtx['hostStatus']> {
  if (!req.novaVersion.atLeast(MV.HOST_STATUS)) return undefined;
  const target = one ? { project_id: one.projectId } : {};
  const all = compute.policy.allows(req.ctx, 'os_compute_api:servers:show:host_status', target);
  const unknownOnly = !all && compute.policy.allows(req.ctx, 'os_compute_api:servers:show:host_status:unknown-only', target);
  if (!all && !unknownOnly) return undefined;
  const computes = await compute.services.computesOf(rows.map((i) => i.host));
  return (i) => {
    const status = hostStatus(i.host ? computes.get(i.host) : undefined, compute.serviceDownTime);
    return unknownOnly && status !== 'UNKNOWN' ? undefined : status;
  };
}

/** The servers' tags when the view shows them (2.26); an empty map below. */
async function tagsOf(req: FastifyRequest, compute: ComputeAPI, rows: Instance[]): Promise<Map<string, string[]>> {
  return req.novaVersion.atLeast(MV.TAGS) ? compute.db.tagsOf(rows.map((i) => i.uuid)) : new Map();
}

/** The admin password a create or rebuild answers when none was given (Nova generates one). */
const generatedPassword = (): string => randomBytes(9).toString('base64url').slice(0, 12);

/** The 202 body of a rebuild: the server as Nova's rebuild view shows it, and its (given or generated) password. */
export async function rebuildAnswer(req: FastifyRequest, compute: ComputeAPI, i: Instance, given: string | undefined): Promise<Record<string, unknown>> {
  const adminPass = given ?? generatedPassword();
  const c = { ...viewCtx(req, compute.policy), hostStatus: await hostStatuses(req, compute, [i], i) };
  const spec = req.novaVersion.atLeast(MV.PINNED_AZ) ? (await compute.db.requestSpecsByInstances([i.uuid])).get(i.uuid) : undefined;
  return { server: { ...serverRebuilt(i, await compute.db.bdmsByInstance(i.uuid), c, spec, (await tagsOf(req, compute, [i])).get(i.uuid)), adminPass } };
}

export function serverRoutes(app: FastifyInstance, base: string, compute: ComputeAPI, maxLimit: number): void {
  /** The request specs the views need from 2.96 (Nova reads none below); show's reading of a missing one. */
  const specsOf = async (req: FastifyRequest, rows: Instance[]): Promise<Map<string, RequestSpecData>> =>
    (req.novaVersion.atLeast(MV.PINNED_AZ) ? compute.db.requestSpecsByInstances(rows.map((i) => i.uuid)) : new Map());
  const specOf = async (req: FastifyRequest, i: Instance): Promise<RequestSpecData | undefined> => (await specsOf(req, [i])).get(i.uuid);

  /** servers:index / :detail, and their :get_all_tenants when all_tenants is asked (403 otherwise). */
  const listed = async (req: FastifyRequest, kind: 'index' | 'detail'): Promise<Instance[]> => {
    compute.can(req.ctx, `os_compute_api:servers:${kind}`);
    const q = req.query as Record<string, unknown>;
    const all = isAllTenants(q);
    if (all) compute.can(req.ctx, `os_compute_api:servers:${kind}:get_all_tenants`);
    // project_id (or its alias tenant_id) narrows an all-tenants list to one project for who may use
    // every filter (admins); without all_tenants Nova drops it and lists the caller's project.
    const project = all && compute.policy.allows(req.ctx, 'os_compute_api:servers:allow_all_filters') ? lastValue(q.project_id ?? q.tenant_id) : null;
    const rows = await compute.list(req.ctx, { allTenants: all, projectId: project });
    const allFilters = compute.policy.allows(req.ctx, 'os_compute_api:servers:allow_all_filters');
    return filterAndPage(req, rows, maxLimit, allFilters, await tagFilter(req, compute, rows));
  };

  app.get(`${base}/servers`, async (req) => {
    const c = viewCtx(req, compute.policy);
    const rows = await listed(req, 'index');
    return { servers: rows.map((i) => serverSummary(i, c)) };
  });

  app.get(`${base}/servers/detail`, async (req) => {
    const rows = await listed(req, 'detail');
    const c = { ...viewCtx(req, compute.policy), hostStatus: await hostStatuses(req, compute, rows, null) };
    const specs = await specsOf(req, rows);
    const tags = await tagsOf(req, compute, rows);
    // Nova's detail: a server without a request spec is not pinned and has hints null (show: {}).
    const missing: RequestSpecData = { availability_zone: null, scheduler_hints: null };
    const out = [];
    for (const i of rows) out.push(serverDetail(i, await compute.db.bdmsByInstance(i.uuid), c, specs.get(i.uuid) ?? missing, tags.get(i.uuid)));
    return { servers: out };
  });

  app.get<{ Params: ServerParams }>(`${base}/servers/:server_id`, async (req) => {
    const i = await compute.get(req.ctx, req.params.server_id);
    compute.can(req.ctx, 'os_compute_api:servers:show', i);
    const c = { ...viewCtx(req, compute.policy), hostStatus: await hostStatuses(req, compute, [i], i) };
    return { server: serverDetail(i, await compute.db.bdmsByInstance(i.uuid), c, await specOf(req, i), (await tagsOf(req, compute, [i])).get(i.uuid)) };
  });

  app.post(`${base}/servers`, async (req, reply) => {
    projectInPath(req);
    const body = createServerRequest(validateBody(createServerBody(req.novaVersion), req.body, null));
    // flavorRef may be an id or a link to one (common.get_id_from_href); unknown → 400, not 404.
    const flavor = findFlavor(body.flavorRef.split('/').pop() ?? '');
    if (!flavor) throw badRequest(`Flavor ${body.flavorRef} could not be found.`);
    body.flavorRef = flavor.id;
    // Multiple create: the response describes the first server (or gives the reservation id).
    const { instances, reservationId } = await compute.createServers(req.ctx, body);
    const inst = instances[0];
    const c = viewCtx(req, compute.policy);
    if (body.returnReservationId) return reply.code(202).send({ reservation_id: reservationId });
    const adminPass = body.adminPass ?? generatedPassword();
    void reply.code(202).header('Location', `${baseUrl(req)}/v2.1/${c.projectInUrl ? `${c.projectInUrl}/` : ''}servers/${inst.uuid}`);
    return { server: { id: inst.uuid, links: serverSummary(inst, c).links, 'OS-DCF:diskConfig': diskConfig(inst), security_groups: [{ name: 'default' }], adminPass } };
  });

  app.put<{ Params: ServerParams }>(`${base}/servers/:server_id`, async (req) => {
    projectInPath(req);
    const u = serverUpdate(validateBody(updateServerBody(req.novaVersion), req.body, null).server);
    const i = await compute.update(req.ctx, req.params.server_id, u);
    const c = { ...viewCtx(req, compute.policy), hostStatus: await hostStatuses(req, compute, [i], i) };
    return { server: serverUpdated(i, await compute.db.bdmsByInstance(i.uuid), c, await specOf(req, i), (await tagsOf(req, compute, [i])).get(i.uuid)) };
  });

  app.delete<{ Params: ServerParams }>(`${base}/servers/:server_id`, async (req, reply) => {
    projectInPath(req);
    await compute.delete(req.ctx, req.params.server_id);
    return reply.code(204).send();
  });
}
