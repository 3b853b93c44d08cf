// Volume transfers for scripts/cinder-diff.sh, on both paths and at the versions that change
// them (3.55 no_snapshots, 3.57 history): create, show, lists and filters, a wrong and a right
// auth key, delete, and the refusals. One project plays both sides (Cinder lets a project take
// its own offer; the volume and the quota stay where they are).
import type { Scenario, Step } from './scenarios';

const MISSING = 'aaaaaaaa-bbbb-4ccc-8ddd-eeeeeeeeeeee';
const L = '/v3/{p}/os-volume-transfer';
const V = '/v3/{p}/volume-transfers';

const get = (path: string, mv?: string): Step => ({ method: 'GET', path, mv });
const post = (path: string, body: unknown, mv?: string, save?: Step['save']): Step => ({ method: 'POST', path, body, mv, save });

export function transferScenarios(): Scenario[] {
  return [{
    name: 'transfers',
    steps: [
      { method: 'POST', path: '/v3/{p}/volumes', body: { volume: { size: 1, name: 'to-give' } }, save: ['v1', 'volume.id'], state: 'v1' },
      post(L, { transfer: { volume_id: '{v1}', name: '  gift  ' } }, undefined, [['t1', 'transfer.id'], ['k1', 'transfer.auth_key']]),
      { method: 'GET', path: '/v3/{p}/volumes/{v1}', state: 'v1' },
      get(`${L}/{t1}`), get(L), get(`${L}/detail`), get(`${L}?name=gift`), get(`${L}?name=nope`), get(`${L}?bogus=1`),
      get(`${L}/{t1}`, '3.57'), get(`${V}/{t1}`, '3.57'), get(`${V}/{t1}`, '3.54'), get(`${V}/detail`, '3.59'), get(`${L}/${MISSING}`),
      post(L, { transfer: { volume_id: '{v1}' } }),
      post(`${L}/{t1}/accept`, { accept: { auth_key: 'wrong' } }), post(`${L}/{t1}/accept`, { accept: {} }),
      post(`${L}/${MISSING}/accept`, { accept: { auth_key: 'k' } }),
      { ...post(`${L}/{t1}/accept`, { accept: { auth_key: '{k1}' } }), state: 'v1' },
      get(`${L}/{t1}`), post(`${L}/{t1}/accept`, { accept: { auth_key: '{k1}' } }),
      post(V, { transfer: { volume_id: '{v1}', no_snapshots: true } }, '3.55', [['t2', 'transfer.id'], ['k2', 'transfer.auth_key']]),
      get(`${V}/{t2}`, '3.57'), { method: 'DELETE', path: `${V}/{t2}`, mv: '3.57', state: 'v1' }, { method: 'DELETE', path: `${V}/{t2}`, mv: '3.57' },
      post(L, {}), post(L, { transfer: {} }), post(L, { transfer: { volume_id: 'x' } }), post(L, { transfer: { volume_id: '{v1}', name: '   ' } }),
      post(L, { transfer: { volume_id: '{v1}', no_snapshots: true } }), post(L, { transfer: { volume_id: MISSING } }),
      post(V, { transfer: { volume_id: '{v1}' } }, '3.54'),
      { method: 'POST', path: '/v3/{p}/volumes/{v1}/action', body: { 'os-reserve': null }, state: 'v1' },
      post(L, { transfer: { volume_id: '{v1}' } }),
      { method: 'POST', path: '/v3/{p}/volumes/{v1}/action', body: { 'os-unreserve': null }, state: 'v1' },
      { method: 'DELETE', path: '/v3/{p}/volumes/{v1}', state: 'v1' },
    ],
  }];
}
