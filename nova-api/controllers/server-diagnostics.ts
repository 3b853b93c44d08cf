// GET /servers/{id}/diagnostics (admin): below 2.48 the virt driver's own dict; from 2.48 the
// same fields for every driver, as Nova's view picks them from the Diagnostics object (a field
// the driver left unset is null).
import type { FastifyInstance } from 'fastify';
import type { ComputeAPI } from '../compute/api';
import { projectInPath, type ServerParams } from '../request';

type Dict = Record<string, unknown>;

const PRIMITIVE = ['state', 'driver', 'hypervisor', 'hypervisor_os', 'uptime', 'config_drive', 'num_cpus', 'num_nics', 'num_disks'];
const LISTS: Record<string, string[]> = {
  disk_details: ['read_bytes', 'read_requests', 'write_bytes', 'write_requests', 'errors_count'],
  cpu_details: ['id', 'time', 'utilisation'],
  nic_details: ['mac_address', 'rx_octets', 'rx_errors', 'rx_drop', 'rx_packets', 'rx_rate', 'tx_octets', 'tx_errors', 'tx_drop', 'tx_packets', 'tx_rate'],
};

const pick = (o: Dict | null | undefined, fields: string[]): Dict => Object.fromEntries(fields.map((f) => [f, o?.[f] ?? null]));

/** views/server_diagnostics.py's instance_diagnostics. */
export function instanceDiagnosticsView(d: Dict): Dict {
  return {
    ...pick(d, PRIMITIVE),
    ...Object.fromEntries(Object.entries(LISTS).map(([k, fields]) => [k, ((d[k] ?? []) as Dict[]).map((x) => pick(x, fields))])),
    memory_details: pick(d.memory_details as Dict | null, ['maximum', 'used']),
  };
}

export function serverDiagnosticsRoutes(app: FastifyInstance, base: string, compute: ComputeAPI): void {
  app.get<{ Params: ServerParams }>(`${base}/servers/:server_id/diagnostics`, async (req) => {
    projectInPath(req);
    const common = req.novaVersion.atLeast('2.48');
    const d = await compute.diagnostics(req.ctx, req.params.server_id, common);
    return common ? instanceDiagnosticsView(d) : d;
  });
}
