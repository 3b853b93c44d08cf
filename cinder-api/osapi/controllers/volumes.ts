// /volumes: create (202), list, detail, show, update (200), delete (202) — thin: parse, call
// the volume API, render.
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { badRequest, notFound } from '../../../common/api';
import type { Volume } from '../../../cinder-common/entities';
import { InvalidInput, SnapshotNotFound, VolumeNotFound, VolumeTypeNotFoundByName } from '../../../cinder-common/exception';
import { projectInPath, viewCtx, type Params } from '../request';
import { checkMetadata, checkSize, checkString, checkType, checkUuid, section, text } from '../schemas';
import { DEFAULT_TYPE_ID, type VolumeAPI } from '../volume-api';
import { volumeDetail, volumeSummary } from '../views';

type Dict = Record<string, unknown>;

const MULTIATTACH_REMOVED = 'multiattach parameter has been removed. The default behavior is to use multiattach enabled volume types. ' +
  'Contact your administrator to create a multiattach enabled volume type and use it to create multiattach volumes.';

function query(req: FastifyRequest): Record<string, string> {
  return (req.query ?? {}) as Record<string, string>;
}

function isTrue(v: string | undefined): boolean {
  return !!v && ['1', 'true', 'yes', 'on', 't', 'y'].includes(v.toLowerCase());
}

const SORT_KEYS: Record<string, (v: Volume) => string | number | null> = {
  id: (v) => v.id, name: (v) => v.displayName, display_name: (v) => v.displayName, size: (v) => v.size, status: (v) => v.status,
  created_at: (v) => v.createdAt?.getTime() ?? 0, updated_at: (v) => v.updatedAt?.getTime() ?? 0,
  availability_zone: (v) => v.availabilityZone, bootable: (v) => Number(v.bootable),
};

/** sort=key[:dir],… or sort_key/sort_dir; default created_at desc (then id). */
function sortVolumes(vols: Volume[], q: Record<string, string>): Volume[] {
  const spec = q.sort
    ? q.sort.split(',').map((p) => p.trim().split(':'))
    : [[q.sort_key ?? 'created_at', q.sort_dir ?? 'desc']];
  const keys = spec.map(([k, d]) => {
    if (!SORT_KEYS[k]) throw badRequest(`Invalid input received: Invalid sort key ${k}`);
    const dir = (d ?? q.sort_dir ?? 'desc').toLowerCase();
    if (dir !== 'asc' && dir !== 'desc') throw badRequest(`Invalid input received: Invalid sort dir ${dir}`);
    return { get: SORT_KEYS[k], sign: dir === 'asc' ? 1 : -1 };
  });
  keys.push({ get: SORT_KEYS.id, sign: keys[0]?.sign ?? -1 });
  return [...vols].sort((a, b) => {
    for (const k of keys) {
      const x = k.get(a) ?? '';
      const y = k.get(b) ?? '';
      if (x < y) return -k.sign;
      if (x > y) return k.sign;
    }
    return 0;
  });
}

/** A dict query parameter as clients send it (JSON or Python repr, e.g. {'k': 'v'}). */
function parseDictParam(name: string, raw: string): Record<string, unknown> {
  for (const text of [raw, raw.replace(/'/g, '"')]) {
    try {
      const v = JSON.parse(text) as unknown;
      if (v && typeof v === 'object' && !Array.isArray(v)) return v as Record<string, unknown>;
    } catch {
      // try the next spelling
    }
  }
  throw badRequest(`Invalid input received: Invalid filter ${name}: ${raw}`);
}

export function volumeRoutes(app: FastifyInstance, base: string, api: VolumeAPI, typeName: string, maxLimit = 1000): void {
  // extended: show and list-detail carry the os-vol-* extension keys; create and update do not.
  const render = async (req: FastifyRequest, vols: Awaited<ReturnType<VolumeAPI['get']>>[], extended = true): Promise<Dict[]> => {
    const c = viewCtx(req, typeName);
    const extras = await api.extras(vols);
    return vols.map((v) => volumeDetail(c, v, extras.get(v.id) ?? { metadata: {}, attachments: [] }, extended));
  };
  /** GET /volumes[/detail]: filters, sort, marker/limit pages with a `next` link (common.py). */
  const listed = async (req: FastifyRequest): Promise<{ vols: Volume[]; links?: Dict[] }> => {
    projectInPath(req);
    const q = query(req);
    let vols = await api.list(req.ctx, {
      allTenants: isTrue(q.all_tenants), name: q.name ?? q.display_name, status: q.status,
    });
    if (q.availability_zone !== undefined) vols = vols.filter((v) => v.availabilityZone === q.availability_zone);
    if (q.bootable !== undefined) vols = vols.filter((v) => v.bootable === isTrue(q.bootable));
    if (q.metadata !== undefined) {
      const want = parseDictParam('metadata', q.metadata);
      const extras = await api.extras(vols);
      vols = vols.filter((v) => Object.entries(want).every(([k, val]) => extras.get(v.id)?.metadata[k] === String(val)));
    }
    vols = sortVolumes(vols, q);
    if (q.marker) {
      const i = vols.findIndex((v) => v.id === q.marker);
      if (i < 0) throw badRequest(`marker [${q.marker}] not found`);
      vols = vols.slice(i + 1);
    }
    if (q.offset !== undefined) {
      const offset = Number(q.offset);
      if (!Number.isInteger(offset) || offset < 0) throw badRequest('offset param must be an integer');
      vols = vols.slice(offset);
    }
    let limit = maxLimit;
    if (q.limit !== undefined) {
      limit = Number(q.limit);
      if (!/^\d+$/.test(q.limit) || !Number.isInteger(limit)) throw badRequest('limit param must be an integer');
      limit = Math.min(limit, maxLimit);
    }
    const page = vols.slice(0, limit);
    if (!page.length || page.length < limit || page.length === vols.length && q.limit === undefined) return { vols: page };
    const params = new URLSearchParams(Object.entries(q).filter(([k]) => k !== 'marker'));
    params.set('marker', page[page.length - 1].id);
    const path = req.url.split('?')[0];
    return { vols: page, links: [{ rel: 'next', href: `${req.protocol}://${req.headers.host ?? '127.0.0.1'}${path}?${params.toString()}` }] };
  };

  app.get(`${base}/volumes`, async (req) => {
    // GET /volumes/ is not the list (tempest: show_volume('') → 404).
    if (req.url.split('?')[0].endsWith('/')) throw notFound();
    const { vols, links } = await listed(req);
    const c = viewCtx(req, typeName);
    return { volumes: vols.map((v) => volumeSummary(c, v)), ...(links ? { volumes_links: links } : {}) };
  });

  app.get(`${base}/volumes/detail`, async (req) => {
    const { vols, links } = await listed(req);
    return { volumes: await render(req, vols), ...(links ? { volumes_links: links } : {}) };
  });

  // 3.12: totals of the caller's volumes (below that, "summary" is just an unknown id).
  app.get(`${base}/volumes/summary`, async (req) => {
    projectInPath(req);
    if (!req.cinderVersion.atLeast('3.12')) throw new VolumeNotFound({ volume_id: 'summary' });
    const vols = await api.list(req.ctx, { allTenants: isTrue(query(req).all_tenants) });
    return { 'volume-summary': { total_size: vols.reduce((n, v) => n + (v.size ?? 0), 0), total_count: vols.length } };
  });

  app.get(`${base}/volumes/:id`, async (req) => {
    projectInPath(req);
    const v = await api.get(req.ctx, (req.params as Params).id ?? '');
    return { volume: (await render(req, [v]))[0] };
  });

  app.post(`${base}/volumes`, async (req, reply) => {
    projectInPath(req);
    const body = section(req.body, 'volume') as Dict;
    const name = text('name', body.name) ?? text('display_name', body.display_name) ?? null;
    const description = text('description', body.description) ?? text('display_description', body.display_description) ?? null;
    for (const k of ['snapshot_id', 'source_volid', 'consistencygroup_id', 'group_id', 'backup_id']) {
      if (k in body) checkUuid(k, body[k], true);
    }
    if ('volume_type' in body) checkString('volume_type', body.volume_type, { max: 255, nullable: true });
    if ('availability_zone' in body) checkString('availability_zone', body.availability_zone, { min: 1, max: 255, nullable: true });
    const metadata = 'metadata' in body ? checkMetadata('metadata', body.metadata) ?? {} : {};
    const size = 'size' in body ? checkSize('size', body.size, true) : null;
    if (body.multiattach !== undefined && body.multiattach !== null && body.multiattach !== false && body.multiattach !== 'false') {
      throw badRequest(MULTIATTACH_REMOVED);
    }
    if (typeof body.snapshot_id === 'string') throw new SnapshotNotFound({ snapshot_id: body.snapshot_id });
    if (typeof body.source_volid === 'string') throw new VolumeNotFound({ volume_id: body.source_volid });
    const image = body.imageRef ?? body.image_id;
    if (image !== undefined && image !== null) {
      checkType('imageRef', image, ['string']);
      throw badRequest(`Invalid input received: Image ${String(image)} could not be found.`);
    }
    if (typeof body.volume_type === 'string' && body.volume_type !== typeName && body.volume_type !== DEFAULT_TYPE_ID) {
      throw new VolumeTypeNotFoundByName({ volume_type_name: body.volume_type });
    }
    const az = typeof body.availability_zone === 'string' ? body.availability_zone : null;
    if (az !== null && az !== api.d.defaultAz) throw new InvalidInput({ reason: `Availability zone '${az}' is invalid.` });
    if (size === null || size < 1) {
      throw new InvalidInput({ reason: `Invalid volume size provided for create request: ${size === null ? 'None' : size} (size argument must be an integer (or string representation of an integer) and greater than zero).` });
    }
    const v = await api.create(req.ctx, { size, name, description, metadata, availabilityZone: az });
    return reply.code(202).send({ volume: (await render(req, [v], false))[0] });
  });

  app.put(`${base}/volumes/:id`, async (req) => {
    projectInPath(req);
    const body = section(req.body, 'volume') as Dict;
    const v = await api.get(req.ctx, (req.params as Params).id ?? '');
    const name = text('name', body.name) ?? text('display_name', body.display_name);
    const description = text('description', body.description) ?? text('display_description', body.display_description);
    const metadata = 'metadata' in body ? checkMetadata('metadata', body.metadata) : undefined;
    const updated = await api.update(req.ctx, v, {
      ...('name' in body || 'display_name' in body ? { name: name ?? null } : {}),
      ...('description' in body || 'display_description' in body ? { description: description ?? null } : {}),
      ...(metadata !== undefined ? { metadata } : {}),
    });
    return { volume: (await render(req, [updated], false))[0] };
  });

  app.delete(`${base}/volumes/:id`, async (req, reply) => {
    projectInPath(req);
    const q = query(req);
    const v = await api.get(req.ctx, (req.params as Params).id ?? '');
    // ?force=true exists from 3.23 (v3 only).
    const force = req.cinderVersion.atLeast('3.23') && isTrue(q.force);
    if (force) api.authorizeAdmin(req.ctx, 'volume:force_delete');
    await api.delete(req.ctx, v, force);
    return reply.code(202).send();
  });
}
