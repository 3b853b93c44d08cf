// os-volumes and os-snapshots (nova/api/openstack/compute/volumes.py): Nova's proxy of Cinder's
// volumes and snapshots, up to 2.35. Each call is the caller's own request to cinder-api (its token and project), as Nova's
// volume API makes it; the answer is mapped to the proxy's camelCase view (views/volumes.ts).
import type { RequestContext } from '../../common/context';
import type { CinderVolume } from '../../nova-common/volume/cinder';
import { caller, type ComputeAPI, type ComputeApiOptions } from './api';

export interface VolumeCreate {
  size: number;
  display_name?: string;
  display_description?: string;
  volume_type?: string;
  metadata?: Record<string, unknown>;
  availability_zone?: string;
  snapshot_id?: string;
}

export class VolumesProxyAPI {
  constructor(private readonly c: ComputeAPI, private readonly o: ComputeApiOptions) {}

  /** The caller's project's volumes, in Cinder's order (os_compute_api:os-volumes:list or :detail). */
  async list(ctx: RequestContext, kind: 'list' | 'detail'): Promise<CinderVolume[]> {
    this.c.can(ctx, `os_compute_api:os-volumes:${kind}`, { projectId: ctx.projectId, userId: ctx.userId });
    return this.o.cinder.listOwn(caller(ctx));
  }

  async show(ctx: RequestContext, id: string): Promise<CinderVolume> {
    this.c.can(ctx, 'os_compute_api:os-volumes:show', { projectId: ctx.projectId, userId: ctx.userId });
    return this.o.cinder.get(caller(ctx), id);
  }

  async delete(ctx: RequestContext, id: string): Promise<void> {
    this.c.can(ctx, 'os_compute_api:os-volumes:delete', { projectId: ctx.projectId, userId: ctx.userId });
    await this.o.cinder.delete(caller(ctx), id);
  }

  /** A snapshot named must exist (404); without a size the snapshot's is taken, as Nova's. */
  async create(ctx: RequestContext, v: VolumeCreate): Promise<CinderVolume> {
    this.c.can(ctx, 'os_compute_api:os-volumes:create', { projectId: ctx.projectId, userId: ctx.userId });
    const snapshot = v.snapshot_id !== undefined ? await this.o.cinder.getSnapshot(caller(ctx), v.snapshot_id) : null;
    return this.o.cinder.create(caller(ctx), {
      size: v.size, name: v.display_name, description: v.display_description, volume_type: v.volume_type,
      metadata: v.metadata, availability_zone: v.availability_zone, ...(snapshot ? { snapshot_id: v.snapshot_id } : {}),
    });
  }

  /** os-snapshots (os_compute_api:os-volumes:snapshots:<kind>, on the caller's project). */
  private canSnapshots(ctx: RequestContext, kind: 'list' | 'detail' | 'show' | 'create' | 'delete'): void {
    this.c.can(ctx, `os_compute_api:os-volumes:snapshots:${kind}`, { projectId: ctx.projectId, userId: ctx.userId });
  }

  async listSnapshots(ctx: RequestContext, kind: 'list' | 'detail'): Promise<Array<Record<string, unknown>>> {
    this.canSnapshots(ctx, kind);
    return this.o.cinder.listSnapshots(caller(ctx));
  }

  async showSnapshot(ctx: RequestContext, id: string): Promise<Record<string, unknown>> {
    this.canSnapshots(ctx, 'show');
    return this.o.cinder.getSnapshot(caller(ctx), id);
  }

  async createSnapshot(ctx: RequestContext, s: { volume_id: string; force?: boolean | string; display_name?: string; display_description?: string }, force: boolean): Promise<Record<string, unknown>> {
    this.canSnapshots(ctx, 'create');
    return this.o.cinder.createSnapshot(caller(ctx), s.volume_id, force, s.display_name ?? null, s.display_description ?? null);
  }

  async deleteSnapshot(ctx: RequestContext, id: string): Promise<void> {
    this.canSnapshots(ctx, 'delete');
    await this.o.cinder.deleteSnapshot(caller(ctx), id);
  }
}
