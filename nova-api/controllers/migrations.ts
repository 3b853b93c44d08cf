// /os-migrations and /servers/{id}/migrations: HTTP and query schemas only (the migration API
// answers). The query schema by microversion, as Nova's: below 2.59 extra keys pass; from 2.59
// limit, marker and changes-since, strict; changes-before from 2.66; user_id, project_id from 2.80.
import type { FastifyInstance } from 'fastify';
import { notFound } from '../../common/api';
import type { ComputeAPI } from '../compute/api';
import { checkQuery, dateTime, lastQueryValue, nonNegativeInteger, type QueryParam } from '../query';
import { projectInPath, type ServerParams } from '../request';

const MULTI: QueryParam = { schema: { type: 'string' } };
const V20: Record<string, QueryParam> = { hidden: MULTI, host: MULTI, instance_uuid: MULTI, source_compute: MULTI, status: MULTI, migration_type: MULTI };
const V259: Record<string, QueryParam> = {
  ...V20, limit: { schema: nonNegativeInteger, single: true }, marker: { schema: { type: 'string' }, single: true }, 'changes-since': { schema: dateTime, single: true },
};
const V266: Record<string, QueryParam> = { ...V259, 'changes-before': { schema: dateTime, single: true } };
const V280: Record<string, QueryParam> = { ...V266, user_id: { schema: { type: 'string' }, single: true }, project_id: { schema: { type: 'string' }, single: true } };

export function migrationRoutes(app: FastifyInstance, base: string, compute: ComputeAPI): void {
  const migrations = compute.migrations;
  app.get(`${base}/os-migrations`, async (req) => {
    projectInPath(req);
    const v = req.novaVersion;
    const q = req.query as Record<string, unknown>;
    const paged = v.atLeast('2.59');
    checkQuery(q, v.atLeast('2.80') ? V280 : v.atLeast('2.66') ? V266 : paged ? V259 : V20, paged);
    const time = (k: string): number | undefined => (q[k] === undefined ? undefined : Date.parse(lastQueryValue(q[k]) as string));
    return {
      migrations: migrations.list(req.ctx, {
        ...(paged && q.marker !== undefined ? { marker: lastQueryValue(q.marker) } : {}),
        ...(v.atLeast('2.66') ? { since: time('changes-since'), before: time('changes-before') } : {}),
      }),
    };
  });

  // In-progress live migrations of a server (2.23; below, no such route: 404).
  app.get<{ Params: ServerParams }>(`${base}/servers/:server_id/migrations`, async (req) => {
    projectInPath(req);
    if (!req.novaVersion.atLeast('2.23')) throw notFound();
    return { migrations: await migrations.ofServer(req.ctx, req.params.server_id) };
  });
}
