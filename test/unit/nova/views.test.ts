// Response fields by microversion: what Nova's views show and the clients read.
import { expect } from 'chai';
import { APIVersion } from '../../../common/api';
import type { BlockDeviceMapping, Instance } from '../../../nova-common/entities';
import { serverDetail, serverStatus } from '../../../nova-api/views/servers';
import { attachmentView } from '../../../nova-api/views/volume-attachments';

const bdm = { id: 6, uuid: 'c8f0c8e4-0000-4000-8000-000000000006', volumeId: 'b5ce6d0f-e7db-41cb-a5f1-5c47454248c1', deviceName: '/dev/vdb',
  tag: null, deleteOnTermination: false, attachmentId: null } as BlockDeviceMapping;
const sid = '9de3d836-be91-4348-9fc1-b67d8623157f';
const v = (s: string) => APIVersion.parse(s);

describe('nova-api views', () => {
  it('volumeAttachment keys by microversion', () => {
    expect(Object.keys(attachmentView(bdm, sid, v('2.1')))).to.deep.equal(['id', 'serverId', 'volumeId', 'device']);
    expect(attachmentView(bdm, sid, v('2.70'))).to.have.property('tag', null);
    expect(attachmentView(bdm, sid, v('2.79'))).to.include({ delete_on_termination: false });
    const at289 = attachmentView(bdm, sid, v('2.89'));
    expect(at289).to.not.have.property('id');
    expect(at289).to.include({ attachment_id: null, bdm_uuid: bdm.uuid });
    expect(attachmentView(bdm, sid, v('2.89'), { forCreate: true })).to.have.property('id', bdm.volumeId);
    expect(attachmentView({ ...bdm, deviceName: null } as BlockDeviceMapping, sid, v('2.1'))).to.not.have.property('device');
  });

  it('server detail has what novaclient/OSC read, flavor shape by version', () => {
    const inst = { id: 1, uuid: sid, displayName: 'srv1', projectId: 'p', userId: 'u', vmState: 'active', taskState: null, powerState: 1,
      imageRef: 'img', flavorId: '1', metadataJson: '{"a":"b"}', host: 'h', node: 'h', locked: false, createdAt: new Date(), updatedAt: null,
      launchedAt: new Date(), terminatedAt: null, availabilityZone: 'nova' } as unknown as Instance;
    const c = { base: 'http://x', projectInUrl: null, isAdmin: false };
    const d21 = serverDetail(inst, [bdm], { ...c, version: v('2.1') });
    expect(d21).to.include.keys('id', 'name', 'image', 'flavor', 'metadata', 'status', 'os-extended-volumes:volumes_attached', 'links', 'addresses');
    expect(d21.status).to.equal('ACTIVE');
    expect(d21.flavor).to.have.property('id', '1');
    expect(d21['os-extended-volumes:volumes_attached']).to.deep.equal([{ id: bdm.volumeId }]);
    expect(d21).to.not.have.property('OS-EXT-SRV-ATTR:host');
    const d279 = serverDetail(inst, [bdm], { ...c, version: v('2.79') });
    expect(d279.flavor).to.include({ original_name: 'm1.tiny' });
    expect(serverStatus({ ...inst, vmState: 'building' } as Instance)).to.equal('BUILD');
    expect(serverStatus({ ...inst, vmState: 'error' } as Instance)).to.equal('ERROR');
  });

  it('OS-EXT-SRV-ATTR:hostname: admins from 2.3 (with the other 2.3 attributes), everyone from 2.90', () => {
    const inst = { id: 1, uuid: sid, displayName: 'srv1', hostname: 'srv1-host', reservationId: 'r-abcdefgh', launchIndex: 0, kernelId: '',
      ramdiskId: '', userData: null, rootDeviceName: '/dev/vda', vmState: 'active', taskState: null, host: 'h', node: 'h', locked: false,
      createdAt: new Date(), updatedAt: null, launchedAt: new Date(), terminatedAt: null } as unknown as Instance;
    const at = (version: string, isAdmin: boolean) => serverDetail(inst, [], { base: 'http://x', projectInUrl: null, isAdmin, version: v(version) });
    const attrs = (d: Record<string, unknown>) => Object.keys(d).filter((k) => k.startsWith('OS-EXT-SRV-ATTR:'));
    expect(attrs(at('2.89', false))).to.deep.equal([]);
    expect(attrs(at('2.90', false))).to.deep.equal(['OS-EXT-SRV-ATTR:hostname']);
    expect(at('2.93', false)).to.include({ 'OS-EXT-SRV-ATTR:hostname': 'srv1-host' });
    expect(attrs(at('2.1', true))).to.deep.equal(['OS-EXT-SRV-ATTR:host', 'OS-EXT-SRV-ATTR:instance_name', 'OS-EXT-SRV-ATTR:hypervisor_hostname']);
    const admin = ['OS-EXT-SRV-ATTR:host', 'OS-EXT-SRV-ATTR:instance_name', 'OS-EXT-SRV-ATTR:hypervisor_hostname', 'OS-EXT-SRV-ATTR:reservation_id',
      'OS-EXT-SRV-ATTR:launch_index', 'OS-EXT-SRV-ATTR:hostname', 'OS-EXT-SRV-ATTR:kernel_id', 'OS-EXT-SRV-ATTR:ramdisk_id',
      'OS-EXT-SRV-ATTR:root_device_name', 'OS-EXT-SRV-ATTR:user_data'];
    expect(attrs(at('2.3', true))).to.deep.equal(admin);
    expect(attrs(at('2.90', true))).to.deep.equal(admin);
    expect(at('2.3', true)).to.include({ 'OS-EXT-SRV-ATTR:reservation_id': 'r-abcdefgh', 'OS-EXT-SRV-ATTR:launch_index': 0, 'OS-EXT-SRV-ATTR:user_data': null });
  });

  it("an ERROR server's fault: its own code (a quota recheck's 403), else 500", () => {
    const inst = { id: 2, uuid: sid, displayName: 'q', vmState: 'error', taskState: null, host: null, node: null, locked: false,
      faultMessage: 'Quota exceeded for instances: Requested 1, but already used 2 of 2 instances', faultCode: 403,
      createdAt: new Date(), updatedAt: new Date(), launchedAt: null, terminatedAt: null } as unknown as Instance;
    const fault = (i: Instance) => serverDetail(i, [], { base: 'http://x', projectInUrl: null, isAdmin: false, version: v('2.1') }).fault;
    expect(fault(inst)).to.include({ code: 403, message: 'Quota exceeded for instances: Requested 1, but already used 2 of 2 instances' });
    expect(fault({ ...inst, faultCode: null } as Instance)).to.include({ code: 500 });
  });
});
