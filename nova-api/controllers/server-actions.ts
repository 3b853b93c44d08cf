// POST /servers/{id}/action (202, empty body), as Nova's servers controller: os-stop, os-start,
// reboot, lock, unlock; forceDelete deletes; restore needs a soft-deleted server, which never
// exists here (reclaim_instance_interval 0), so it answers 404 or 409. Other actions answer like
// an unknown action in Nova (400 "There is no such action: …").
import type { FastifyInstance } from 'fastify';
import { badRequest, invalidInput, pyRepr as repr } from '../../common/api';
import type { ComputeAPI } from '../compute/api';
import { projectInPath, type Params } from '../request';

const ACTIONS: Record<string, 'stop' | 'start'> = { 'os-stop': 'stop', 'os-start': 'start' };


/** schemas/reboot.py: {"type": SOFT|HARD in any of three casings}, nothing else. */
function parseReboot(arg: unknown): 'SOFT' | 'HARD' {
  const bad = (field: string, v: unknown, why: string): never => {
    throw invalidInput(field, v, why);
  };
  if (!arg || typeof arg !== 'object' || Array.isArray(arg)) return bad('reboot', arg, `${repr(arg)} is not of type 'object'`);
  const a = arg as Record<string, unknown>;
  const extra = Object.keys(a).find((k) => k !== 'type');
  if (extra) bad('reboot', a, `Additional properties are not allowed ('${extra}' was unexpected)`);
  if (!('type' in a)) bad('reboot', a, "'type' is a required property");
  const ok = ['HARD', 'Hard', 'hard', 'SOFT', 'Soft', 'soft'];
  if (typeof a.type !== 'string' || !ok.includes(a.type)) bad('type', a.type, `${repr(a.type)} is not one of ${JSON.stringify(ok).replace(/"/g, "'").replace(/,/g, ', ')}`);
  return (a.type as string).toUpperCase() as 'SOFT' | 'HARD';
}

/** schemas/lock_server.py lock_v2_73: null or {"locked_reason": 1-255 chars}. */
function parseLock(arg: unknown): string | null {
  if (arg === null || arg === undefined) return null;
  if (typeof arg !== 'object' || Array.isArray(arg)) throw invalidInput('lock', arg, `${repr(arg)} is not of type 'object', 'null'`);
  const a = arg as Record<string, unknown>;
  const extra = Object.keys(a).find((k) => k !== 'locked_reason');
  if (extra) throw invalidInput('lock', a, `Additional properties are not allowed ('${extra}' was unexpected)`);
  const r = a.locked_reason;
  if (r === undefined) return null;
  const why = typeof r !== 'string' ? "is not of type 'string'" : r.length < 1 ? 'is too short' : r.length > 255 ? 'is too long' : null;
  if (why) throw invalidInput('locked_reason', r, `${repr(r)} ${why}`);
  return r as string;
}

export function serverActionRoutes(app: FastifyInstance, base: string, compute: ComputeAPI): void {
  app.post(`${base}/servers/:server_id/action`, async (req, reply) => {
    projectInPath(req);
    const body = req.body;
    // Nova's deserializer: exactly one key names the action.
    if (!body || typeof body !== 'object' || Array.isArray(body) || Object.keys(body).length !== 1) throw badRequest('Malformed request body');
    const key = Object.keys(body)[0];
    const sid = (req.params as Params).server_id as string;
    if (key === 'reboot') {
      await compute.reboot(req.ctx, sid, parseReboot((body as Record<string, unknown>).reboot));
      return reply.code(202).send();
    }
    if (key === 'lock' || key === 'unlock') {
      if (key === 'lock') await compute.lock(req.ctx, sid, req.novaVersion.atLeast('2.73') ? parseLock((body as Record<string, unknown>).lock) : null);
      else await compute.unlock(req.ctx, sid);
      return reply.code(202).send();
    }
    if (key === 'restore') await compute.restore(req.ctx, sid);
    // force_delete deletes in any vm_state; without deferred delete it is a plain delete.
    if (key === 'forceDelete') {
      await compute.delete(req.ctx, sid, 'os_compute_api:os-deferred-delete:force');
      return reply.code(202).send();
    }
    const action = ACTIONS[key];
    if (!action) throw badRequest(`There is no such action: ${key}`);
    await compute.powerAction(req.ctx, sid, action);
    return reply.code(202).send();
  });
}
