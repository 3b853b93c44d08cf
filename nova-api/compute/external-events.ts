// os-server-external-events (nova/api/openstack/compute/server_external_events.py and
// compute/api.py external_instance_event): other services (Cinder after extending an attached
// volume) tell Nova about a server. Each event answers its own code: 200 accepted, 404 no such
// server, 400 a tag-requiring event without one, 422 a server with no host; any failure makes
// the whole answer 207. A volume-extended event records the extend_volume action before the
// events go to each server's compute (external_instance_event).
import type { RequestContext } from '../../common/context';
import { getLogger } from '../../common/log';
import type { NovaDB } from '../../nova-common/db-api';
import type { Instance } from '../../nova-common/entities';
import type { ExternalEvent } from '../../nova-common/objects';
import type { ComputeAPI as ComputeRPCAPI } from '../../nova-compute/rpcapi';
import type { ExternalEventBody } from '../schemas/server-external-events';
import type { ComputeAPI } from './api';

const LOG = getLogger('nova-api.external-events');

export const EXTERNAL_EVENTS_POLICY = 'os_compute_api:os-server-external-events:create';
const TAG_REQUIRED = ['volume-extended', 'power-update', 'accelerator-request-bound'];

export type EventResult = ExternalEventBody & { status: string; code: number };

export class ExternalEventsAPI {
  constructor(private readonly c: ComputeAPI, private readonly o: { db: NovaDB; rpc: ComputeRPCAPI }) {}

  async create(ctx: RequestContext, events: ExternalEventBody[]): Promise<{ code: number; events: EventResult[] }> {
    this.c.can(ctx, EXTERNAL_EVENTS_POLICY);
    const found = new Map<string, Instance>();
    for (const uuid of new Set(events.map((e) => e.server_uuid))) {
      const inst = await this.o.db.instanceGet(uuid);
      if (inst) found.set(uuid, inst);
    }
    let code = 200;
    const out: EventResult[] = [];
    const accepted: Array<{ inst: Instance; ev: ExternalEvent }> = [];
    for (const e of events) {
      const inst = found.get(e.server_uuid);
      const fail = (c: number): void => {
        out.push({ ...e, status: 'failed', code: c });
        code = 207;
      };
      if (!inst) {
        LOG.debug(`Dropping event ${e.name}:${e.tag ?? 'None'} for unknown instance ${e.server_uuid}`);
        fail(404);
      } else if (TAG_REQUIRED.includes(e.name) && e.tag === undefined) {
        fail(400);
      } else if (inst.host) {
        accepted.push({ inst, ev: { instanceUuid: inst.uuid, name: e.name, status: e.status ?? 'completed', tag: e.tag ?? null } });
        LOG.info(`Creating event ${e.name}:${e.tag ?? 'None'} for instance ${inst.uuid} on ${inst.host}`);
        out.push({ ...e, status: 'completed', code: 200 });
      } else {
        fail(422);
      }
    }
    for (const { inst, ev } of accepted) {
      if (ev.name === 'volume-extended') await this.c.recordAction(ctx, inst.uuid, 'extend_volume');
    }
    const byHost = new Map<string, { instances: Map<string, Instance>; events: ExternalEvent[] }>();
    for (const { inst, ev } of accepted) {
      const h = byHost.get(inst.host as string) ?? { instances: new Map<string, Instance>(), events: [] as ExternalEvent[] };
      h.instances.set(inst.uuid, inst);
      h.events.push(ev);
      byHost.set(inst.host as string, h);
    }
    for (const [host, h] of byHost) await this.o.rpc.externalInstanceEvent(ctx, [...h.instances.values()], h.events, host);
    return { code, events: out };
  }
}
