// POST /volumes/{id}/action: one key names the action (volume_actions.py, admin_actions.py).
// Each handler validates its body like Cinder's schema, looks the volume up (404 first, as
// Cinder does before policy: volume_api.get with volume:get, or for os-reset_status the plain
// lookup), and calls the volume API, whose methods check each action's policy (the admin
// actions' own policies first, as admin_actions.py). Success is 202 with no body, except
// os-initialize_connection (200 {"connection_info": …}). The attach/detach steps have test-only
// pause points after their state change or RPC, before the answer (common/fault/pause.ts).
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { badRequest } from '../../../common/api';
import { pausePoint } from '../../../common/fault/pause';
import type { Volume } from '../../../cinder-common/entities';
import { projectInPath, type Params } from '../request';
import { checkBoolean, checkSize, checkString, checkType, checkUuid, invalid, noExtra, pyRepr, required, resetStatusBody } from '../schemas';
import { migrateVolumeCompletion } from '../migrate-completion';
import { POLICY, type VolumeAPI } from '../volume-api';

type Dict = Record<string, unknown>;

/** An action answered 200 with no body (os-set_bootable). */
const OK_200 = Symbol('200');
/** Validates the body (400 before any lookup, as Cinder's schema decorator) and returns the work. */
type Handler = (req: FastifyRequest, arg: unknown) => (v: Volume) => Promise<unknown>;

/** The `connector` of initialize/terminate: required, object or string (null too for terminate). */
/** {"<action>": {"<key>": <boolean>}} and nothing else (set_bootable, update_readonly_flag). */
function booleanArg(action: string, arg: unknown, key: string): boolean {
  checkType(action, arg, ['object']);
  const a = arg as Dict;
  noExtra(action, a, [key]);
  required(action, a, key);
  return checkBoolean(key, a[key]);
}

function connectorOf(action: string, arg: unknown, nullable: boolean): unknown {
  checkType(action, arg, ['object']);
  const a = arg as Dict;
  noExtra(action, a, ['connector']);
  required(action, a, 'connector');
  checkType('connector', a.connector, nullable ? ['object', 'string', 'null'] : ['object', 'string']);
  return a.connector;
}

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
    'os-initialize_connection': (req, arg) => {
      const connector = connectorOf('os-initialize_connection', arg, false);
      return async (v) => {
        const info = await api.initializeConnection(req.ctx, v, connector);
        await pausePoint('cinder-api.os-initialize_connection.after-rpc');
        return { connection_info: info };
      };
    },
    'os-terminate_connection': (req, arg) => {
      const connector = connectorOf('os-terminate_connection', arg, true);
      return async (v) => {
        await api.terminateConnection(req.ctx, v, connector);
        await pausePoint('cinder-api.os-terminate_connection.after-rpc');
      };
    },
    'os-attach': (req, arg) => {
      checkType('os-attach', arg, ['object']);
      const a = arg as Dict;
      noExtra('os-attach', a, ['instance_uuid', 'mountpoint', 'host_name', 'mode']);
      required('os-attach', a, 'mountpoint');
      if (!('instance_uuid' in a) && !('host_name' in a)) {
        throw invalid('os-attach', a, `${pyRepr(a)} is not valid under any of the given schemas`);
      }
      if ('instance_uuid' in a) checkUuid('instance_uuid', a.instance_uuid);
      checkString('mountpoint', a.mountpoint, { min: 1, max: 255 });
      if ('host_name' in a) checkString('host_name', a.host_name, { max: 255 });
      if ('mode' in a) {
        checkType('mode', a.mode, ['string']);
        if (a.mode !== 'rw' && a.mode !== 'ro') throw invalid('mode', a.mode, `${pyRepr(a.mode)} is not one of ['rw', 'ro']`);
      }
      return async (v) => {
        await api.attach(req.ctx, v, {
          instanceUuid: (a.instance_uuid as string | undefined) ?? null, hostName: (a.host_name as string | undefined) ?? null,
          mountpoint: a.mountpoint as string, mode: (a.mode as string | undefined) ?? 'rw',
        });
        await pausePoint('cinder-api.os-attach.after-rpc');
      };
    },
    'os-detach': (req, arg) => {
      checkType('os-detach', arg, ['object', 'null']);
      const a = (arg ?? {}) as Dict;
      noExtra('os-detach', a, ['attachment_id']);
      if ('attachment_id' in a) checkUuid('attachment_id', a.attachment_id, true);
      return async (v) => {
        await api.detach(req.ctx, v, (a.attachment_id as string | null | undefined) ?? null);
        await pausePoint('cinder-api.os-detach.after-rpc');
      };
    },
    'os-extend': (req, arg) => {
      checkType('os-extend', arg, ['object']);
      const a = arg as Dict;
      noExtra('os-extend', a, ['new_size']);
      required('os-extend', a, 'new_size');
      const n = checkSize('new_size', a.new_size) as number;
      return (v) => api.extend(req.ctx, v, n, req.cinderVersion.atLeast('3.42'));
    },
    'os-reset_status': (req, arg) => {
      checkType('os-reset_status', arg, ['object']);
      const u = resetStatusBody(arg as Dict);
      if (!Object.keys(u).length) throw badRequest("Must specify 'status', 'attach_status' or 'migration_status' for update.");
      return (v) => api.resetStatus(req.ctx, v, u);
    },
    'os-set_bootable': (req, arg) => {
      const bootable = booleanArg('os-set_bootable', arg, 'bootable');
      return async (v) => {
        await api.setBootable(req.ctx, v, bootable);
        return OK_200;
      };
    },
    'os-update_readonly_flag': (req, arg) => {
      const readonly = booleanArg('os-update_readonly_flag', arg, 'readonly');
      return (v) => api.updateReadonlyFlag(req.ctx, v, readonly);
    },
    'os-force_delete': (req) => async (v) => {
      api.authorize(req.ctx, POLICY.adminForceDelete, v);
      await api.delete(req.ctx, v, true);
    },
    'os-migrate_volume_completion': (req, arg) => {
      checkType('os-migrate_volume_completion', arg, ['object']);
      const a = arg as Dict;
      noExtra('os-migrate_volume_completion', a, ['new_volume', 'error']);
      required('os-migrate_volume_completion', a, 'new_volume');
      checkUuid('new_volume', a.new_volume);
      if ('error' in a) checkType('error', a.error, ['string', 'null', 'boolean']);
      return async (v) => {
        const newVolume = await api.find(req.ctx, a.new_volume as string);
        // Cinder passes `error` on as given and tests its truthiness (any non-empty string counts).
        const error = a.error === true || (typeof a.error === 'string' && a.error !== '');
        return { save_volume_id: await migrateVolumeCompletion(api, req.ctx, v, newVolume, error) };
      };
    },
    'os-force_detach': (req, arg) => {
      checkType('os-force_detach', arg, ['object']);
      const a = arg as Dict;
      noExtra('os-force_detach', a, ['connector', 'attachment_id']);
      if ('connector' in a) checkType('connector', a.connector, ['object', 'string', 'null']);
      if ('attachment_id' in a) checkString('attachment_id', a.attachment_id, { nullable: true });
      return (v) => api.forceDetach(req.ctx, v, a.connector ?? null, (a.attachment_id as string | null | undefined) ?? null);
    },
  };

  app.post(`${base}/volumes/:id/action`, async (req, reply) => {
    projectInPath(req);
    const body = req.body;
    // action_peek: exactly one key names the action ("too many body keys" otherwise).
    if (body === null || typeof body !== 'object' || Array.isArray(body) || Object.keys(body).length !== 1) {
      throw badRequest('Malformed request body');
    }
    const [name] = Object.keys(body as Dict);
    const handler = Object.prototype.hasOwnProperty.call(actions, name) ? actions[name] : undefined;
    if (!handler) throw badRequest(`There is no such action: ${name}. Verify the request body and Content-Type header and try again.`);
    const work = handler(req, (body as Dict)[name]);
    const id = (req.params as Params).id ?? '';
    // os-reset_status reads the volume with objects.Volume.get_by_id (no volume:get); the rest with volume_api.get.
    const v = name === 'os-reset_status' ? await api.find(req.ctx, id) : await api.get(req.ctx, id);
    const out = await work(v);
    if (out === OK_200) return reply.code(200).send();
    if (out !== undefined) return reply.code(200).send(out);
    return reply.code(202).send();
  });
}
