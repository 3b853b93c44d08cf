// /flavors: list, detail, show of the fixed flavors (flavors.ts). Lists take Nova's minRam /
// minDisk filters and limit/marker paging over flavorid order (api/openstack/compute/flavors.py).
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { badRequest } from '../../common/api';
import { FlavorNotFound } from '../../nova-common/exception';
import { FLAVORS, type Flavor } from '../../nova-common/flavors';
import { baseUrl, projectInPath, type Params } from '../request';

function links(req: FastifyRequest, id: string): Array<Record<string, string>> {
  const p = projectInPath(req) ?? req.ctx.projectId ?? '';
  return [{ rel: 'self', href: `${baseUrl(req)}/v2.1/${p}/flavors/${id}` }, { rel: 'bookmark', href: `${baseUrl(req)}/${p}/flavors/${id}` }];
}

function detail(req: FastifyRequest, f: Flavor): Record<string, unknown> {
  const out: Record<string, unknown> = {
    id: f.id, name: f.name, ram: f.ram, vcpus: f.vcpus, disk: f.disk, 'OS-FLV-EXT-DATA:ephemeral': 0, swap: '',
    'OS-FLV-DISABLED:disabled': false, 'os-flavor-access:is_public': true, rxtx_factor: 1.0, links: links(req, f.id),
  };
  if (req.novaVersion.atLeast('2.55')) out.description = null;
  if (req.novaVersion.atLeast('2.61')) out.extra_specs = {};
  return out;
}

/** The flavors a list shows: filtered, after the marker, at most `limit`. */
function selected(req: FastifyRequest): Flavor[] {
  const q = req.query as Record<string, string | undefined>;
  const int = (name: string, why: string): number | null => {
    const v = q[name];
    if (v === undefined) return null;
    if (!/^\s*[-+]?\d+\s*$/.test(v)) throw badRequest(why.replace('%s', v));
    return Number(v);
  };
  const minRam = int('minRam', 'Invalid minRam filter [%s]');
  const minDisk = int('minDisk', 'Invalid minDisk filter [%s]');
  let out = FLAVORS.filter((f) => (minRam === null || f.ram >= minRam) && (minDisk === null || f.disk >= minDisk));
  if (q.marker !== undefined) {
    const at = out.findIndex((f) => f.id === q.marker);
    if (at < 0) throw badRequest(`marker [${q.marker}] not found`);
    out = out.slice(at + 1);
  }
  const limit = int('limit', "Invalid input for query parameters limit. Value: %s. '%s' does not match '^[0-9]*$'");
  if (limit !== null && limit < 0) throw badRequest(`Invalid input for query parameters limit. Value: ${limit}. '${limit}' does not match '^[0-9]*$'`);
  return limit === null ? out : out.slice(0, limit);
}

export function flavorRoutes(app: FastifyInstance, base: string): void {
  app.get(`${base}/flavors`, async (req) => ({ flavors: selected(req).map((f) => ({ id: f.id, name: f.name, links: links(req, f.id), ...(req.novaVersion.atLeast('2.55') ? { description: null } : {}) })) }));
  app.get(`${base}/flavors/detail`, async (req) => ({ flavors: selected(req).map((f) => detail(req, f)) }));
  app.get(`${base}/flavors/:flavor_id/os-extra_specs`, async (req) => {
    projectInPath(req);
    const id = (req.params as { flavor_id: string }).flavor_id;
    if (!FLAVORS.some((x) => x.id === id)) throw new FlavorNotFound({ flavor_id: id });
    return { extra_specs: {} };
  });
  app.get(`${base}/flavors/:flavor_id`, async (req) => {
    const id = (req.params as Params & { flavor_id: string }).flavor_id;
    const f = FLAVORS.find((x) => x.id === id);
    if (!f) throw new FlavorNotFound({ flavor_id: id });
    return { flavor: detail(req, f) };
  });
}
