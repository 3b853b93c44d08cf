// Volume and snapshot manage and unmanage for scripts/cinder-diff.sh: an unmanage (the volume gone, its quota
// freed), the manage API's refusals in Cinder's order (schema, version, host or cluster, type,
// an already managed name, the backend), and a manage whose reference names nothing: 202 with
// the v2 view, then error (error_managing), in no quota, deleted. Both sides' fake drivers keep
// different objects, so no scenario manages a real one back (the functional test does).
import type { Scenario, Step } from './scenarios';

const V = '/v3/{p}/volumes';
const S = '/v3/{p}/snapshots';
const USAGE: Step = { method: 'GET', path: '/v3/{p}/os-quota-sets/{p}?usage=True' };
const snapManage = (snapshot: unknown, mv?: string, path = '/v3/{p}/os-snapshot-manage', save?: [string, string]): Step =>
  ({ method: 'POST', path, body: { snapshot }, mv, ...(save ? { save, snapState: save[0] } : {}) });
const manage = (volume: unknown, mv?: string, path = '/v3/{p}/os-volume-manage', save?: [string, string]): Step =>
  ({ method: 'POST', path, body: volume === undefined ? {} : { volume }, mv, ...(save ? { save, state: save[0] } : {}) });

export function manageScenarios(): Scenario[] {
  const ref = { 'source-name': 'volume-nothing-here' };
  return [{
    name: 'manage',
    steps: [
      USAGE,
      { method: 'POST', path: V, body: { volume: { size: 1, name: 'kept' } }, save: ['v1', 'volume.id'], state: 'v1' },
      { method: 'POST', path: V, body: { volume: { size: 2, name: 'unmanaged' } }, save: ['v2', 'volume.id'], state: 'v2' },
      { method: 'GET', path: `${V}/{v1}`, save: ['h', 'volume.os-vol-host-attr:host'] },
      USAGE,
      { method: 'POST', path: `${V}/{v2}/action`, body: { 'os-unmanage': {} }, state: 'v2' },
      { method: 'GET', path: `${V}/{v2}` },
      { method: 'POST', path: `${V}/{v2}/action`, body: { 'os-unmanage': {} } },
      USAGE,
      // Refusals, in Cinder's order.
      manage(undefined), manage({ host: '{h}' }), manage({ ref }), manage({ ref, host: '' }), manage({ ref: 5, host: '{h}' }),
      manage({ ref, host: '{h}', cluster: 'c' }), manage({ ref, host: '{h}', cluster: 'c' }, '3.16', '/v3/{p}/manageable_volumes'),
      manage({ ref, cluster: 'nowhere' }, '3.16', '/v3/{p}/manageable_volumes'), manage({ ref, host: '{h}' }, '3.7', '/v3/{p}/manageable_volumes'),
      manage({ ref, host: 'nowhere@fake' }), manage({ ref, host: '{h}', volume_type: 'no-such-type' }),
      manage({ ref: { 'source-name': 'volume-{v1}' }, host: '{h}' }), manage({ ref, host: '{h}', bootable: 'maybe' }),
      manage({ ref, host: '{h}', name: 'x'.repeat(256) }), manage({ ref, host: '{h}', metadata: { k: 1 } }),
      // A reference naming nothing: accepted, then error; counted nowhere; deleted.
      manage({ ref, host: '{h}', name: ' m1 ', description: 'd', metadata: { k: 'v' }, bootable: true }, '3.70', '/v3/{p}/manageable_volumes', ['m1', 'volume.id']),
      { method: 'GET', path: `${V}/{m1}`, mv: '3.70' },
      USAGE,
      manage({ ref: 'volume-nothing-here', host: '{h}' }, undefined, '/v3/{p}/os-volume-manage', ['m2', 'volume.id']),
      { method: 'GET', path: `${V}/{m2}` },
      { method: 'DELETE', path: `${V}/{m1}`, state: 'm1' },
      { method: 'POST', path: `${V}/{m2}/action`, body: { 'os-unmanage': {} }, state: 'm2' },
      { method: 'GET', path: `${V}/{m1}` }, { method: 'GET', path: `${V}/{m2}` },
      USAGE,
      { method: 'DELETE', path: `${V}/{v1}`, state: 'v1' },
    ],
  }, {
    name: 'snapshot-manage',
    steps: [
      { method: 'POST', path: V, body: { volume: { size: 1, name: 'snap-src' } }, save: ['v1', 'volume.id'], state: 'v1' },
      { method: 'POST', path: S, body: { snapshot: { volume_id: '{v1}' } }, save: ['s1', 'snapshot.id'], snapState: 's1' },
      USAGE,
      { method: 'POST', path: `${S}/{s1}/action`, body: { 'os-unmanage': {} }, snapState: 's1' },
      { method: 'GET', path: `${S}/{s1}` },
      USAGE,
      // Refusals: the schema, the version, the volume.
      snapManage({ ref: {} }), snapManage({ volume_id: '{v1}' }), snapManage({ volume_id: 'x', ref: null }), snapManage({ volume_id: '{v1}', ref: {}, bogus: 1 }),
      snapManage({ volume_id: '{v1}', ref: {} }, '3.7', '/v3/{p}/manageable_snapshots'),
      snapManage({ volume_id: 'aaaaaaaa-bbbb-4ccc-8ddd-eeeeeeeeeeee', ref: {} }),
      // A reference naming nothing: accepted, then error, counted until deleted.
      snapManage({ volume_id: '{v1}', ref: { 'source-name': 'snapshot-nothing' }, name: 'm', metadata: { k: 'v' } }, '3.70', '/v3/{p}/manageable_snapshots', ['m1', 'snapshot.id']),
      { method: 'GET', path: `${S}/{m1}` },
      USAGE,
      { method: 'POST', path: `${S}/{m1}/action`, body: { 'os-unmanage': {} }, snapState: 'm1' },
      { method: 'GET', path: `${S}/{m1}` },
      USAGE,
      { method: 'DELETE', path: `${V}/{v1}`, state: 'v1' },
    ],
  }];
}
