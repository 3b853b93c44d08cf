// /volumes: create (202), list, detail, show, update (200), delete (202) — thin: parse, call
// the volume API, render.
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { badRequest } from '../../../common/api';
import { InvalidInput, VolumeNotFound, VolumeTypeNotFoundByName } from '../../../cinder-common/exception';
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

export function volumeRoutes(app: FastifyInstance, base: string, api: VolumeAPI, typeName: string): void {
  const render = async (req: FastifyRequest, vols: Awaited<ReturnType<VolumeAPI['get']>>[]): Promise<Dict[]> => {
    const c = viewCtx(req, typeName);
    const extras = await api.extras(vols);
    return vols.map((v) => volumeDetail(c, v, extras.get(v.id) ?? { metadata: {}, attachments: [] }));
  };
  const listed = async (req: FastifyRequest) => {
    projectInPath(req);
    const q = query(req);
    let vols = await api.list(req.ctx, {
      allTenants: isTrue(q.all_tenants), name: q.name ?? q.display_name, status: q.status,
    });
    const offset = Number(q.offset ?? 0);
    if (q.marker) {
      const i = vols.findIndex((v) => v.id === q.marker);
      if (i < 0) throw badRequest(`marker [${q.marker}] not found`);
      vols = vols.slice(i + 1);
    }
    if (Number.isInteger(offset) && offset > 0) vols = vols.slice(offset);
    if (q.limit !== undefined) {
      const limit = Number(q.limit);
      if (!Number.isInteger(limit) || limit < 0) throw badRequest('limit param must be an integer');
      vols = vols.slice(0, limit);
    }
    return vols;
  };

  app.get(`${base}/volumes`, async (req) => {
    const vols = await listed(req);
    const c = viewCtx(req, typeName);
    return { volumes: vols.map((v) => volumeSummary(c, v)) };
  });

  app.get(`${base}/volumes/detail`, async (req) => ({ volumes: await render(req, await listed(req)) }));

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
    if (typeof body.snapshot_id === 'string') throw badRequest(`Invalid input received: Snapshot ${body.snapshot_id} could not be found.`);
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
    return reply.code(202).send({ volume: (await render(req, [v]))[0] });
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
    return { volume: (await render(req, [updated]))[0] };
  });

  app.delete(`${base}/volumes/:id`, async (req, reply) => {
    projectInPath(req);
    const q = query(req);
    const v = await api.get(req.ctx, (req.params as Params).id ?? '');
    const force = isTrue(q.force);
    if (force) api.authorizeAdmin(req.ctx, 'volume:force_delete');
    await api.delete(req.ctx, v, force);
    return reply.code(202).send();
  });
}
