// /os-availability-zone[/detail] (nova availability_zone.py): the zones of the nova-compute
// services — available if any enabled service is in it. Every compute host here is in the
// default zone "nova" (no host aggregates). detail is admin-only and adds each host's services.
import type { FastifyInstance } from 'fastify';
import { serviceIsUp } from '../../nova-common/servicegroup';
import { Service } from '../../nova-common/entities';
import type { ComputeAPI } from '../compute/api';
import { projectInPath } from '../request';

const ZONE = 'nova';
const usg = (d: Date | null): string | null => (d ? d.toISOString().replace('Z', '').padEnd(26, '0') : null);

export function availabilityZoneRoutes(app: FastifyInstance, base: string, compute: ComputeAPI): void {
  const computes = (): Promise<Service[]> => compute.db.ds.getRepository(Service).findBy({ binary: 'nova-compute', deleted: 0 });
  const zones = (rows: Service[]): Array<{ zoneName: string; zoneState: { available: boolean } }> =>
    rows.length ? [{ zoneName: ZONE, zoneState: { available: rows.some((s) => !s.disabled) } }] : [];

  app.get(`${base}/os-availability-zone`, async (req) => {
    projectInPath(req);
    compute.can(req.ctx, 'os_compute_api:os-availability-zone:list');
    return { availabilityZoneInfo: zones(await computes()).map((z) => ({ ...z, hosts: null })) };
  });

  app.get(`${base}/os-availability-zone/detail`, async (req) => {
    projectInPath(req);
    compute.can(req.ctx, 'os_compute_api:os-availability-zone:detail');
    const rows = await computes();
    const hosts: Record<string, Record<string, unknown>> = {};
    for (const s of rows.filter((x) => !x.disabled)) {
      hosts[s.host ?? ''] = { 'nova-compute': {
        available: serviceIsUp(s, compute.serviceDownTime), active: !s.disabled, updated_at: usg(s.updatedAt),
      } };
    }
    return { availabilityZoneInfo: zones(rows).map((z) => ({ ...z, hosts: z.zoneState.available ? hosts : null })) };
  });
}
