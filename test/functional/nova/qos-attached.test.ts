// A volume type's front-end QoS reaches the guest: cinder-volume puts the spec's keys into the
// attachment's connection_info (qos_specs, per-GB keys scaled), Nova keeps it on the BDM, and the
// virt driver sets the disk's <iotune> from it, as libvirt's volume driver does.
import { expect } from 'chai';
import { BlockDeviceMapping, Instance } from '../../../nova-common/entities';
import type { FakeDriver } from '../../../nova-compute/virt/fake';
import { waitFor } from '../../support/processes';
import { activeServer, novaWithRealCinder } from './harness';

const ADMIN = 'admin:demo';

describe('front-end QoS: cinder qos-specs → connection_info → the guest disk', function () {
  this.timeout(60_000);
  const s = novaWithRealCinder();
  const admin = (method: string, path: string, body?: unknown) => s.cinder.req(method, `/v3/demo${path}`, { token: ADMIN, body });

  it('attaches a volume of a type with front-end QoS: the disk has its iotune', async () => {
    const { cinder, nova } = s;
    const type = (await admin('POST', '/types', { volume_type: { name: 'limited' } })).body.volume_type.id;
    const qos = (await admin('POST', '/qos-specs', {
      qos_specs: { name: 'limited', consumer: 'front-end', total_iops_sec: '500', read_bytes_sec_per_gb: '1024', vendor_key: 'x' },
    })).body.qos_specs.id;
    expect((await admin('GET', `/qos-specs/${qos}/associate?vol_type_id=${type}`)).status).to.equal(202);
    const made = await cinder.req('POST', '/v3/demo/volumes', { body: { volume: { size: 3, volume_type: 'limited' } } });
    const vid = made.body.volume.id as string;
    await waitFor(async () => (await cinder.show(vid)).status === 'available', 10_000, 'available', 20);

    const sid = await activeServer(nova);
    expect((await nova.req('POST', `/v2.1/servers/${sid}/os-volume_attachments`, { body: { volumeAttachment: { volumeId: vid } } })).status).to.equal(200);
    await waitFor(async () => (await cinder.show(vid)).status === 'in-use', 10_000, 'in-use', 20);
    const bdm = await nova.ds.getRepository(BlockDeviceMapping).findOneBy({ volumeId: vid, deleted: 0 as never });
    expect(JSON.parse(bdm?.connectionInfo ?? '{}').data.qos_specs).to.deep.equal({ total_iops_sec: '500', vendor_key: 'x', read_bytes_sec: 3072 });

    const inst = await nova.ds.getRepository(Instance).findOneByOrFail({ uuid: sid });
    const driver = nova.compute.driver as FakeDriver;
    const disk = driver.listDisks(inst).find((d) => d.serial === vid);
    expect(disk?.iotune).to.deep.equal({ total_iops_sec: '500', read_bytes_sec: 3072 });
    expect(driver.domainXml(inst)).to.contain('<iotune>\n        <read_bytes_sec>3072</read_bytes_sec>\n        <total_iops_sec>500</total_iops_sec>\n      </iotune>');
  });
});
