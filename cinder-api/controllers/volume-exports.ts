// os-volume-exports: an attachd extension (not in Cinder), admin only, for the operator audit.
//   GET  /v3/{project_id}/os-volume-exports
//     200 {"backends": [{"host": "<host@backend>", "state": "up"|"down", "exports": ["<volume id>", ...],
//                        "drift": [{"volume_id", "problem", "detail", "request_id"}]}]}
//     problem: export-without-attachment | missing-export | unknown-volume | stale-attaching |
//              stale-reserved | stale-detaching (cinder-volume/reconciler.ts); request_id: the
//              os-reserve / os-begin_detaching / attachment create that left it, when known.
//   POST /v3/{project_id}/os-volume-exports/action  {"os-sync": {}}
//     200, the same shape after one reconciler pass on every live backend: `drift` is what is
//     left, and each backend that was asked adds "repaired": the drift found with the "action" taken.
// A backend whose service is down or that does not answer is listed with state "down". Non-admins get 403.
import type { FastifyInstance } from 'fastify';
import { Nested, validateBody } from '../../common/api';
import type { ExportAPI } from '../volume/exports';
import { actionOf, projectInPath } from '../request';

class Empty {}

/** {"os-sync": {} or null}: nothing to say. */
class SyncBody {
  @Nested(() => Empty, { type: ['object', 'null'] }) 'os-sync'!: Record<string, never> | null;
}

export function volumeExportRoutes(app: FastifyInstance, base: string, api: ExportAPI): void {
  app.get(`${base}/os-volume-exports`, async (req) => {
    projectInPath(req);
    return { backends: await api.report(req.ctx) };
  });

  app.post(`${base}/os-volume-exports/action`, async (req) => {
    projectInPath(req);
    actionOf(req.body, ['os-sync']);
    validateBody(SyncBody, req.body, null);
    return { backends: await api.sync(req.ctx) };
  });
}
