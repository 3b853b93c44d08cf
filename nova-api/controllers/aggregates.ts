// /os-aggregates: thin; the aggregate API's (empty) answers back.
import type { FastifyInstance } from 'fastify';
import type { AggregateAPI } from '../compute/aggregates';
import { projectInPath } from '../request';

export function aggregateRoutes(app: FastifyInstance, base: string, aggregates: AggregateAPI): void {
  app.get(`${base}/os-aggregates`, async (req) => {
    projectInPath(req);
    return { aggregates: aggregates.list(req.ctx) };
  });
  app.get<{ Params: { tenant_id?: string; aggregate_id: string } }>(`${base}/os-aggregates/:aggregate_id`, async (req) => {
    projectInPath(req);
    return aggregates.show(req.ctx, req.params.aggregate_id);
  });
}
