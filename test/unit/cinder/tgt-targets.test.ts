// Which tgtd targets are this tgt backend's exports: `<prefix>volume-<uuid>`, LUN 1 backed by a
// file in our volumes_dir (another backend sharing the tgtd keeps its own; a name Cinder cannot
// have made is nobody's), from the text of `tgtadm --mode target --op show` as tgtd prints it.
import { expect } from 'chai';
import { exportedVolumeIds, parseTargets } from '../../../cinder-volume/drivers/tgt-targets';

const A = '11111111-2222-3333-4444-555555555555';
const B = '66666666-7777-8888-9999-000000000000';
const C = 'aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee';

const lun = (n: number, path: string): string => [
  `        LUN: ${n}`, `            Type: ${n ? 'disk' : 'controller'}`, '            SCSI ID: IET     00010000',
  `            Backing store type: ${n ? 'rdwr' : 'null'}`, `            Backing store path: ${path}`, '            Backing store flags: ',
].join('\n');

const target = (tid: number, iqn: string, luns: string[]): string => [
  `Target ${tid}: ${iqn}`, '    System information:', '        Driver: iscsi', '        State: ready', '    I_T nexus information:',
  '    LUN information:', ...luns, '    Account information:', '        u1', '    ACL information:', '        ALL',
].join('\n');

const SHOW = [
  target(1, `iqn.2010-10.org.openstack:volume-${A}`, [lun(0, 'None'), lun(1, `/var/lib/attachd/volumes/volume-${A}`)]),
  target(2, 'iqn.2003-01.org.example:other', [lun(0, 'None')]),
  target(3, `iqn.2010-10.org.openstack:volume-${B}`, [lun(0, 'None')]), // being created: no LUN 1 yet
  target(4, `iqn.2010-10.org.openstack:volume-${C}`, [lun(0, 'None'), lun(1, `/srv/other-backend/volume-${C}`)]),
  target(5, 'iqn.2010-10.org.openstack:volume-handmade', [lun(0, 'None')]),
].join('\n');

describe('tgt targets', () => {
  it('parses tids, names and LUN 1 backing stores', () => {
    expect(parseTargets(SHOW)).to.deep.equal([
      { tid: 1, iqn: `iqn.2010-10.org.openstack:volume-${A}`, backingStore: `/var/lib/attachd/volumes/volume-${A}` },
      { tid: 2, iqn: 'iqn.2003-01.org.example:other', backingStore: null },
      { tid: 3, iqn: `iqn.2010-10.org.openstack:volume-${B}`, backingStore: null },
      { tid: 4, iqn: `iqn.2010-10.org.openstack:volume-${C}`, backingStore: `/srv/other-backend/volume-${C}` },
      { tid: 5, iqn: 'iqn.2010-10.org.openstack:volume-handmade', backingStore: null },
    ]);
    expect(parseTargets('')).to.deep.equal([]);
  });

  it("lists our prefix's volumes (uuids) backed in our volumes_dir (or not backed yet)", () => {
    expect(exportedVolumeIds(SHOW, 'iqn.2010-10.org.openstack:', '/var/lib/attachd/volumes/')).to.deep.equal([A, B]);
    expect(exportedVolumeIds(SHOW, 'iqn.2010-10.org.openstack:', '/srv/other-backend')).to.deep.equal([B, C]);
    expect(exportedVolumeIds(SHOW, 'iqn.2099-01.org.elsewhere:', '/var/lib/attachd/volumes')).to.deep.equal([]);
  });
});
