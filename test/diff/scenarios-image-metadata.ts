// The volume image metadata actions for scripts/cinder-diff.sh: set (merging), show, unset, the
// views that carry it, an admin's list by it (3.4), and the bodies and keys refused.
import type { Scenario, Step } from './scenarios';

const MISSING = 'aaaaaaaa-bbbb-4ccc-8ddd-eeeeeeeeeeee';

const act = (body: unknown, vol = '{v1}'): Step => ({ method: 'POST', path: `/v3/{p}/volumes/${vol}/action`, body, state: 'v1' });

export function imageMetadataScenarios(): Scenario[] {
  const glance = encodeURIComponent(JSON.stringify({ image_name: 'cirros' }));
  return [{
    name: 'image-metadata',
    steps: [
      { method: 'POST', path: '/v3/{p}/volumes', body: { volume: { size: 1, name: 'imgmeta' } }, save: ['v1', 'volume.id'], state: 'v1' },
      act({ 'os-show_image_metadata': null }), { method: 'GET', path: '/v3/{p}/volumes/{v1}' },
      act({ 'os-set_image_metadata': { metadata: { image_name: 'cirros', hw_disk_bus: 'scsi' } } }),
      act({ 'os-set_image_metadata': { metadata: { hw_disk_bus: 'virtio', os_type: 'linux' } } }),
      act({ 'os-show_image_metadata': {} }), { method: 'GET', path: '/v3/{p}/volumes/{v1}' }, { method: 'GET', path: '/v3/{p}/volumes/detail' },
      { method: 'GET', path: `/v3/{p}/volumes?glance_metadata=${glance}`, mv: '3.4' }, { method: 'GET', path: `/v3/{p}/volumes?glance_metadata=${glance}`, mv: '3.3' },
      act({ 'os-unset_image_metadata': { key: 'os_type' } }), act({ 'os-unset_image_metadata': { key: 'os_type' } }),
      act({ 'os-unset_image_metadata': { key: 'OS_TYPE' } }), act({ 'os-show_image_metadata': null }),
      act({ 'os-set_image_metadata': {} }), act({ 'os-set_image_metadata': { metadata: { k: 1 } } }), act({ 'os-set_image_metadata': { metadata: { 'a*b': 'x' } } }),
      act({ 'os-set_image_metadata': { metadata: {}, x: 1 } }), act({ 'os-set_image_metadata': { metadata: {} } }), act({ 'os-set_image_metadata': null }),
      act({ 'os-unset_image_metadata': { key: '' } }), act({ 'os-unset_image_metadata': {} }), act({ 'os-unset_image_metadata': 'k' }),
      act({ 'os-show_image_metadata': null }, MISSING), act({ 'os-set_image_metadata': { metadata: { k: 'v' } } }, MISSING),
      act({ 'os-unset_image_metadata': { key: 'k' } }, MISSING),
      { method: 'DELETE', path: '/v3/{p}/volumes/{v1}', state: 'v1' },
    ],
  }];
}
