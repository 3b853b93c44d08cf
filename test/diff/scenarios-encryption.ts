// Volume type encryption for scripts/cinder-diff.sh: create (and its refusals), index and show of
// each key, update, delete; the type in use refusing changes; a volume of an encrypted type
// (Cinder without a key manager: "Key manager error"); a retype that would change the encryption.
import type { Scenario, Step } from './scenarios';

const MISSING = 'aaaaaaaa-bbbb-4ccc-8ddd-eeeeeeeeeeee';
const E1 = '/v3/{p}/types/{t1}/encryption';
const E2 = '/v3/{p}/types/{t2}/encryption';
const SPEC = { provider: 'luks', control_location: 'front-end', cipher: 'aes-xts-plain64', key_size: 256 };

const get = (path: string): Step => ({ method: 'GET', path });
const post = (path: string, body: unknown): Step => ({ method: 'POST', path, body });
const put = (path: string, body: unknown): Step => ({ method: 'PUT', path, body });
const del = (path: string): Step => ({ method: 'DELETE', path });

export function encryptionScenarios(): Scenario[] {
  return [{
    name: 'type-encryption',
    steps: [
      { method: 'POST', path: '/v3/{p}/types', body: { volume_type: { name: 'diff-enc-1' } }, save: ['t1', 'volume_type.id'] },
      { method: 'POST', path: '/v3/{p}/types', body: { volume_type: { name: 'diff-enc-2' } }, save: ['t2', 'volume_type.id'] },
      get(E1), get(`${E1}/provider`), post(E1, { encryption: SPEC }), get(E1),
      get(`${E1}/provider`), get(`${E1}/cipher`), get(`${E1}/key_size`), get(`${E1}/control_location`), get(`${E1}/deleted`), get(`${E1}/nope`),
      post(E1, { encryption: SPEC }), post(E2, {}), post(E2, { encryption: { provider: 'luks' } }), post(E2, { encryption: { control_location: 'front-end' } }),
      post(E2, { encryption: { ...SPEC, control_location: 'side' } }), post(E2, { encryption: { ...SPEC, key_size: 'abc' } }),
      post(E2, { encryption: { ...SPEC, key_size: -1 } }), post(E2, { encryption: { ...SPEC, key_size: 1.5 } }), post(E2, { encryption: { ...SPEC, key_size: true } }),
      post(E2, { encryption: { ...SPEC, key_size: ' 12' } }), post(E2, { encryption: { ...SPEC, cipher: 5 } }), post(E2, { encryption: { ...SPEC, provider: 'p'.repeat(256) } }),
      post(E2, { encryption: SPEC, extra: 1 }), post(E2, { encryption: 'x' }), post(`/v3/{p}/types/${MISSING}/encryption`, { encryption: SPEC }),
      get(`/v3/{p}/types/${MISSING}/encryption`),
      put(`${E1}/whatever`, { encryption: { key_size: '128', cipher: null } }), get(E1), put(`${E1}/whatever`, { encryption: {} }),
      put(`${E1}/whatever`, { encryption: { control_location: 'nowhere' } }), put(`${E2}/whatever`, { encryption: { provider: 'x' } }),
      put(`/v3/{p}/types/${MISSING}/encryption/x`, { encryption: { provider: 'x' } }),
      { method: 'POST', path: '/v3/{p}/volumes', body: { volume: { size: 1, volume_type: 'diff-enc-1' } } },
      { method: 'POST', path: '/v3/{p}/volumes', body: { volume: { size: 1, volume_type: 'diff-enc-2' } }, save: ['v1', 'volume.id'], state: 'v1' },
      post(E2, { encryption: SPEC }), put(`${E2}/x`, { encryption: { provider: 'x' } }), del(`${E2}/x`),
      { method: 'POST', path: '/v3/{p}/volumes/{v1}/action', body: { 'os-retype': { new_type: 'diff-enc-1' } }, state: 'v1' },
      { method: 'DELETE', path: '/v3/{p}/volumes/{v1}', state: 'v1' },
      del(`${E2}/x`), del(`${E1}/x`), del(`${E1}/x`), get(E1), get(`${E1}/provider`),
      { method: 'DELETE', path: '/v3/{p}/types/{t1}' }, { method: 'DELETE', path: '/v3/{p}/types/{t2}' },
    ],
  }];
}
