// os-retype for scripts/cinder-diff.sh: bodies good and bad, unknown and equal types, a type's
// size bound, available and in-use volumes, statuses that refuse it, and the per-type quota it
// moves (an overLimit included). The types' extra specs are scoped ('vendor:…'), which Cinder's
// CapabilitiesFilter skips, so both schedulers keep the volume on its backend.
import { CONNECTOR, SERVER, type Scenario, type Step } from './scenarios';

const MISSING = 'aaaaaaaa-bbbb-4ccc-8ddd-eeeeeeeeeeee';
const T = '/v3/{p}/types';

const action = (label: string, body: unknown, mv?: string): Step =>
  ({ method: 'POST', path: `/v3/{p}/volumes/{${label}}/action`, body, mv, state: label });
const retype = (label: string, body: unknown): Step => action(label, { 'os-retype': body });
const type = (label: string, name: string, specs: Record<string, string>): Step =>
  ({ method: 'POST', path: T, body: { volume_type: { name, extra_specs: specs } }, save: [label, 'volume_type.id'] });
const usage: Step = { method: 'GET', path: '/v3/{p}/os-quota-sets/{p}?usage=True' };

export function retypeScenarios(): Scenario[] {
  return [{
    name: 'retype',
    steps: [
      type('ta', 'diff-rt-a', { 'vendor:tier': 'a' }), type('tb', 'diff-rt-b', { 'vendor:tier': 'b' }), type('tc', 'diff-rt-plain', {}),
      type('td', 'diff-rt-small', { 'provisioning:max_vol_size': '1' }),
      { method: 'POST', path: '/v3/{p}/volumes', body: { volume: { size: 2, volume_type: 'diff-rt-a' } }, save: ['v1', 'volume.id'], state: 'v1' },
      retype('v1', {}), retype('v1', { new_type: 5 }), retype('v1', { new_type: 'diff-rt-b', migration_policy: 'sometimes' }),
      retype('v1', { new_type: 'diff-rt-b', extra: 1 }), action('v1', { 'os-retype': null }), action('v1', { 'os-retype': 'diff-rt-b' }),
      retype('v1', { new_type: 'nope' }), retype('v1', { new_type: MISSING }), retype('v1', { new_type: 'diff-rt-a' }),
      retype('v1', { new_type: 'diff-rt-small' }), usage,
      retype('v1', { new_type: 'diff-rt-b', migration_policy: 'never' }), usage, retype('v1', { new_type: '{tb}' }),
      retype('v1', { new_type: '{ta}', migration_policy: 'on-demand' }), retype('v1', { new_type: 'diff-rt-plain', migration_policy: null }),
      { method: 'POST', path: `/v3/{p}/volumes/${MISSING}/action`, body: { 'os-retype': { new_type: 'diff-rt-a' } } },
      action('v1', { 'os-reset_status': { status: 'error' } }), retype('v1', { new_type: 'diff-rt-a' }),
      action('v1', { 'os-reset_status': { status: 'available' } }),
      action('v1', { 'os-reserve': null }), retype('v1', { new_type: 'diff-rt-a' }),
      action('v1', { 'os-initialize_connection': { connector: CONNECTOR } }),
      action('v1', { 'os-attach': { instance_uuid: SERVER, mountpoint: '/dev/vdb', mode: 'rw' } }),
      retype('v1', { new_type: 'diff-rt-a' }), usage,
      action('v1', { 'os-begin_detaching': null }), action('v1', { 'os-terminate_connection': { connector: CONNECTOR } }),
      action('v1', { 'os-detach': {} }),
      { method: 'PUT', path: '/v3/{p}/os-quota-sets/{p}', body: { quota_set: { 'volumes_diff-rt-b': 0 } } },
      retype('v1', { new_type: 'diff-rt-b' }), usage,
      { method: 'DELETE', path: '/v3/{p}/volumes/{v1}', state: 'v1' },
      ...['ta', 'tb', 'tc', 'td'].map((t): Step => ({ method: 'DELETE', path: `${T}/{${t}}` })),
    ],
  }];
}
