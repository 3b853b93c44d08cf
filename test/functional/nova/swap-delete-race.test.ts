// A swap racing a server delete (nova-api + nova-compute and the real Cinder, in process), as a
// race probe found: the delete's compute rolls the swap back from the row it read, so a
// reservation of the new volume that lands after it looked is known only to nova-api and to the
// swap_volume cast. Before the fix the new volume stayed 'reserved' until cinder-volume's
// reconciler released it, attach_transition_timeout (15 minutes) later.
import { expect } from 'chai';
import type { ComputeAPI as ComputeRPCAPI } from '../../../nova-compute/rpcapi';
import type { CinderAPI } from '../../../nova-common/volume/cinder';
import type { NovaDB } from '../../../nova-common/db-api';
import { caller } from '../../../nova-api/compute/api';
import { RequestContext } from '../../../common/context';
import { BDM_STATES as S } from '../../../nova-common/bdm-states';
import { startCinder, type Cinder } from '../cinder/cinder-stack';
import { waitFor } from '../../support/processes';
import { activeServer, startNova, type Nova } from './harness';

describe('a volume swap racing a server delete (real Cinder, in process)', function () {
  this.timeout(60_000);
  let cinder: Cinder;
  let nova: Nova;
  let apiDeps: { cinder: CinderAPI; rpc: ComputeRPCAPI; db: NovaDB };

  beforeEach(async () => {
    cinder = await startCinder({ DEFAULT: { rpc_response_timeout: 3 } });
    nova = await startNova({ cinder: { endpoint: `${cinder.api.url}/v3/%(project_id)s` }, compute: { volume_op_retry_timeout: 5 } });
    apiDeps = (nova.api.compute as unknown as { o: typeof apiDeps }).o;
  });
  afterEach(async () => {
    await nova?.stop();
    await cinder?.stop().catch(() => undefined);
  });

  const until = (what: string, ok: () => Promise<boolean>) => waitFor(ok, 15_000, what, 20);
  const attachments = async (volumeId: string) =>
    (await cinder.req('GET', `/v3/demo/attachments?all_tenants=1&volume_id=${volumeId}`, { token: 'admin:demo', headers: { 'OpenStack-API-Version': 'volume 3.27' } })).body.attachments as Array<{ id: string }>;

  /** A server with `oldId` attached, and a second volume to swap to. */
  async function attached(name: string): Promise<{ sid: string; oldId: string; newId: string }> {
    const sid = await activeServer(nova, name);
    const [oldId, newId] = [await cinder.createVolume(), await cinder.createVolume()];
    expect((await nova.req('POST', `/v2.1/servers/${sid}/os-volume_attachments`, { body: { volumeAttachment: { volumeId: oldId } } })).status).to.equal(200);
    await until('old in-use', async () => (await cinder.show(oldId)).status === 'in-use'
      && (await apiDeps.db.bdmByVolumeAndInstance(oldId, sid))?.attachState === null);
    return { sid, oldId, newId };
  }

  it("nova-api releases the new volume's attachment when the delete rolled the swap back before it was recorded, and answers 404", async () => {
    const { sid, oldId, newId } = await attached('swap-api');
    // nova-api's attachment_create of the new volume waits until the delete has finished.
    const real = apiDeps.cinder.attachmentCreate.bind(apiDeps.cinder);
    let arrived = (): void => undefined;
    let release = (): void => undefined;
    const reached = new Promise<void>((r) => { arrived = r; });
    const gate = new Promise<void>((r) => { release = r; });
    apiDeps.cinder.attachmentCreate = async (...a: Parameters<CinderAPI['attachmentCreate']>) => {
      arrived();
      await gate;
      return real(...a);
    };
    const swap = nova.req('PUT', `/v2.1/servers/${sid}/os-volume_attachments/${oldId}`, { token: 'admin:demo', body: { volumeAttachment: { volumeId: newId } } });
    await reached;
    expect((await nova.req('DELETE', `/v2.1/servers/${sid}`)).status).to.equal(204);
    await until('server gone', async () => (await nova.req('GET', `/v2.1/servers/${sid}`)).status === 404);
    expect((await cinder.show(newId)).status, 'nothing held the new volume when the delete looked').to.equal('available');
    release();
    const r = await swap;
    expect(r.status, JSON.stringify(r.body)).to.equal(404);
    expect(r.body.itemNotFound.message).to.equal(`Instance ${sid} could not be found.`);
    expect(await attachments(newId)).to.deep.equal([]);
    expect((await cinder.show(newId)).status).to.equal('available');
    await until('old volume available', async () => (await cinder.show(oldId)).status === 'available');
  });

  it('a swap_volume cast its row no longer records releases the attachment it names, unless a live row holds it', async () => {
    const { sid, oldId, newId } = await attached('swap-cast');
    const ctx = new RequestContext({ userId: 'admin', projectId: 'demo', roles: ['admin'], isAdmin: true, authToken: 'admin:demo' });
    const inst = (await apiDeps.db.instanceGet(sid))!;
    // A stale cast naming the old volume's own attachment, which the server's row holds: kept.
    const held = (await apiDeps.db.bdmByVolumeAndInstance(oldId, sid))!.attachmentId as string;
    await apiDeps.rpc.swapVolume(ctx, inst, newId, oldId, held);
    // Nova-api's reservation of the new volume, as if the delete's rollback had read the row before it.
    const orphan = (await apiDeps.cinder.attachmentCreate(caller(ctx), newId, sid)).id;
    expect((await cinder.show(newId)).status).to.equal('reserved');
    // Handled after the first: casts for one server run in order, under its lock.
    await apiDeps.rpc.swapVolume(ctx, inst, oldId, newId, orphan);
    await until('orphan released', async () => (await attachments(newId)).length === 0);
    expect((await cinder.show(newId)).status).to.equal('available');
    expect((await attachments(oldId)).map((a) => a.id)).to.deep.equal([held]);
    expect((await cinder.show(oldId)).status).to.equal('in-use');
    expect((await apiDeps.db.bdmByVolumeAndInstance(oldId, sid))?.attachState).to.equal(null);
  });
  it('a server delete whose row moved to a swap after it read it rolls the swap back and detaches the volume', async () => {
    const { sid, oldId, newId } = await attached('swap-moved');
    const computeDb = (nova.compute.manager as unknown as { d: { db: NovaDB } }).d.db;
    const real = computeDb.bdmTransition.bind(computeDb);
    let moved = false;
    computeDb.bdmTransition = async (...a: Parameters<NovaDB['bdmTransition']>) => {
      if (!moved && a[2] === S.DETACHING) {
        moved = true;
        // nova-api's swap intent lands between the delete's read of the rows and its detach.
        expect(await real(a[0], [null], S.SWAP_RESERVING, { swapVolumeId: newId, swapAttachmentId: null, attachRequestId: 'req-swap' })).to.equal(true);
      }
      return real(...a);
    };
    try {
      expect((await nova.req('DELETE', `/v2.1/servers/${sid}`)).status).to.equal(204);
      await until('server gone', async () => (await nova.req('GET', `/v2.1/servers/${sid}`)).status === 404);
    } finally {
      computeDb.bdmTransition = real;
    }
    expect(moved).to.equal(true);
    expect(await apiDeps.db.bdmsByInstance(sid)).to.deep.equal([]);
    expect((await cinder.show(oldId)).status).to.equal('available');
    expect(await attachments(oldId)).to.deep.equal([]);
    expect((await cinder.show(newId)).status).to.equal('available');
  });

  it("the reconciler releases a volume a delete left attached to its deleted server", async () => {
    const { sid, oldId } = await attached('left');
    const row = (await apiDeps.db.bdmByVolumeAndInstance(oldId, sid))!;
    // The server deleted with its row left live, as the delete above did before its fix.
    await apiDeps.db.instanceSoftDelete((await apiDeps.db.instanceGet(sid))!);
    const report = await nova.compute.reconciler.runOnce();
    expect(report.leftoversReleased).to.deep.equal([row.id]);
    expect((await apiDeps.db.bdmGetAny(row.id))?.deleted).to.equal(row.id);
    expect((await cinder.show(oldId)).status).to.equal('available');
    expect(await attachments(oldId)).to.deep.equal([]);
    expect((await nova.compute.reconciler.runOnce()).leftoversReleased, 'nothing left the second time').to.deep.equal([]);
  });
});
