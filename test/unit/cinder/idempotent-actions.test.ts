// Every legacy attach/detach action is safe to redo (Nova retries after transient failures):
// os-initialize_connection returns the same export, os-attach finishes the attachment an earlier
// attempt left 'attaching' instead of making a second one, detach/terminate/remove_export redone
// change nothing; and every connection change waits for the volume's lock, which the
// reconciler's repairs take too. Fake driver + SQLite.
import { expect } from 'chai';
import { CinderDB } from '../../../cinder-common/db-api';
import type { FakeDriver } from '../../../cinder-volume/drivers';
import type { VolumeManager } from '../../../cinder-volume/manager';
import { startCinder, type Cinder } from '../../functional/cinder/cinder-stack';

const CONNECTOR = { ip: '10.0.0.2', host: 'compute1', initiator: 'iqn.1993-08.org.debian:01:redo' };
const SERVER = '5f1c49d6-f3ec-4564-9b9a-f6b3dc938dd2';

describe('cinder actions redone', function () {
  let c: Cinder;
  let fake: FakeDriver;
  let manager: VolumeManager;
  let db: CinderDB;
  before(async () => {
    c = await startCinder();
    fake = c.volume.backends[0].driver as FakeDriver;
    manager = c.volume.backends[0].manager;
    db = new CinderDB(c.ds);
  });
  after(async () => { await c?.stop(); });

  const ok = async (id: string, action: string, arg: unknown, code = 202): Promise<void> => {
    const r = await c.action(id, action, arg);
    expect(r.status, `${action}: ${JSON.stringify(r.body)}`).to.equal(code);
  };
  const live = async (id: string) => db.attachmentsOf([id]);
  const reserved = async (): Promise<string> => {
    const id = await c.createVolume();
    await ok(id, 'os-reserve', null);
    await ok(id, 'os-initialize_connection', { connector: CONNECTOR }, 200);
    return id;
  };
  const attached = async (): Promise<string> => {
    const id = await reserved();
    await ok(id, 'os-attach', { instance_uuid: SERVER, mountpoint: '/dev/vdb', mode: 'rw' });
    return id;
  };

  it('os-initialize_connection twice: the same export and the same connection_info', async () => {
    const id = await c.createVolume();
    await ok(id, 'os-reserve', null);
    const first = await c.action(id, 'os-initialize_connection', { connector: CONNECTOR });
    const location = (await db.volumeGet(id))?.providerLocation;
    const second = await c.action(id, 'os-initialize_connection', { connector: CONNECTOR });
    expect(second.status).to.equal(200);
    expect(second.body.connection_info).to.deep.equal(first.body.connection_info);
    expect((await db.volumeGet(id))?.providerLocation).to.equal(location);
    expect(await fake.listExports()).to.include(id);
  });

  it("os-attach redone finishes the attachment left 'attaching' (service killed before in-use): one attachment, in-use", async () => {
    const id = await reserved();
    // What attach_volume had written when it stopped at its after-attachment-create step.
    const left = await db.attachmentCreate({ volumeId: id, instanceUuid: SERVER, mountpoint: '/dev/vdb', attachStatus: 'attaching', attachMode: 'rw' });
    await db.adminMetadataSet(id, 'attached_mode', 'rw');
    expect((await c.show(id)).status).to.equal('attaching');

    await ok(id, 'os-attach', { instance_uuid: SERVER, mountpoint: '/dev/vdb', mode: 'rw' });
    let atts = await live(id);
    expect(atts.map((a) => [a.id, a.attachStatus])).to.deep.equal([[left.id, 'attached']]);
    expect(atts[0].attachTime).to.be.instanceOf(Date);
    const v = await c.show(id);
    expect([v.status, v.attachments.map((a: { attachment_id: string }) => a.attachment_id)]).to.deep.equal(['in-use', [left.id]]);

    // and once more, after it succeeded: still that one attachment
    await ok(id, 'os-attach', { instance_uuid: SERVER, mountpoint: '/dev/vdb', mode: 'rw' });
    atts = await live(id);
    expect(atts.map((a) => a.id)).to.deep.equal([left.id]);
    expect((await c.show(id)).status).to.equal('in-use');
  });

  it("os-attach redone after a kill between the attachment row and attached_mode writes attached_mode", async () => {
    const id = await reserved();
    const left = await db.attachmentCreate({ volumeId: id, instanceUuid: SERVER, mountpoint: '/dev/vdb', attachStatus: 'attaching', attachMode: 'ro' });
    expect((await db.metadataGet([id], true)).get(id)?.attached_mode).to.equal(undefined);

    await ok(id, 'os-attach', { instance_uuid: SERVER, mountpoint: '/dev/vdb', mode: 'ro' });
    expect((await live(id)).map((a) => [a.id, a.attachStatus])).to.deep.equal([[left.id, 'attached']]);
    expect((await db.metadataGet([id], true)).get(id)).to.deep.include({ attached_mode: 'ro' });
  });

  it('os-attach by host_name redone reuses that host\'s attachment too', async () => {
    const id = await reserved();
    await ok(id, 'os-attach', { host_name: 'baremetal1', mountpoint: '/dev/sdb' });
    await ok(id, 'os-attach', { host_name: 'baremetal1', mountpoint: '/dev/sdb' });
    expect((await live(id)).map((a) => [a.attachedHost, a.attachStatus])).to.deep.equal([['baremetal1', 'attached']]);
  });

  it('os-terminate_connection, os-detach and remove_export redone after success: 202, nothing changes', async () => {
    const id = await attached();
    await ok(id, 'os-begin_detaching', null);
    await ok(id, 'os-terminate_connection', { connector: CONNECTOR });
    await ok(id, 'os-terminate_connection', { connector: CONNECTOR });
    expect((await c.show(id)).status).to.equal('detaching');
    await ok(id, 'os-detach', {});
    const settled = await db.volumeGet(id);
    expect([settled?.status, settled?.attachStatus, settled?.providerLocation]).to.deep.equal(['available', 'detached', null]);

    await ok(id, 'os-detach', {});
    await ok(id, 'os-terminate_connection', { connector: CONNECTOR });
    await manager.removeExport({}, { volume_id: id });
    await manager.removeExport({}, { volume_id: id });
    const after = await db.volumeGet(id);
    expect([after?.status, after?.attachStatus, after?.providerLocation]).to.deep.equal(['available', 'detached', null]);
    expect(await live(id)).to.deep.equal([]);
    expect(fake.exports.has(id)).to.equal(false);
  });

  it('os-terminate_connection of a volume that was never exported succeeds', async () => {
    const id = await c.createVolume();
    await ok(id, 'os-terminate_connection', { connector: CONNECTOR });
    expect((await c.show(id)).status).to.equal('available');
  });

  it('os-detach redone after a new os-reserve leaves that reservation alone', async () => {
    const id = await attached();
    await ok(id, 'os-detach', {});
    await ok(id, 'os-reserve', null);
    await ok(id, 'os-detach', {});
    expect((await c.show(id)).status).to.equal('attaching');
    await ok(id, 'os-detach', { attachment_id: null });
    expect((await c.show(id)).status).to.equal('attaching');
  });

  describe('the per-volume lock', () => {
    // For each connection change: volume A's runs while A's lock is held by someone else (as a
    // repair would hold it), volume B's beside it. B completing while A has not shows A waits on
    // that very key; A completes once the lock is released.
    const ops: Array<{ name: string; prepare: () => Promise<string>; run: (id: string) => Promise<unknown>; done: (id: string) => Promise<boolean> }> = [
      {
        name: 'initialize_connection', prepare: () => c.createVolume(),
        run: (id) => manager.initializeConnection({}, { volume: { id }, connector: CONNECTOR }), done: async (id) => fake.exports.has(id),
      },
      {
        name: 'terminate_connection', prepare: reserved,
        run: (id) => manager.terminateConnection({}, { volume_id: id, connector: CONNECTOR }), done: async (id) => !fake.exports.has(id),
      },
      {
        name: 'attach_volume', prepare: reserved,
        run: (id) => manager.attachVolume({}, { volume_id: id, instance_uuid: SERVER, mountpoint: '/dev/vdb', mode: 'rw' }),
        done: async (id) => (await live(id)).length === 1,
      },
      {
        name: 'detach_volume', prepare: attached,
        run: (id) => manager.detachVolume({}, { volume_id: id, attachment_id: null }), done: async (id) => (await live(id)).length === 0,
      },
      {
        name: 'remove_export', prepare: reserved,
        run: (id) => manager.removeExport({}, { volume_id: id }), done: async (id) => !fake.exports.has(id),
      },
    ];
    for (const op of ops) {
      it(`${op.name} waits for the volume's lock`, async () => {
        const [a, b] = [await op.prepare(), await op.prepare()];
        let release!: () => void;
        const holder = manager.locks.run(a, () => new Promise<void>((r) => { release = r; }));
        const pending = op.run(a);
        await op.run(b);
        expect(await op.done(b), 'the other volume').to.equal(true);
        expect(await op.done(a), 'while the lock is held').to.equal(false);
        release();
        await holder;
        await pending;
        expect(await op.done(a), 'after the lock was released').to.equal(true);
      });
    }
  });
});
