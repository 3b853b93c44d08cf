// A stand-in cinder-api for nova tests (nova's CinderFixture analogue): the v3 volume REST
// surface Nova uses, with Cinder's legacy-flow state machine (docs/attach-detach.md) and
// its fault bodies. `failNext` makes one action fail as the real service would.
import { randomUUID } from 'node:crypto';
import Fastify, { type FastifyInstance } from 'fastify';

export interface FixtureVolume {
  id: string;
  project_id: string;
  status: string;
  attach_status: string;
  size: number;
  name: string | null;
  exported: boolean;
  attachments: Array<{ id: string; attachment_id: string; volume_id: string; server_id: string; device: string; host_name: null; attached_at: string }>;
}

const fault = (code: number, message: string): Record<string, unknown> =>
  ({ [code === 404 ? 'itemNotFound' : code === 400 ? 'badRequest' : code === 409 ? 'conflictingRequest' : code === 503 ? 'serviceUnavailable' : 'computeFault']: { code, message } });

export class CinderFixture {
  readonly volumes = new Map<string, FixtureVolume>();
  readonly calls: Array<{ action: string; volumeId: string; body: unknown }> = [];
  /** action name → error (status, message) to answer once. */
  readonly failNext = new Map<string, { code: number; message: string }>();
  /** While true every request answers 503, as cinder-api does when its database is down. */
  down = false;
  private readonly held = new Map<string, { arrived: () => void; gate: Promise<void> }>();

  /** The next `action` request waits for `release()` before it is handled; `reached` resolves as it arrives. */
  hold(action: string): { reached: Promise<void>; release: () => void } {
    let arrived = (): void => undefined;
    let release = (): void => undefined;
    const reached = new Promise<void>((r) => { arrived = r; });
    const gate = new Promise<void>((r) => { release = r; });
    this.held.set(action, { arrived, gate });
    return { reached, release };
  }
  private app: FastifyInstance | null = null;
  url = '';

  /** attachments-API attachments by id (what attachment_create made), with their volume. */
  readonly v3Attachments = new Map<string, { volumeId: string; instance: string; status: 'reserved' | 'attaching' | 'attached' }>();

  /** attachment_create as Nova's API does it before casting: the volume is 'reserved' for the server. */
  reserveAttachment(volumeId: string, instance: string): string {
    const v = this.volumes.get(volumeId) as FixtureVolume;
    const id = randomUUID();
    this.v3Attachments.set(id, { volumeId, instance, status: 'reserved' });
    v.status = 'reserved';
    return id;
  }

  create(projectId: string, name: string | null = null): FixtureVolume {
    const v: FixtureVolume = { id: randomUUID(), project_id: projectId, status: 'available', attach_status: 'detached', size: 1, name, exported: false, attachments: [] };
    this.volumes.set(v.id, v);
    return v;
  }

  async start(): Promise<string> {
    const app = Fastify();
    app.addHook('onRequest', async (_req, reply) => {
      if (this.down) return reply.code(503).send({ serviceUnavailable: { code: 503, message: 'Service temporarily unavailable: the database is unreachable. Try again later.' } });
      return undefined;
    });
    const view = (v: FixtureVolume): Record<string, unknown> => ({
      id: v.id, status: v.status, size: v.size, name: v.name, attachments: v.status === 'in-use' || v.status === 'detaching' ? v.attachments : [],
      multiattach: false, metadata: {}, volume_type: '__DEFAULT__', bootable: 'false', encrypted: false, availability_zone: 'nova',
    });
    const find = (project: string, id: string): FixtureVolume | null => {
      const v = this.volumes.get(id);
      return v && v.project_id === project ? v : null;
    };
    app.get('/v3/:p/volumes/:id', async (req, reply) => {
      const { p, id } = req.params as { p: string; id: string };
      const v = find(p, id);
      return v ? { volume: view(v) } : reply.code(404).send(fault(404, `Volume ${id} could not be found.`));
    });
    app.delete('/v3/:p/volumes/:id', async (req, reply) => {
      const { p, id } = req.params as { p: string; id: string };
      const v = find(p, id);
      if (!v) return reply.code(404).send(fault(404, `Volume ${id} could not be found.`));
      if (v.status !== 'available') return reply.code(400).send(fault(400, 'Invalid volume: Volume status must be available or error ...'));
      this.volumes.delete(id);
      return reply.code(202).send();
    });
    app.post('/v3/:p/volumes/:id/action', async (req, reply) => {
      const { p, id } = req.params as { p: string; id: string };
      const v = find(p, id);
      if (!v) return reply.code(404).send(fault(404, `Volume ${id} could not be found.`));
      const body = (req.body ?? {}) as Record<string, Record<string, unknown> | null>;
      const action = Object.keys(body)[0];
      const held = this.held.get(action);
      if (held) {
        this.held.delete(action);
        held.arrived();
        await held.gate;
      }
      this.calls.push({ action, volumeId: id, body: body[action] });
      const fail = this.failNext.get(action);
      if (fail) {
        this.failNext.delete(action);
        return reply.code(fail.code).send(fault(fail.code, fail.message));
      }
      const ok = (): unknown => reply.code(202).send();
      switch (action) {
        case 'os-reserve':
          if (v.status !== 'available') return reply.code(400).send(fault(400, `Invalid volume: Volume status must be available to reserve, but the status is ${v.status}.`));
          v.status = 'attaching';
          return ok();
        case 'os-unreserve':
          if (v.status === 'attaching') v.status = v.attachments.length ? 'in-use' : 'available';
          return ok();
        case 'os-begin_detaching':
          if (v.status !== 'in-use' || v.attach_status !== 'attached') {
            return reply.code(400).send(fault(400, "Invalid volume: Unable to detach volume. Volume status must be 'in-use' and attach_status must be 'attached' to detach."));
          }
          v.status = 'detaching';
          return ok();
        case 'os-roll_detaching':
          if (v.status === 'detaching') v.status = 'in-use';
          return ok();
        case 'os-initialize_connection': {
          const connector = (body[action] ?? {}).connector as Record<string, unknown> | undefined;
          if (!connector?.initiator) return reply.code(400).send(fault(400, "Invalid input received: Connector doesn't have required information: initiator"));
          v.exported = true;
          return reply.code(200).send({ connection_info: { driver_volume_type: 'iscsi', data: {
            target_discovered: false, target_portal: '127.0.0.1:3260', target_iqn: `iqn.2010-10.org.openstack:volume-${v.id}`, target_lun: 1,
            volume_id: v.id, auth_method: 'CHAP', auth_username: 'user1', auth_password: 'pass1', encrypted: false, qos_specs: null,
            access_mode: 'rw', cacheable: false } } });
        }
        case 'os-terminate_connection':
          v.exported = false;
          if (v.status === 'attaching') v.status = v.attachments.length ? 'in-use' : 'available';
          return ok();
        case 'os-attach': {
          const a = body[action] ?? {};
          // Redone for the same server: the attachment it has already (as cinder-volume's attach_volume).
          if (!v.attachments.some((x) => x.server_id === String(a.instance_uuid))) {
            if (v.attachments.length) return reply.code(400).send(fault(400, 'Invalid volume: volume is already attached and multiple attachments are not enabled'));
            v.attachments.push({ id: v.id, attachment_id: randomUUID(), volume_id: v.id, server_id: String(a.instance_uuid), device: String(a.mountpoint), host_name: null, attached_at: new Date().toISOString() });
          }
          v.status = 'in-use';
          v.attach_status = 'attached';
          return ok();
        }
        case 'os-detach': {
          const aid = (body[action] ?? {}).attachment_id;
          // Cinder's attachment-deletion check refuses an attachment that does not exist.
          if (aid && !v.attachments.some((x) => x.attachment_id === aid)) return reply.code(409).send(fault(409, 'ConflictNovaUsingAttachment: Detach volume from instance  using the Compute API'));
          if (!aid && v.attachments.length > 1) return reply.code(400).send(fault(400, 'Invalid volume: Detach volume failed: More than one attachment, but no attachment_id provided.'));
          v.attachments = aid ? v.attachments.filter((x) => x.attachment_id !== aid) : [];
          if (!v.attachments.length) {
            v.status = 'available';
            v.attach_status = 'detached';
            v.exported = false;
          }
          return ok();
        }
        default:
          return reply.code(400).send(fault(400, `Invalid action ${action}`));
      }
    });
    this.attachmentRoutes(app, find);
    await app.listen({ host: '127.0.0.1', port: 0 });
    this.app = app;
    this.url = `http://127.0.0.1:${(app.server.address() as { port: number }).port}`;
    return this.url;
  }

  /** The v3 attachments API (3.44) for the attachments a test reserved. */
  private attachmentRoutes(app: FastifyInstance, find: (p: string, id: string) => FixtureVolume | null): void {
    const get = (req: { params: unknown }): { id: string; a: { volumeId: string; instance: string; status: string }; v: FixtureVolume } | null => {
      const { p, id } = req.params as { p: string; id: string };
      const a = this.v3Attachments.get(id);
      const v = a ? find(p, a.volumeId) : null;
      return a && v ? { id, a, v } : null;
    };
    const missing = (id: string) => fault(404, `Volume attachment could not be found with filter: attachment_id = ${id}.`);
    app.put('/v3/:p/attachments/:id', async (req, reply) => {
      const f = get(req);
      if (!f) return reply.code(404).send(missing((req.params as { id: string }).id));
      this.calls.push({ action: 'attachment_update', volumeId: f.v.id, body: req.body });
      f.a.status = 'attaching';
      f.v.status = 'attaching';
      f.v.exported = true;
      return { attachment: { id: f.id, status: 'attaching', instance: f.a.instance, volume_id: f.v.id, connection_info: {
        driver_volume_type: 'iscsi', target_discovered: false, target_portal: '127.0.0.1:3260', target_iqn: `iqn.2010-10.org.openstack:volume-${f.v.id}`,
        target_lun: 1, volume_id: f.v.id, auth_method: 'CHAP', auth_username: 'user1', auth_password: 'pass1', encrypted: false, qos_specs: null,
        access_mode: 'rw', cacheable: false, attachment_id: f.id } } };
    });
    app.post('/v3/:p/attachments/:id/action', async (req, reply) => {
      const f = get(req);
      if (!f) return reply.code(404).send(missing((req.params as { id: string }).id));
      this.calls.push({ action: 'attachment_complete', volumeId: f.v.id, body: req.body });
      f.a.status = 'attached';
      f.v.attachments.push({ id: f.v.id, attachment_id: f.id, volume_id: f.v.id, server_id: f.a.instance, device: '', host_name: null, attached_at: new Date().toISOString() });
      f.v.status = 'in-use';
      f.v.attach_status = 'attached';
      return reply.code(204).send();
    });
    app.delete('/v3/:p/attachments/:id', async (req, reply) => {
      const f = get(req);
      if (!f) return reply.code(404).send(missing((req.params as { id: string }).id));
      this.calls.push({ action: 'attachment_delete', volumeId: f.v.id, body: null });
      this.v3Attachments.delete(f.id);
      f.v.attachments = f.v.attachments.filter((x) => x.attachment_id !== f.id);
      if (!f.v.attachments.length) Object.assign(f.v, { status: 'available', attach_status: 'detached', exported: false });
      return { attachments: [] };
    });
    app.get('/v3/:p/attachments/:id', async (req, reply) => {
      const f = get(req);
      if (!f) return reply.code(404).send(missing((req.params as { id: string }).id));
      return { attachment: { id: f.id, status: f.a.status, instance: f.a.instance, volume_id: f.v.id } };
    });
  }

  async stop(): Promise<void> {
    await this.app?.close();
  }
}
