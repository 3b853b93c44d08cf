// /flavors: list, detail, show of the fixed flavors (flavors.ts).
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { FlavorNotFound } from '../../nova-common/exception';
import { FLAVORS, type Flavor } from '../flavors';
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

export function flavorRoutes(app: FastifyInstance, base: string): void {
  app.get(`${base}/flavors`, async (req) => ({ flavors: FLAVORS.map((f) => ({ id: f.id, name: f.name, links: links(req, f.id), ...(req.novaVersion.atLeast('2.55') ? { description: null } : {}) })) }));
  app.get(`${base}/flavors/detail`, async (req) => ({ flavors: FLAVORS.map((f) => detail(req, f)) }));
  app.get(`${base}/flavors/:flavor_id/os-extra_specs`, async (req) => {
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
