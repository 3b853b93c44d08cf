// Volume clones (source_volid) for scripts/cinder-diff.sh: a clone of its source's size and
// type, a larger one, a bootable source's clone (bootable, with its image metadata), and the
// refusals (a type it cannot be cloned to, another zone, a source in error).
import type { Scenario, Step } from './scenarios';

const V = '/v3/{p}/volumes';
const act = (label: string, body: unknown): Step => ({ method: 'POST', path: `${V}/{${label}}/action`, body, state: label });
const clone = (label: string, volume: Record<string, unknown>, mv?: string): Step => ({ method: 'POST', path: V, body: { volume }, mv, save: [label, 'volume.id'], state: label });

export function cloneScenarios(): Scenario[] {
  return [{
    name: 'clone',
    steps: [
      { method: 'POST', path: V, body: { volume: { size: 1, name: 'src', metadata: { k: 'v' } } }, save: ['s1', 'volume.id'], state: 's1' },
      clone('c1', { source_volid: '{s1}' }), { method: 'GET', path: `${V}/{c1}` },
      clone('c2', { source_volid: '{s1}', size: 2, name: 'bigger', description: 'd' }, '3.70'), { method: 'GET', path: `${V}/{c2}`, mv: '3.70' },
      act('s1', { 'os-set_bootable': { bootable: true } }), act('s1', { 'os-set_image_metadata': { metadata: { image_name: 'cirros', hw_disk_bus: 'scsi' } } }),
      clone('c3', { source_volid: '{s1}', availability_zone: 'nova' }), { method: 'GET', path: `${V}/{c3}` },
      { method: 'POST', path: `${V}/{c3}/action`, body: { 'os-show_image_metadata': null } },
      { method: 'POST', path: '/v3/{p}/types', body: { volume_type: { name: 'diff-clone-other' } }, save: ['t1', 'volume_type.id'] },
      { method: 'POST', path: V, body: { volume: { source_volid: '{s1}', volume_type: 'diff-clone-other' } } },
      { method: 'POST', path: V, body: { volume: { source_volid: '{s1}', volume_type: '__DEFAULT__' } }, save: ['c4', 'volume.id'], state: 'c4' },
      { method: 'POST', path: V, body: { volume: { source_volid: '{s1}', availability_zone: 'elsewhere' } } },
      act('s1', { 'os-reset_status': { status: 'error' } }), { method: 'POST', path: V, body: { volume: { source_volid: '{s1}' } } },
      act('s1', { 'os-reset_status': { status: 'available' } }),
      ...['c1', 'c2', 'c3', 'c4', 's1'].map((l): Step => ({ method: 'DELETE', path: `${V}/{${l}}`, state: l })),
      { method: 'DELETE', path: '/v3/{p}/types/{t1}' },
    ],
  }];
}
