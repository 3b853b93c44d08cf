// GET /limits (nova limits.py + views/limits.py): the project's absolute limits and usage. The
// maxima are Nova's quota defaults ([quota] metadata_items is ours to set); the nova-network
// quotas (-1, used 0) drop out at 2.36, maxImageMeta at 2.39, personality at 2.57. rate is [].
import type { FastifyInstance } from 'fastify';
import type { ComputeAPI } from '../compute/api';
import { findFlavor } from '../flavors';
import { projectInPath } from '../request';

const NETWORK = ['maxTotalFloatingIps', 'maxSecurityGroups', 'maxSecurityGroupRules', 'totalFloatingIpsUsed', 'totalSecurityGroupsUsed'];

export function limitRoutes(app: FastifyInstance, base: string, compute: ComputeAPI): void {
  app.get(`${base}/limits`, async (req) => {
    projectInPath(req);
    compute.can(req.ctx, 'os_compute_api:limits');
    const asked = (req.query as Record<string, unknown>).tenant_id;
    let project = req.ctx.projectId;
    if (typeof asked === 'string') {
      if (asked !== project) compute.policy.authorize(req.ctx, 'os_compute_api:limits:other_project', { project_id: asked });
      project = asked;
    }
    const servers = await compute.list(req.ctx, { allTenants: false, projectId: project });
    let cores = 0;
    let ram = 0;
    for (const i of servers) {
      const f = findFlavor(i.flavorId);
      cores += f?.vcpus ?? 0;
      ram += f?.ram ?? 0;
    }
    const meta = compute.metadataItems;
    const absolute: Record<string, number> = {
      maxTotalRAMSize: 51200, maxTotalInstances: 10, maxTotalCores: 20, maxTotalKeypairs: 100, maxTotalFloatingIps: -1,
      maxServerMeta: meta, maxImageMeta: meta, maxPersonality: 5, maxPersonalitySize: 10240, maxSecurityGroups: -1,
      maxSecurityGroupRules: -1, maxServerGroups: 10, maxServerGroupMembers: 10,
      totalRAMUsed: ram, totalCoresUsed: cores, totalInstancesUsed: servers.length, totalFloatingIpsUsed: 0,
      totalSecurityGroupsUsed: 0, totalServerGroupsUsed: 0,
    };
    const v = req.novaVersion;
    if (v.atLeast('2.36')) for (const k of NETWORK) delete absolute[k];
    if (v.atLeast('2.39')) delete absolute.maxImageMeta;
    if (v.atLeast('2.57')) { delete absolute.maxPersonality; delete absolute.maxPersonalitySize; }
    return { limits: { rate: [], absolute } };
  });
}
