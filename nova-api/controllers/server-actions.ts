// POST /servers/{id}/action (202, empty body), as Nova's servers controller: os-stop, os-start,
// reboot, pause, unpause, suspend, resume, lock, unlock, os-resetState and injectNetworkInfo
// (admin; resetNetwork is gone, 410, as Nova's); rebuild answers 202 with the server; os-getConsoleOutput answers 200 with the guest's log; forceDelete
// deletes; restore needs a soft-deleted server, which never exists here
// (reclaim_instance_interval 0), so it answers 404 or 409. Nova's other actions (resize,
// migrate, shelve…) are not served: a server the caller cannot see is 404 first, as Nova's
// handlers look it up; one removed at the request's version is 404 as in Nova; else, and for a
// name Nova does not know, 400 "There is no such action: …".
import type { FastifyInstance } from 'fastify';
import { badRequest, HTTPFault, notFound, validateBody } from '../../common/api';
import type { ComputeAPI, GuestStateAction } from '../compute/api';
import { MV } from '../microversions';
import { projectInPath, type ServerParams } from '../request';
import { ConsoleOutputBody, LockBodyV273, RebootBody, ResetStateBody } from '../schemas/server-actions';
import { rebuildBody, rebuildRequest } from '../schemas/server-rebuild';
import { rebuildAnswer } from './servers';

const ACTIONS: Record<string, 'stop' | 'start'> = { 'os-stop': 'stop', 'os-start': 'start' };
const GUEST_STATE_ACTIONS = new Set<string>(['pause', 'unpause', 'suspend', 'resume']);

/** Nova's server actions not served here, with the versions their handlers exist at ([first, last]). */
const UNSERVED_ACTIONS: Record<string, [string, string | null]> = {
  ...Object.fromEntries(['resize', 'confirmResize', 'revertResize', 'createImage', 'createBackup', 'changePassword', 'evacuate', 'migrate',
    'os-migrateLive', 'rescue', 'unrescue', 'shelve', 'shelveOffload', 'unshelve', 'addSecurityGroup', 'removeSecurityGroup'].map((a) => [a, ['2.1', null]])),
  ...Object.fromEntries(['addFloatingIp', 'removeFloatingIp', 'addFixedIp', 'removeFixedIp'].map((a) => [a, ['2.1', '2.43']])),
  ...Object.fromEntries(['os-getVNCConsole', 'os-getSPICEConsole', 'os-getRDPConsole', 'os-getSerialConsole'].map((a) => [a, ['2.1', '2.5']])),
  trigger_crash_dump: ['2.17', null],
};

export function serverActionRoutes(app: FastifyInstance, base: string, compute: ComputeAPI): void {
  app.post<{ Params: ServerParams }>(`${base}/servers/:server_id/action`, async (req, reply) => {
    projectInPath(req);
    const body = req.body;
    // Nova's deserializer: exactly one key names the action.
    if (!body || typeof body !== 'object' || Array.isArray(body) || Object.keys(body).length !== 1) throw badRequest('Malformed request body');
    const key = Object.keys(body)[0];
    const sid = req.params.server_id;
    if (key === 'reboot') {
      await compute.reboot(req.ctx, sid, validateBody(RebootBody, body, null).reboot.type.toUpperCase() as 'SOFT' | 'HARD');
      return reply.code(202).send();
    }
    if (key === 'lock' || key === 'unlock') {
      if (key === 'lock') await compute.lock(req.ctx, sid, req.novaVersion.atLeast(MV.LOCKED_REASON) ? validateBody(LockBodyV273, body, null).lock?.locked_reason ?? null : null);
      else await compute.unlock(req.ctx, sid);
      return reply.code(202).send();
    }
    if (key === 'os-getConsoleOutput') {
      const length = validateBody(ConsoleOutputBody, body, null)['os-getConsoleOutput'].length ?? null;
      return { output: await compute.consoleOutput(req.ctx, sid, length) };
    }
    if (key === 'rebuild') {
      const r = rebuildRequest(validateBody(rebuildBody(req.novaVersion), body, null).rebuild);
      const inst = await compute.rebuilds.rebuild(req.ctx, sid, r);
      return reply.code(202).send(await rebuildAnswer(req, compute, inst, r.adminPass));
    }
    if (key === 'resetNetwork') throw new HTTPFault(410, 'This resource is no longer available.  No forwarding address is given.');
    if (key === 'injectNetworkInfo') {
      await compute.injectNetworkInfo(req.ctx, sid);
      return reply.code(202).send();
    }
    if (key === 'os-resetState') {
      await compute.resetState(req.ctx, sid, validateBody(ResetStateBody, body, null)['os-resetState'].state);
      return reply.code(202).send();
    }
    if (GUEST_STATE_ACTIONS.has(key)) {
      await compute.guestStateAction(req.ctx, sid, key as GuestStateAction);
      return reply.code(202).send();
    }
    if (key === 'restore') await compute.restore(req.ctx, sid);
    // force_delete deletes in any vm_state; without deferred delete it is a plain delete.
    if (key === 'forceDelete') {
      await compute.delete(req.ctx, sid, 'os_compute_api:os-deferred-delete:force');
      return reply.code(202).send();
    }
    const action = ACTIONS[key];
    if (!action && Object.hasOwn(UNSERVED_ACTIONS, key)) {
      // A handler that does not exist at this version: Nova's VersionNotFoundForAPIMethod.
      const [first, last] = UNSERVED_ACTIONS[key];
      if (!req.novaVersion.matches(first, last)) throw notFound();
      await compute.get(req.ctx, sid);
    }
    if (!action) throw badRequest(`There is no such action: ${key}`);
    await compute.powerAction(req.ctx, sid, action);
    return reply.code(202).send();
  });
}
