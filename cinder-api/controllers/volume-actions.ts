// POST /volumes/{id}/action: one key names the action (volume_actions.py, admin_actions.py).
// Each handler validates its body like Cinder's schema, looks the volume up (404 first, as
// Cinder does before policy: volume_api.get with volume:get, or for os-reset_status the plain
// lookup), and calls the volume API, whose methods check each action's policy (the admin
// actions' own policies first, as admin_actions.py). Success is 202 with no body, except
// os-initialize_connection (200 {"connection_info": …}). The attach/detach steps have test-only
// pause points after their state change or RPC, before the answer (common/fault/pause.ts).
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { validateBody } from '../../common/api';
import { pausePoint } from '../../common/fault/pause';
import type { Volume } from '../../cinder-common/entities';
import { InvalidInput } from '../../cinder-common/exception';
import { actionOf, bareResponse, projectInPath, type Params } from '../request';
import { toBoolean } from '../schemas/parameter-types';
import {
  AttachBody, DetachBody, ExtendBody, ForceDetachBody, InitializeConnectionBody, MigrateVolumeCompletionBody, ResetStatusBody, resetStatusUpdate,
  RetypeBody, SetBootableBody, SetImageMetadataBody, TerminateConnectionBody, UnsetImageMetadataBody, UpdateReadonlyFlagBody,
} from '../schemas/volume-actions';
import { migrateVolumeCompletion } from '../volume/migrate-completion';
import { retype } from '../volume/retype';
import { UNMANAGE_POLICY } from '../volume/manage';
import { POLICY, type VolumeAPI } from '../volume/api';


/** An action answered 200 with no body (os-set_bootable). */
const OK_200 = Symbol('200');
/** A bare webob 200 (os-unset_image_metadata): no request id header, webob's default type. */
const BARE_200 = Symbol('bare 200');
/** A bare webob 202 (os-unmanage's webob.Response), as BARE_200. */
const BARE_202 = Symbol('bare 202');
/**
 * Validates the body (400 before any lookup, as Cinder's schema decorator) and returns the work;
 * `admin`, the volume's admin metadata, is read with the volume for the actions in WITH_ADMIN.
 */
type Handler = (req: FastifyRequest) => (v: Volume, admin?: Record<string, string>) => Promise<unknown>;

/** os-attach reads the readonly flag next: one statement for both. */
const WITH_ADMIN = new Set(['os-attach']);
/** Read with objects.Volume.get_by_id, without volume:get. */
const FIND_ONLY = new Set(['os-reset_status', 'os-set_image_metadata', 'os-unset_image_metadata']);

export function volumeActionRoutes(app: FastifyInstance, base: string, api: VolumeAPI): void {
  const actions: Record<string, Handler> = {
    'os-reserve': (req) => async (v) => {
      await api.reserve(req.ctx, v);
      await pausePoint('cinder-api.os-reserve.after-update');
    },
    'os-unreserve': (req) => (v) => api.unreserve(req.ctx, v),
    'os-begin_detaching': (req) => async (v) => {
      await api.beginDetaching(req.ctx, v);
      await pausePoint('cinder-api.os-begin_detaching.after-update');
    },
    'os-roll_detaching': (req) => (v) => api.rollDetaching(req.ctx, v),
    'os-initialize_connection': (req) => {
      const { connector } = validateBody(InitializeConnectionBody, req.body, null)['os-initialize_connection'];
      return async (v) => {
        const info = await api.initializeConnection(req.ctx, v, connector);
        await pausePoint('cinder-api.os-initialize_connection.after-rpc');
        return { connection_info: info };
      };
    },
    'os-terminate_connection': (req) => {
      const { connector } = validateBody(TerminateConnectionBody, req.body, null)['os-terminate_connection'];
      return async (v) => {
        await api.terminateConnection(req.ctx, v, connector);
        await pausePoint('cinder-api.os-terminate_connection.after-rpc');
      };
    },
    'os-attach': (req) => {
      const a = validateBody(AttachBody, req.body, null)['os-attach'];
      return async (v, admin) => {
        await api.attach(req.ctx, v, {
          instanceUuid: a.instance_uuid ?? null, hostName: a.host_name ?? null, mountpoint: a.mountpoint, mode: a.mode ?? 'rw',
        }, admin);
        await pausePoint('cinder-api.os-attach.after-rpc');
      };
    },
    'os-detach': (req) => {
      const a = validateBody(DetachBody, req.body, null)['os-detach'];
      return async (v) => {
        // Cinder's schema allows null, then its handler reads .get of it once the volume is
        // found: an AttributeError, its 500. A 400 here, also once the volume is found.
        if (a === null) throw new InvalidInput({ reason: 'os-detach must be an object, not null' });
        await api.detach(req.ctx, v, a.attachment_id ?? null);
        await pausePoint('cinder-api.os-detach.after-rpc');
      };
    },
    'os-extend': (req) => {
      const n = Number(validateBody(ExtendBody, req.body, null)['os-extend'].new_size);
      return (v) => api.extend(req.ctx, v, n, req.cinderVersion.atLeast('3.42'));
    },
    'os-retype': (req) => {
      const a = validateBody(RetypeBody, req.body, null)['os-retype'];
      return (v) => retype(api, req.ctx, v, a.new_type, a.migration_policy ?? null);
    },
    'os-reset_status': (req) => {
      const u = resetStatusUpdate(validateBody(ResetStatusBody, req.body, null)['os-reset_status']);
      return (v) => api.resetStatus(req.ctx, v, u);
    },
    'os-set_bootable': (req) => {
      const bootable = toBoolean(validateBody(SetBootableBody, req.body, null)['os-set_bootable'].bootable);
      return async (v) => {
        await api.setBootable(req.ctx, v, bootable);
        return OK_200;
      };
    },
    'os-update_readonly_flag': (req) => {
      const readonly = toBoolean(validateBody(UpdateReadonlyFlagBody, req.body, null)['os-update_readonly_flag'].readonly);
      return (v) => api.updateReadonlyFlag(req.ctx, v, readonly);
    },
    'os-force_delete': (req) => async (v) => {
      api.authorize(req.ctx, POLICY.adminForceDelete, v);
      await api.delete(req.ctx, v, true);
    },
    // volume_unmanage.py: a delete that leaves the backend's object (docs/volume-manage.md).
    'os-unmanage': (req) => async (v) => {
      api.authorize(req.ctx, UNMANAGE_POLICY, v);
      await api.delete(req.ctx, v, false, false, true);
      return BARE_202;
    },
    'os-migrate_volume_completion': (req) => {
      const a = validateBody(MigrateVolumeCompletionBody, req.body, null)['os-migrate_volume_completion'];
      return async (v) => {
        const newVolume = await api.find(req.ctx, a.new_volume);
        // Cinder passes `error` on as given and tests its truthiness (any non-empty string counts).
        const error = a.error === true || (typeof a.error === 'string' && a.error !== '');
        return { save_volume_id: await migrateVolumeCompletion(api, req.ctx, v, newVolume, error) };
      };
    },
    // The volume image metadata extension's actions (volume_image_metadata.py): 200 with the metadata, or bare.
    'os-set_image_metadata': (req) => {
      const { metadata } = validateBody(SetImageMetadataBody, req.body, null)['os-set_image_metadata'];
      return async (v) => ({ metadata: await api.setImageMetadata(req.ctx, v, metadata) });
    },
    'os-show_image_metadata': (req) => async (v) => ({ metadata: await api.getImageMetadata(req.ctx, v) }),
    'os-unset_image_metadata': (req) => {
      const { key } = validateBody(UnsetImageMetadataBody, req.body, null)['os-unset_image_metadata'];
      return async (v) => {
        await api.unsetImageMetadata(req.ctx, v, key);
        return BARE_200;
      };
    },
    'os-force_detach': (req) => {
      const a = validateBody(ForceDetachBody, req.body, null)['os-force_detach'];
      return (v) => api.forceDetach(req.ctx, v, a.connector ?? null, a.attachment_id ?? null);
    },
  };

  app.post(`${base}/volumes/:id/action`, async (req, reply) => {
    projectInPath(req);
    const name = actionOf(req.body, Object.keys(actions));
    const work = actions[name](req);
    const id = (req.params as Params).id ?? '';
    if (WITH_ADMIN.has(name)) {
      const { volume, admin } = await api.getWithAdminMetadata(req.ctx, id);
      return answer(reply, await work(volume, admin));
    }
    // These read the volume with objects.Volume.get_by_id (no volume:get); the rest with volume_api.get.
    const v = FIND_ONLY.has(name) ? await api.find(req.ctx, id) : await api.get(req.ctx, id);
    return answer(reply, await work(v));
  });
}

/** 202 with no body, unless the action answers 200 (with its body, or none). */
function answer(reply: FastifyReply, out: unknown): FastifyReply {
  if (out === OK_200) return reply.code(200).send();
  if (out === BARE_200) return bareResponse(reply).code(200).type('text/html; charset=UTF-8').send();
  if (out === BARE_202) return bareResponse(reply).code(202).type('text/html; charset=UTF-8').send();
  if (out !== undefined) return reply.code(200).send(out);
  return reply.code(202).send();
}
