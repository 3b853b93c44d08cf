// User messages for scripts/cinder-diff.sh: a volume no backend takes (tempest's recipe: a
// protocol and vendor nobody reports) leaves one; then show, the list's filters, sorting and
// paging at the versions that change them, the refusals, and delete. Lists name the volume
// (resource_uuid): an admin's list holds every project's messages.
import type { Scenario, Step } from './scenarios';

const MISSING = 'aaaaaaaa-bbbb-4ccc-8ddd-eeeeeeeeeeee';
const M = '/v3/{p}/messages';

const get = (path: string, mv?: string, save?: Step['save']): Step => ({ method: 'GET', path, mv, save });

export function messageScenarios(): Scenario[] {
  const mine = `${M}?resource_uuid={v1}`;
  return [{
    name: 'messages',
    steps: [
      { method: 'POST', path: '/v3/{p}/types', body: { volume_type: { name: 'diff-msg-bogus', extra_specs: { storage_protocol: 'nope', vendor_name: 'nobody' } } }, save: ['t1', 'volume_type.id'] },
      { method: 'POST', path: '/v3/{p}/volumes', body: { volume: { size: 1, volume_type: 'diff-msg-bogus' } }, save: ['v1', 'volume.id'], state: 'v1' },
      get(mine, '3.5', ['m1', 'messages.0.id']), get(`${M}/{m1}`, '3.3'), get(`${M}/{m1}`, '3.2'), get(`${M}/{m1}`, '3.70'),
      get(`${mine}&limit=1`, '3.5'), get(`${mine}&limit=5`, '3.5'), get(`${mine}&bogus=1`, '3.30'), get(`${mine}&bogus=1`, '3.31'),
      get(`${mine}&event_id=VOLUME_VOLUME_001_003&message_level=ERROR&resource_type=VOLUME`, '3.31'), get(`${mine}&event_id=nope`, '3.5'),
      get(`${M}?resource_uuid~={v1}`, '3.34'), get(`${M}?all_tenants=1&resource_uuid={v1}`, '3.31'),
      get(`${mine}&limit=x`, '3.5'), get(`${mine}&limit=-1`, '3.5'), get(`${mine}&offset=-1`, '3.5'), get(`${mine}&offset=1`, '3.5'),
      get(`${mine}&sort=nope`, '3.5'), get(`${mine}&sort=event_id:up`, '3.5'), get(`${mine}&sort=event_id:asc,created_at`, '3.5'),
      get(`${mine}&sort=id&sort_key=id`, '3.5'), get(`${mine}&sort_key=request_id&sort_dir=asc`, '3.5'),
      get(`${mine}&marker=${MISSING}`, '3.5'), get(`${mine}&marker={m1}`, '3.5'), get(`${M}?bogus=1&marker=${MISSING}`, '3.5'),
      get(`${M}/${MISSING}`, '3.3'), get(`${M}/not-a-uuid`, '3.3'),
      { method: 'POST', path: M, body: { message: {} }, mv: '3.3' }, { method: 'PUT', path: `${M}/{m1}`, body: { message: {} }, mv: '3.3' },
      { method: 'DELETE', path: `${M}/{m1}`, mv: '3.2' }, { method: 'DELETE', path: `${M}/{m1}`, mv: '3.3' },
      { method: 'DELETE', path: `${M}/{m1}`, mv: '3.3' }, get(`${M}/{m1}`, '3.3'), get(mine, '3.5'),
      { method: 'DELETE', path: '/v3/{p}/volumes/{v1}', state: 'v1' }, { method: 'DELETE', path: '/v3/{p}/types/{t1}' },
    ],
  }];
}
