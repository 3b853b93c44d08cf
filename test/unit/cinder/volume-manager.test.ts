// cinder-volume's VolumeManager called as its RPC endpoint would be, on SQLite and the fake
// backend (its failNext hook): each action's state transition, its redo applying nothing twice,
// and its refusals (cinder/volume/manager.py; docs/attach-detach.md, Volume states).
import { expect } from 'chai';
import { randomUUID } from 'node:crypto';
import type { DataSource } from 'typeorm';
import { loadConfig } from '../../../common/config';
import { migrateDatabase } from '../../../common/db';
import type { Notifier } from '../../../common/rpc';
import { CINDER_SCHEMA, backendConf, type CinderConf } from '../../../cinder-common/config';
import { openCinderDatabase } from '../../../cinder-common/db';
import { CinderDB } from '../../../cinder-common/db-api';
import { QuotaDB } from '../../../cinder-common/quota-db';
import type { Volume } from '../../../cinder-common/entities';
import {
  InvalidUUID, InvalidVolume, InvalidVolumeAttachMode, RemoveExportException, VolumeBackendAPIException, VolumeNotFound,
} from '../../../cinder-common/exception';
import { FakeDriver } from '../../../cinder-volume/drivers/fake';
import { VolumeManager } from '../../../cinder-volume/manager';
import { refused } from '../../support/assertions';

const HOST = 'cinder1@fake';
const ctxt = { request_id: 'req-unit', user_id: 'u1', project_id: 'p1' };
const CONNECTOR = { initiator: 'iqn.1993-08.org.debian:01:unit', host: 'compute1', ip: '127.0.0.1' };
const SERVER: string = randomUUID();

describe('VolumeManager (cinder-volume): state transitions, redo, refusals', () => {
  let ds: DataSource;
  let db: CinderDB;
  let driver: FakeDriver;
  let m: VolumeManager;
  let events: string[];
  let typeId: string;

  before(async () => {
    ds = await openCinderDatabase('sqlite://:memory:');
    await migrateDatabase(ds);
    db = new CinderDB(ds);
    typeId = (await db.typeCreate({ name: 'unit', description: null, isPublic: true })).id;
  });
  after(() => ds.destroy());
  beforeEach(() => {
    const conf = loadConfig(CINDER_SCHEMA, { defaults: { DEFAULT: { enabled_backends: 'fake' } }, env: {} }) as unknown as CinderConf;
    driver = new FakeDriver(backendConf(conf, 'fake') as never);
    events = [];
    const notifier = { enabled: true, info: async (_c: unknown, event: string) => { events.push(event); } } as unknown as Notifier;
    m = new VolumeManager({ host: HOST, db, driver, notifier });
  });

  const volume = async (values: Partial<Volume> = {}): Promise<Volume> =>
    db.volumeCreate({ projectId: 'p1', userId: 'u1', size: 1, volumeTypeId: typeId, host: `${HOST}#fake`, status: 'available', ...values });
  const get = async (id: string): Promise<Volume> => (await db.volumeGet(id)) as Volume;
  const liveAttachments = async (id: string) => (await db.attachmentsOf([id])).filter((a) => a.attachStatus !== 'detached');
  const attach = (id: string, instance = SERVER, mode = 'rw') =>
    m.attachVolume(ctxt, { volume_id: id, instance_uuid: instance, host_name: null, mountpoint: '/dev/vdb', mode }) as Promise<{ id: string; attach_status: string }>;

  describe('extend_volume', () => {
    it('a late cast on a volume no longer extending leaves the backend alone and rolls the reservations back', async () => {
      const v = await volume({ status: 'creating' });
      await m.createVolume(ctxt, { volume: v.id });
      const held = await new QuotaDB(ds).reserve('p1', { gigabytes: 1 }, { gigabytes: -1 }, new Date(Date.now() + 60_000));
      if (!Array.isArray(held)) throw new Error('the reservation was refused');
      expect(held).to.have.length(1);
      events.length = 0;
      await m.extendVolume(ctxt, { volume: v.id, new_size: 2, reservations: held });
      expect(driver.volumes.get(v.id)).to.equal(1);
      expect(await get(v.id)).to.include({ status: 'available', size: 1 });
      expect(events).to.deep.equal([]);
      const left = await ds.query('SELECT COUNT(*) AS n FROM reservations WHERE uuid = ? AND deleted = 0', [held[0]]) as Array<{ n: number }>;
      expect(Number(left[0].n)).to.equal(0);
    });
  });

  describe('create_volume / delete_volume', () => {
    it('creating → available on the backend, launched; create.start/create.end', async () => {
      const v = await volume({ status: 'creating' });
      await m.createVolume(ctxt, { volume: v.id });
      const after = await get(v.id);
      expect(after.status).to.equal('available');
      expect(after.launchedAt).to.be.instanceOf(Date);
      expect(driver.volumes.get(v.id)).to.equal(1);
      expect(events).to.deep.equal(['volume.create.start', 'volume.create.end']);
    });

    it('redone on a volume no longer creating: nothing happens again', async () => {
      const v = await volume({ status: 'creating' });
      await m.createVolume(ctxt, { volume: v.id });
      driver.volumes.clear();
      events.length = 0;
      await m.createVolume(ctxt, { volume: v.id });
      expect(driver.volumes.size).to.equal(0);
      expect(events).to.deep.equal([]);
    });

    it('the backend fails: error, create.error', async () => {
      const v = await volume({ status: 'creating' });
      driver.failNext.set('createVolume', new Error('no space'));
      await m.createVolume(ctxt, { volume: v.id });
      expect((await get(v.id)).status).to.equal('error');
      expect(events).to.deep.equal(['volume.create.start', 'volume.create.error']);
    });

    it('delete: gone from the backend, the row soft-deleted; redone on the deleted row: nothing', async () => {
      const v = await volume({ status: 'creating' });
      await m.createVolume(ctxt, { volume: v.id });
      events.length = 0;
      await m.deleteVolume(ctxt, { volume: v.id });
      expect(driver.volumes.has(v.id)).to.equal(false);
      expect(await db.volumeGet(v.id)).to.equal(null);
      expect(events).to.deep.equal(['volume.delete.start', 'volume.delete.end']);
      await m.deleteVolume(ctxt, { volume: v.id });
      expect(events).to.have.length(2);
    });

    it('the backend fails the delete: error_deleting, the row stays', async () => {
      const v = await volume({ status: 'deleting' });
      driver.failNext.set('deleteVolume', new Error('busy'));
      await m.deleteVolume(ctxt, { volume: v.id });
      expect((await get(v.id)).status).to.equal('error_deleting');
    });
  });

  describe('initialize_connection / terminate_connection', () => {
    type Info = { driver_volume_type: string; data: Record<string, unknown> };
    const init = (id: string, connector: Record<string, unknown> = CONNECTOR) => m.initializeConnection(ctxt, { volume: id, connector }) as Promise<Info>;

    it('exports the volume, saves provider_location and answers iSCSI with CHAP and access_mode rw', async () => {
      const v = await volume({ status: 'attaching' });
      const info = await init(v.id);
      expect(info.driver_volume_type).to.equal('iscsi');
      expect(info.data).to.include({ access_mode: 'rw', encrypted: false, auth_method: 'CHAP' });
      expect(info.data.target_iqn).to.contain(v.id);
      expect(driver.exports.has(v.id)).to.equal(true);
      expect((await get(v.id)).providerLocation).to.contain(String(info.data.target_iqn));
    });

    it('redone: the same export and the same connection_info (credentials included)', async () => {
      const v = await volume({ status: 'attaching' });
      const first = await init(v.id);
      expect(await init(v.id)).to.deep.equal(first);
      expect([...driver.exports]).to.deep.equal([v.id]);
    });

    it('a readonly volume connects ro', async () => {
      const v = await volume({ status: 'attaching' });
      await db.adminMetadataSet(v.id, 'readonly', 'True');
      expect((await init(v.id)).data.access_mode).to.equal('ro');
    });

    it('a connector without an initiator is refused before anything is exported', async () => {
      const v = await volume({ status: 'attaching' });
      const e = await refused(init(v.id, { host: 'compute1' }));
      expect(e.message).to.contain('initiator');
      expect(driver.exports.has(v.id)).to.equal(false);
    });

    it('the export fails: VolumeBackendAPIException, no provider_location', async () => {
      const v = await volume({ status: 'attaching' });
      driver.failNext.set('createExport', new Error('tgtadm: out of targets'));
      expect(await refused(init(v.id))).to.be.instanceOf(VolumeBackendAPIException);
      expect((await get(v.id)).providerLocation ?? null).to.equal(null);
    });

    it("the driver's initialize_connection fails: VolumeBackendAPIException and the export it made is removed", async () => {
      const v = await volume({ status: 'attaching' });
      driver.failNext.set('initializeConnection', new Error('boom'));
      expect(await refused(init(v.id))).to.be.instanceOf(VolumeBackendAPIException);
      expect(driver.exports.has(v.id)).to.equal(false);
    });

    it('terminate_connection removes the export and provider_location; redone, it succeeds', async () => {
      const v = await volume({ status: 'attaching' });
      await init(v.id);
      await m.terminateConnection(ctxt, { volume_id: v.id, connector: CONNECTOR });
      expect(driver.exports.has(v.id)).to.equal(false);
      expect((await get(v.id)).providerLocation ?? null).to.equal(null);
      await m.terminateConnection(ctxt, { volume_id: v.id, connector: CONNECTOR });
    });

    it('the backend fails terminate_connection: VolumeBackendAPIException, provider_location kept', async () => {
      const v = await volume({ status: 'attaching' });
      await init(v.id);
      driver.failNext.set('terminateConnection', new Error('target busy'));
      expect(await refused(m.terminateConnection(ctxt, { volume_id: v.id, connector: CONNECTOR }))).to.be.instanceOf(VolumeBackendAPIException);
      expect((await get(v.id)).providerLocation).to.be.a('string');
    });

    it('an unknown volume: VolumeNotFound', async () => {
      expect(await refused(init(randomUUID()))).to.be.instanceOf(VolumeNotFound);
    });
  });

  describe('attach_volume / detach_volume', () => {
    it("one attachment 'attached', the volume in-use/attached, attached_mode recorded; attach.start/attach.end", async () => {
      const v = await volume({ status: 'attaching' });
      const att = await attach(v.id);
      expect(att.attach_status).to.equal('attached');
      expect(await get(v.id)).to.include({ status: 'in-use', attachStatus: 'attached' });
      expect((await liveAttachments(v.id)).map((a) => [a.id, a.instanceUuid, a.attachStatus])).to.deep.equal([[att.id, SERVER, 'attached']]);
      expect((await db.metadataGet([v.id], true)).get(v.id)).to.include({ attached_mode: 'rw' });
      expect(events).to.deep.equal(['volume.attach.start', 'volume.attach.end']);
    });

    it('redone for the same server: the same attachment, no second one, no new notifications', async () => {
      const v = await volume({ status: 'attaching' });
      const first = await attach(v.id);
      events.length = 0;
      expect((await attach(v.id)).id).to.equal(first.id);
      expect(await liveAttachments(v.id)).to.have.length(1);
      expect(events).to.deep.equal([]);
    });

    it("redone after a crash left the attachment 'attaching': that attachment is finished", async () => {
      const v = await volume({ status: 'attaching' });
      const left = await db.attachmentCreate({ volumeId: v.id, instanceUuid: SERVER, mountpoint: '/dev/vdb', attachStatus: 'attaching', attachMode: 'rw' });
      expect((await attach(v.id)).id).to.equal(left.id);
      expect((await liveAttachments(v.id)).map((a) => a.attachStatus)).to.deep.equal(['attached']);
      expect((await get(v.id)).status).to.equal('in-use');
    });

    it('an in-use volume that is not multiattach, for another server: InvalidVolume, no attachment made', async () => {
      const v = await volume({ status: 'attaching' });
      await attach(v.id);
      const e = await refused(attach(v.id, randomUUID()));
      expect(e).to.be.instanceOf(InvalidVolume);
      expect(e.message).to.contain('multiple attachments are not enabled');
      expect(await liveAttachments(v.id)).to.have.length(1);
    });

    it('a multiattach volume takes a second server', async () => {
      const v = await volume({ status: 'attaching', multiattach: true });
      await attach(v.id);
      await attach(v.id, randomUUID());
      expect(await liveAttachments(v.id)).to.have.length(2);
    });

    it('a volume being deleted (a forced delete passed the attach in flight): InvalidVolume, no attachment, still deleting', async () => {
      const v = await volume({ status: 'deleting' });
      const e = await refused(attach(v.id));
      expect(e).to.be.instanceOf(InvalidVolume);
      expect(e.message).to.contain('is being deleted');
      expect(await liveAttachments(v.id)).to.deep.equal([]);
      expect((await get(v.id)).status).to.equal('deleting');
    });

    it("the API's delete takes the volume while the attach runs: InvalidVolume, the attachment 'error_attaching', the volume left deleting", async () => {
      const v = await volume({ status: 'attaching' });
      const update = db.attachmentConditionalUpdate.bind(db);
      // cinder-api's delete CAS does not wait for the manager's lock: it lands between the attachment and the volume updates.
      db.attachmentConditionalUpdate = async (...args: Parameters<CinderDB['attachmentConditionalUpdate']>) => {
        if (args[2].attachStatus === 'attached') expect(await db.volumeConditionalUpdate(v.id, { status: 'attaching' }, { status: 'deleting' })).to.equal(true);
        return update(...args);
      };
      try {
        const e = await refused(attach(v.id));
        expect(e).to.be.instanceOf(InvalidVolume);
        expect(e.message).to.contain('is being deleted');
      } finally {
        db.attachmentConditionalUpdate = update;
      }
      expect((await liveAttachments(v.id)).map((a) => a.attachStatus)).to.deep.equal(['error_attaching']);
      expect(await get(v.id)).to.include({ status: 'deleting', attachStatus: 'detached' });
    });

    it('attaching in another mode than the attach in progress: InvalidVolume', async () => {
      const v = await volume({ status: 'attaching' });
      await db.adminMetadataSet(v.id, 'attached_mode', 'ro');
      expect((await refused(attach(v.id, SERVER, 'rw'))).message).to.contain('being attached by different mode');
      expect(await liveAttachments(v.id)).to.deep.equal([]);
    });

    it("an instance uuid that is not a UUID: InvalidUUID, the attachment 'error_attaching', the volume not in-use", async () => {
      const v = await volume({ status: 'attaching' });
      expect(await refused(attach(v.id, 'not-a-uuid'))).to.be.instanceOf(InvalidUUID);
      expect((await liveAttachments(v.id)).map((a) => a.attachStatus)).to.deep.equal(['error_attaching']);
      expect((await get(v.id)).status).to.equal('attaching');
    });

    it('a readonly volume attached rw: InvalidVolumeAttachMode', async () => {
      const v = await volume({ status: 'attaching' });
      await db.adminMetadataSet(v.id, 'readonly', 'True');
      expect(await refused(attach(v.id, SERVER, 'rw'))).to.be.instanceOf(InvalidVolumeAttachMode);
      expect((await get(v.id)).status).to.equal('attaching');
    });

    it('detach: the export removed, the attachment gone, available/detached, attached_mode dropped', async () => {
      const v = await volume({ status: 'attaching' });
      await m.initializeConnection(ctxt, { volume: v.id, connector: CONNECTOR });
      const att = await attach(v.id);
      events.length = 0;
      await m.detachVolume(ctxt, { volume_id: v.id, attachment_id: att.id });
      expect(driver.exports.has(v.id)).to.equal(false);
      expect(await liveAttachments(v.id)).to.deep.equal([]);
      expect(await get(v.id)).to.include({ status: 'available', attachStatus: 'detached' });
      expect((await db.metadataGet([v.id], true)).get(v.id) ?? {}).to.not.have.property('attached_mode');
      expect(events).to.deep.equal(['volume.detach.start', 'volume.detach.end']);
    });

    it('detach redone: nothing to detach, no error, no notification', async () => {
      const v = await volume({ status: 'attaching' });
      const att = await attach(v.id);
      await m.detachVolume(ctxt, { volume_id: v.id, attachment_id: att.id });
      events.length = 0;
      await m.detachVolume(ctxt, { volume_id: v.id, attachment_id: att.id });
      await m.detachVolume(ctxt, { volume_id: v.id });
      expect(events).to.deep.equal([]);
      expect((await get(v.id)).status).to.equal('available');
    });

    it('detach redone after a new reservation: the reservation stays', async () => {
      const v = await volume({ status: 'attaching' });
      const att = await attach(v.id);
      await m.detachVolume(ctxt, { volume_id: v.id, attachment_id: att.id });
      await db.volumeConditionalUpdate(v.id, { status: 'available' }, { status: 'attaching' });
      await m.detachVolume(ctxt, { volume_id: v.id, attachment_id: att.id });
      expect((await get(v.id)).status).to.equal('attaching');
    });

    it('two attachments and no attachment_id: InvalidVolume; with one, the export stays for the other', async () => {
      const v = await volume({ status: 'attaching', multiattach: true });
      await m.initializeConnection(ctxt, { volume: v.id, connector: CONNECTOR });
      const a = await attach(v.id);
      await attach(v.id, randomUUID());
      expect((await refused(m.detachVolume(ctxt, { volume_id: v.id }))).message).to.contain('More than one attachment');
      await m.detachVolume(ctxt, { volume_id: v.id, attachment_id: a.id });
      expect(driver.exports.has(v.id)).to.equal(true);
      expect(await get(v.id)).to.include({ status: 'in-use', attachStatus: 'attached' });
    });

    it('the export cannot be removed: RemoveExportException, the attachment and in-use stay', async () => {
      const v = await volume({ status: 'attaching' });
      const att = await attach(v.id);
      driver.failNext.set('removeExport', new Error('tgtadm: busy'));
      expect(await refused(m.detachVolume(ctxt, { volume_id: v.id, attachment_id: att.id }))).to.be.instanceOf(RemoveExportException);
      expect(await liveAttachments(v.id)).to.have.length(1);
      expect((await get(v.id)).status).to.equal('in-use');
    });
  });
});
