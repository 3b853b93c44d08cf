// /servers/{server_id}/os-volume_attachments: HTTP and schema only; rules are in compute/api.
import type { FastifyInstance } from 'fastify';
import { badRequest, validateBody } from '../../common/api';
import { VolumeNotFound } from '../../nova-common/exception';
import type { ComputeAPI } from '../compute/api';
import { MV } from '../microversions';
import { checkQuery, lastQueryValue, nonNegativeInteger } from '../query';
import { projectInPath, type ServerParams, type VolumeParams } from '../request';
import {
  AttachVolumeV21, AttachVolumeV249, AttachVolumeV279, SwapVolume, UpdateVolumeAttachmentV285, toBoolean,
} from '../schemas/volume-attachments';
import { attachmentView } from '../views/volume-attachments';

/** index_query: limit and offset, each multi_params(non_negative_integer); the last value is used. */
const INDEX_QUERY = { limit: { schema: nonNegativeInteger }, offset: { schema: nonNegativeInteger } };

export function volumeAttachmentRoutes(app: FastifyInstance, base: string, compute: ComputeAPI, maxLimit: number): void {
  const coll = `${base}/servers/:server_id/os-volume_attachments`;

  app.get<{ Params: ServerParams }>(coll, async (req) => {
    projectInPath(req);
    const q = req.query as Record<string, unknown>;
    checkQuery(q, INDEX_QUERY, req.novaVersion.atLeast(MV.STRICT_QUERY));
    // common.limited(): a limit of 0 (or none) means max_limit.
    const limit = Math.min(Number(lastQueryValue(q.limit) ?? 0) || maxLimit, maxLimit);
    const offset = Number(lastQueryValue(q.offset) ?? 0);
    const { server_id: sid } = req.params;
    const { bdms } = await compute.volumes.attachments(req.ctx, sid);
    return { volumeAttachments: bdms.slice(offset, offset + limit).map((b) => attachmentView(b, sid, req.novaVersion)) };
  });

  app.get<{ Params: VolumeParams }>(`${coll}/:volume_id`, async (req) => {
    projectInPath(req);
    const { server_id: sid, volume_id: vid } = req.params;
    const bdm = await compute.volumes.attachment(req.ctx, sid, vid);
    return { volumeAttachment: attachmentView(bdm, sid, req.novaVersion) };
  });

  app.post<{ Params: ServerParams }>(coll, async (req, reply) => {
    projectInPath(req);
    const v = req.novaVersion;
    const dto = validateBody(v.atLeast(MV.ATTACH_DELETE_ON_TERMINATION) ? AttachVolumeV279 : v.atLeast(MV.ATTACH_TAG) ? AttachVolumeV249 : AttachVolumeV21,
      req.body, 'volumeAttachment') as AttachVolumeV279;
    const { server_id: sid } = req.params;
    const attach = {
      volumeId: dto.volumeId, device: dto.device ?? null, tag: dto.tag ?? null, deleteOnTermination: toBoolean(dto.delete_on_termination),
      supportsMultiattach: v.atLeast(MV.MULTIATTACH),
    };
    // 2.101: accepted once checked; the client watches the volume or the server's actions.
    if (v.atLeast(MV.ASYNC_ATTACH)) {
      await compute.volumes.attachVolumeAsync(req.ctx, sid, attach);
      return reply.code(202).send();
    }
    const bdm = await compute.volumes.attachVolume(req.ctx, sid, attach);
    return { volumeAttachment: attachmentView(bdm, sid, v, { forCreate: true }) };
  });

  // Nova's update(): schema, server (404), policy (swap: admin), then the 2.85+ regular update
  // and/or the swap. The swap checks the URL volume (404) and the body volume (400: it is in the
  // body) before the swap itself (compute/swap-volume.ts).
  app.put<{ Params: VolumeParams }>(`${coll}/:volume_id`, async (req, reply) => {
    projectInPath(req);
    const v = req.novaVersion;
    const { server_id: sid, volume_id: vid } = req.params;
    const dto = validateBody(v.atLeast(MV.ATTACH_UPDATE) ? UpdateVolumeAttachmentV285 : SwapVolume, req.body, 'volumeAttachment') as UpdateVolumeAttachmentV285;
    const inst = await compute.get(req.ctx, sid);
    const onlySwap = !v.atLeast(MV.ATTACH_UPDATE);
    const swap = onlySwap || dto.volumeId !== vid;
    // As Nova: swap is checked with an empty target (admin only by default), update on the server.
    if (swap) compute.policy.authorize(req.ctx, 'os_compute_api:os-volumes-attachments:swap', { project_id: null, user_id: null });
    else compute.can(req.ctx, 'os_compute_api:os-volumes-attachments:update', inst);
    if (!onlySwap) {
      const bdm = await compute.volumes.bdmForUpdate(req.ctx, sid, vid);
      if (dto.id !== undefined && dto.id !== vid) throw badRequest('The id property is not mutable');
      if (dto.serverId !== undefined && dto.serverId !== sid) throw badRequest('The serverId property is not mutable');
      if (dto.device !== undefined && dto.device !== bdm.deviceName) throw badRequest('The device property is not mutable');
      if (dto.tag !== undefined && dto.tag !== bdm.tag) throw badRequest('The tag property is not mutable');
      await compute.volumes.updateAttachment(bdm, dto.delete_on_termination === undefined ? undefined : toBoolean(dto.delete_on_termination));
    }
    if (swap) {
      const oldVolume = await compute.volumes.getVolume(req.ctx, vid);
      let newVolume;
      try {
        newVolume = await compute.volumes.getVolume(req.ctx, dto.volumeId);
      } catch (e) {
        // The new volume is named in the body, not the URL: 400.
        if (e instanceof VolumeNotFound) throw badRequest(e.message);
        throw e;
      }
      await compute.swaps.swap(req.ctx, inst, oldVolume, newVolume);
    }
    return reply.code(202).send();
  });

  app.delete<{ Params: VolumeParams }>(`${coll}/:volume_id`, async (req, reply) => {
    projectInPath(req);
    const { server_id: sid, volume_id: vid } = req.params;
    await compute.volumes.detachVolume(req.ctx, sid, vid);
    return reply.code(202).send();
  });
}
