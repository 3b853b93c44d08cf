// The nova schema's guarantees, on SQLite (the same migration runs on MariaDB in the
// system tier): one live row per (server, device) and per (server, volume).
import { expect } from 'chai';
import type { DataSource } from 'typeorm';
import { migrateDatabase } from '../../../common/db';
import { NOVA_MIGRATIONS } from '../../../migrations/nova';
import { openNovaDatabase, isDuplicateEntry } from '../../../nova-common/db';
import { NovaDB } from '../../../nova-common/db-api';

describe('nova db: block_device_mapping uniqueness', () => {
  let ds: DataSource;
  let db: NovaDB;
  before(async () => {
    ds = await openNovaDatabase('sqlite://:memory:');
    expect(await migrateDatabase(ds)).to.have.length(NOVA_MIGRATIONS.length);
    expect(await migrateDatabase(ds)).to.deep.equal([]);
    db = new NovaDB(ds);
  });
  after(() => ds.destroy());

  const row = (device: string | null, volumeId: string | null) => ({ instanceUuid: 'i-1', sourceType: 'volume', destinationType: 'volume', deviceName: device, volumeId });

  it('refuses a second live row with the same device, allows it after a soft delete', async () => {
    const a = await db.bdmCreate(row('/dev/vdb', 'v1'));
    const err = await db.bdmCreate(row('/dev/vdb', 'v2')).then(() => null, (e: unknown) => e);
    expect(isDuplicateEntry(err)).to.equal(true);
    expect(await db.bdmSoftDelete(a.id)).to.equal(true);
    expect(await db.bdmSoftDelete(a.id)).to.equal(false);
    const b = await db.bdmCreate(row('/dev/vdb', 'v2'));
    expect(b.id).to.be.greaterThan(a.id);
  });

  it('refuses the same volume twice on one server; NULL devices never collide', async () => {
    await db.bdmCreate(row('/dev/vdc', 'v3'));
    expect(isDuplicateEntry(await db.bdmCreate(row('/dev/vdd', 'v3')).then(() => null, (e: unknown) => e))).to.equal(true);
    await db.bdmCreate(row(null, 'v4'));
    await db.bdmCreate(row(null, 'v5'));
  });

  it('stores connection_info only on the live row (CAS)', async () => {
    const r = await db.bdmCreate(row('/dev/vde', 'v6'));
    expect(await db.bdmSetConnectionInfo(r.id, '{"serial":"v6"}')).to.equal(true);
    await db.bdmDestroy(r.id);
    expect(await db.bdmSetConnectionInfo(r.id, '{}')).to.equal(false);
  });

  it("records an action's events with one INSERT … SELECT, and their end on the event and its action", async () => {
    expect(await db.eventStart('i-9', 'req-none', 'compute_attach_volume', 'h1')).to.equal(null);
    expect(await db.eventStart('i-9', null, 'compute_attach_volume', 'h1')).to.equal(null);
    const old = await db.actionStart({ action: 'reboot', instanceUuid: 'i-9', requestId: 'req-1', userId: 'u', projectId: 'p' });
    const a = await db.actionStart({ action: 'attach_volume', instanceUuid: 'i-9', requestId: 'req-1', userId: 'u', projectId: 'p' });
    const ev = await db.eventStart('i-9', 'req-1', 'compute_attach_volume', 'h1');
    const ev2 = await db.eventStart('i-9', 'req-1', 'compute_detach_volume', 'h1');
    expect(ev2!.id).to.be.greaterThan(ev!.id);
    await db.eventFinish(ev, 'Success');
    await db.eventFinish(ev2, 'Error', 'boom');
    const events = await ds.query('SELECT id, event, action_id, result, traceback, host, finish_time FROM instance_actions_events ORDER BY id') as Array<Record<string, unknown>>;
    expect(events.map((e) => [e.id, e.event, e.action_id, e.result, e.traceback, e.host])).to.deep.equal([
      [ev!.id, 'compute_attach_volume', a.id, 'Success', null, 'h1'], [ev2!.id, 'compute_detach_volume', a.id, 'Error', 'boom', 'h1']]);
    expect(events.every((e) => e.finish_time !== null)).to.equal(true);
    const actions = await ds.query('SELECT id, finish_time, message FROM instance_actions WHERE id IN (?, ?) ORDER BY id', [old.id, a.id]) as Array<Record<string, unknown>>;
    expect(actions.map((x) => [x.id, x.finish_time === null, x.message])).to.deep.equal([[old.id, true, null], [a.id, false, 'Error']]);
  });

  it("reads the tags and request specs of more servers than SQLite binds parameters for (an admin's list of every server)", async () => {
    const uuids = Array.from({ length: 40_000 }, (_, i) => `tag-srv-${i}`);
    await db.tagAdd(uuids[39_999], 'last');
    await db.tagsSet(uuids[7], ['b', 'a', 'b']);
    const tags = await db.tagsOf(uuids);
    expect(tags.size).to.equal(40_000);
    expect([tags.get(uuids[39_999]), tags.get(uuids[7]), tags.get(uuids[8])]).to.deep.equal([['last'], ['a', 'b'], []]);
    await db.requestSpecCreate(uuids[39_000], { availability_zone: 'az9', scheduler_hints: {} });
    const specs = await db.requestSpecsByInstances(uuids);
    expect([...specs.keys()]).to.deep.equal([uuids[39_000]]);
    expect(specs.get(uuids[39_000])?.availability_zone).to.equal('az9');
  });
});

