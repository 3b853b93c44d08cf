// GET /limits (nova limits.py + views/limits.py): the project's absolute limits and usage. The
// maxima are the project's quotas (os-quota-sets over the [quota] defaults); the nova-network
// quotas (-1, used 0) drop out at 2.36, maxImageMeta at 2.39, personality at 2.57. rate is [].
import type { FastifyInstance } from 'fastify';
import type { ComputeAPI } from '../compute/api';
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
    const [q, used] = await Promise.all([compute.quotas.limits(project ?? ''), compute.quotas.usage(project ?? '')]);
    const absolute: Record<string, number> = {
      maxTotalRAMSize: q.ram, maxTotalInstances: q.instances, maxTotalCores: q.cores, maxTotalKeypairs: q.key_pairs,
      maxTotalFloatingIps: q.floating_ips, maxServerMeta: q.metadata_items, maxImageMeta: q.metadata_items,
      maxPersonality: q.injected_files, maxPersonalitySize: q.injected_file_content_bytes, maxSecurityGroups: q.security_groups,
      maxSecurityGroupRules: q.security_group_rules, maxServerGroups: q.server_groups, maxServerGroupMembers: q.server_group_members,
      totalRAMUsed: used.ram ?? 0, totalCoresUsed: used.cores ?? 0, totalInstancesUsed: used.instances ?? 0, totalFloatingIpsUsed: 0,
      totalSecurityGroupsUsed: 0, totalServerGroupsUsed: 0,
    };
    const v = req.novaVersion;
    if (v.atLeast('2.36')) for (const k of NETWORK) delete absolute[k];
    if (v.atLeast('2.39')) delete absolute.maxImageMeta;
    if (v.atLeast('2.57')) { delete absolute.maxPersonality; delete absolute.maxPersonalitySize; }
    return { limits: { rate: [], absolute } };
  });
}
