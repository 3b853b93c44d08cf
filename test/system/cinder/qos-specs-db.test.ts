// QoS specs in quality_of_service_specs on both databases Cinder runs on: a spec is its root and
// its child rows (the `key`/`value` columns quoted for MariaDB), names are unique among live
// specs under the table's collation, associations are compare-and-swaps on volume_types, a
// forced delete disassociates first, and a connection reads a type's spec in one statement.
import { expect } from 'chai';
import { collationEquals } from '../../../cinder-api/collation';
import { QosDB, typeQosSpecs } from '../../../cinder-common/qos-db';
import { QoSSpecsExists } from '../../../cinder-common/exception';
import { cinderDbFixture } from '../../support/cinder-mariadb';

for (const kind of ['sqlite', 'mariadb'] as const) {
  describe(`cinder qos specs db (${kind})`, function () {
    const f = cinderDbFixture(kind);
    const inUse = (): Error => new Error('in use');

    it('creates, reads, updates and deletes keys; a name taken in another case is taken', async () => {
      const qos = new QosDB(f.db);
      const s = await qos.create(`gold-${kind}`, 'front-end', { total_iops_sec: '500', key: 'value' }, collationEquals);
      expect(await qos.get(s.id)).to.deep.include({ name: `gold-${kind}`, consumer: 'front-end', specs: { total_iops_sec: '500', key: 'value' } });
      let err: unknown;
      await qos.create(`GOLD-${kind}`, 'back-end', {}, collationEquals).catch((e: unknown) => { err = e; });
      expect(err).to.be.instanceOf(QoSSpecsExists);
      await qos.update(s.id, { total_iops_sec: '600', consumer: 'both', extra: null });
      expect(await qos.get(s.id)).to.deep.include({ consumer: 'both', specs: { total_iops_sec: '600', key: 'value', extra: null } });
      await qos.deleteKeys(s.id, ['key']);
      expect((await qos.get(s.id)).specs).to.deep.equal({ total_iops_sec: '600', extra: null });
      expect((await qos.list()).map((x) => x.spec.id)).to.include(s.id);
    });

    it('associates by compare-and-swap, reads a type\'s spec for a connection, and a forced delete disassociates', async () => {
      const qos = new QosDB(f.db);
      const s = await qos.create(`conn-${kind}`, 'both', { read_iops_sec: '10' }, collationEquals);
      const other = await qos.create(`other-${kind}`, 'back-end', {}, collationEquals);
      const t = await f.db.typeCreate({ name: `qos-type-${kind}`, description: null, isPublic: true });
      expect(await typeQosSpecs(f.ds, t.id)).to.equal(null);
      await qos.associate(s.id, t.id);
      await qos.associate(s.id, t.id);
      await qos.associate(other.id, t.id).then(() => expect.fail('a second spec'), (e: Error) => expect(e.message).to.contain('already associated'));
      expect(await typeQosSpecs(f.ds, t.id)).to.deep.equal({ consumer: 'both', specs: { read_iops_sec: '10' } });
      expect((await qos.associations(s.id)).map((a) => a.id)).to.deep.equal([t.id]);
      // A connection reads it with the volume (and with the attachment), in the same statement.
      const v = await f.db.volumeCreate({ projectId: 'p', size: 1, volumeTypeId: t.id, status: 'available' });
      await f.db.adminMetadataAdd(v.id, 'readonly', 'False');
      const hit = await f.db.volumeGetForConnection(v.id);
      expect([hit?.volume.id, hit?.admin, hit?.qos]).to.deep.equal([v.id, { readonly: 'False' }, { consumer: 'both', specs: { read_iops_sec: '10' } }]);
      const a = await f.db.attachmentCreate({ volumeId: v.id, attachStatus: 'reserved' });
      const withAtt = await f.db.attachmentForConnection(a.id);
      expect([withAtt?.att.id, withAtt?.volume?.id, withAtt?.qos?.consumer]).to.deep.equal([a.id, v.id, 'both']);
      const plain = await f.db.volumeCreate({ projectId: 'p', size: 1, volumeTypeId: 'no-such-type', status: 'available' });
      expect((await f.db.volumeGetForConnection(plain.id))?.qos).to.equal(null);
      await qos.delete(s.id, false, inUse).then(() => expect.fail('in use'), (e: Error) => expect(e.message).to.equal('in use'));
      await qos.delete(s.id, true, inUse);
      expect((await f.db.typeGet(t.id))?.qosSpecsId).to.equal(null);
      expect(await typeQosSpecs(f.ds, t.id)).to.equal(null);
      await qos.associate(other.id, t.id);
      expect((await typeQosSpecs(f.ds, t.id))?.consumer).to.equal('back-end');
      await qos.disassociate(other.id, t.id);
      expect((await f.db.typeGet(t.id))?.qosSpecsId).to.equal(null);
    });
  });
}
