// The fake virt driver's console log: a booted guest's lines with a disk line per attached
// volume, and the compute manager's tail of it as Nova slices it.
import { expect } from 'chai';
import type { Instance } from '../../../nova-common/entities';
import { FakeDriver } from '../../../nova-compute/virt/fake';

const guest = { id: 1, uuid: '6f0c7b1e-0000-4000-8000-000000000001', hostname: 'vm1', rootDeviceName: '/dev/vda', metadataJson: '{}' } as Instance;

describe('fake virt driver: console output', () => {
  it('ends with the login prompt and names each attached disk by device', async () => {
    const d = new FakeDriver();
    await d.spawn(guest);
    const before = await d.getConsoleOutput(guest);
    expect(before.split('\n').pop()).to.equal('vm1 login: ');
    expect(before).to.not.contain('[vdb]');
    await d.attachVolume(guest, { driver_volume_type: 'iscsi', serial: 'v1', data: { device_path: '/dev/sdb' } }, '/dev/vdb');
    const after = await d.getConsoleOutput(guest);
    expect(after).to.match(/virtio_blk virtio2: \[vdb\] /);
    expect(after.split('\n').length).to.equal(before.split('\n').length + 1);
  });
});
