// QoS specs for scripts/cinder-diff.sh: create (and its refusals), show, the list with its
// filters, sorting and paging, update, delete_keys, the associations with a volume type, delete
// with and without force, and a front-end spec reaching os-initialize_connection's
// connection_info. QoS specs are not per project: the scenario deletes what it made.
import { CONNECTOR, SERVER, type Scenario, type Step } from './scenarios';

const MISSING = 'aaaaaaaa-bbbb-4ccc-8ddd-eeeeeeeeeeee';
const Q = '/v3/{p}/qos-specs';
const TICK: Step = { method: 'GET', path: '', nextSecond: true };

const get = (path: string, mv?: string): Step => ({ method: 'GET', path, mv });
const post = (body: unknown, save?: Step['save']): Step => ({ method: 'POST', path: Q, body, save });
const put = (path: string, body: unknown): Step => ({ method: 'PUT', path, body });
const act = (body: unknown): Step => ({ method: 'POST', path: '/v3/{p}/volumes/{v1}/action', body, state: 'v1' });

export function qosScenarios(): Scenario[] {
  return [{
    name: 'qos-specs',
    steps: [
      post({ qos_specs: { name: 'diff-qos-1', consumer: 'front-end', total_iops_sec: '500', read_bytes_sec: '1024' } }, ['q1', 'qos_specs.id']),
      TICK,
      post({ qos_specs: { name: '  diff-qos-2  ' } }, ['q2', 'qos_specs.id']),
      TICK,
      post({ qos_specs: { name: 'diff-qos-3', consumer: 'back-end', maxIOPS: '100' } }, ['q3', 'qos_specs.id']),
      post({ qos_specs: { name: 'diff-qos-1' } }), post({ qos_specs: { name: 'DIFF-QOS-1' } }),
      post({}), post({ qos_specs: {} }), post({ qos_specs: 'x' }), post({ qos_specs: { name: '' } }), post({ qos_specs: { name: '   ' } }),
      post({ qos_specs: { name: 5 } }), post({ qos_specs: { name: 'x'.repeat(256) } }), post({ qos_specs: { name: 'diff-qos-x', consumer: 'bogus' } }),
      post({ qos_specs: { name: 'diff-qos-x', consumer: '' } }), post({ qos_specs: { name: 'diff-qos-x', k: 'v'.repeat(256) } }),
      post({ qos_specs: { name: 'diff-qos-x', ['k'.repeat(256)]: 'v' } }), post({ qos_specs: { name: 'diff-qos-x' }, extra: 1 }),
      get(`${Q}/{q1}`), get(`${Q}/{q2}`), get(`${Q}/${MISSING}`), get(`${Q}/not-a-uuid`),
      get(Q), get(`${Q}?limit=1`), get(`${Q}?limit=1&marker={q1}`), get(`${Q}?marker=${MISSING}`), get(`${Q}?sort_key=value&sort_dir=asc`),
      get(`${Q}?sort=created_at:asc`), get(`${Q}?name=diff-qos-1`), get(`${Q}?consumer=front-end`), get(`${Q}?id={q2}`), get(`${Q}?bogus=1`),
      get(`${Q}?limit=x`), get(`${Q}?offset=1`), get(`${Q}?sort_key=nope`), get(`${Q}/detail`),
      put(`${Q}/{q1}`, { qos_specs: { total_iops_sec: '1000', consumer: 'both' } }), get(`${Q}/{q1}`),
      put(`${Q}/{q1}`, { qos_specs: { consumer: 'nobody' } }), put(`${Q}/{q1}`, { qos_specs: { k: 5 } }), put(`${Q}/{q1}`, { qos_specs: {} }),
      put(`${Q}/{q1}`, {}), put(`${Q}/{q1}`, { qos_specs: { k: null } }), put(`${Q}/${MISSING}`, { qos_specs: { k: 'v' } }), get(`${Q}/{q1}`),
      put(`${Q}/{q3}/delete_keys`, { keys: ['maxIOPS'] }), get(`${Q}/{q3}`), put(`${Q}/{q3}/delete_keys`, { keys: ['maxIOPS'] }),
      put(`${Q}/{q1}/delete_keys`, { keys: ['nope', 'read_bytes_sec'] }), put(`${Q}/{q1}/delete_keys`, { keys: [] }),
      put(`${Q}/{q1}/delete_keys`, { keys: 'x' }), put(`${Q}/{q1}/delete_keys`, {}), put(`${Q}/${MISSING}/delete_keys`, { keys: ['k'] }),
      { method: 'POST', path: '/v3/{p}/types', body: { volume_type: { name: 'diff-qos-type' } }, save: ['t1', 'volume_type.id'] },
      get(`${Q}/{q1}/associate?vol_type_id={t1}`), get(`${Q}/{q1}/associate?vol_type_id={t1}`), get(`${Q}/{q2}/associate?vol_type_id={t1}`),
      get(`${Q}/{q1}/associate`), get(`${Q}/{q1}/associate?vol_type_id=${MISSING}`), get(`${Q}/${MISSING}/associate?vol_type_id={t1}`),
      get(`${Q}/{q1}/associations`), get(`${Q}/{q2}/associations`), get(`${Q}/${MISSING}/associations`), get('/v3/{p}/types/{t1}'),
      { method: 'DELETE', path: `${Q}/{q1}` }, { method: 'DELETE', path: `${Q}/{q1}?force=maybe` }, { method: 'DELETE', path: `${Q}/{q1}?force=false` },
      { method: 'POST', path: '/v3/{p}/volumes', body: { volume: { size: 1, volume_type: 'diff-qos-type' } }, save: ['v1', 'volume.id'], state: 'v1' },
      { method: 'POST', path: '/v3/{p}/volumes/{v1}/action', body: { 'os-initialize_connection': { connector: CONNECTOR } } },
      { method: 'POST', path: '/v3/{p}/volumes/{v1}/action', body: { 'os-terminate_connection': { connector: CONNECTOR } } },
      get(`${Q}/{q1}/disassociate?vol_type_id={t1}`), get(`${Q}/{q1}/disassociate?vol_type_id={t1}`), get(`${Q}/{q2}/disassociate?vol_type_id={t1}`),
      get(`${Q}/{q1}/disassociate`), get(`${Q}/{q1}/disassociate?vol_type_id=${MISSING}`), get(`${Q}/{q1}/associations`),
      get(`${Q}/{q2}/associate?vol_type_id={t1}`),
      put(`${Q}/{q2}`, {
        qos_specs: {
          consumer: 'front-end', write_iops_sec: '7', read_iops_sec_per_gb: '10', read_iops_sec_per_gb_min: '25', total_bytes_sec_per_gb: '1000',
          total_bytes_sec_max: '500', write_bytes_sec_max: '9',
        },
      }),
      { method: 'POST', path: '/v3/{p}/volumes/{v1}/action', body: { 'os-initialize_connection': { connector: CONNECTOR } } },
      { method: 'POST', path: '/v3/{p}/volumes/{v1}/action', body: { 'os-terminate_connection': { connector: CONNECTOR } } },
      // In use, a retype may not change the front-end spec its type has.
      { method: 'POST', path: '/v3/{p}/types', body: { volume_type: { name: 'diff-qos-type-2' } }, save: ['t2', 'volume_type.id'] },
      act({ 'os-reserve': null }), act({ 'os-initialize_connection': { connector: CONNECTOR } }),
      act({ 'os-attach': { instance_uuid: SERVER, mountpoint: '/dev/vdb', mode: 'rw' } }),
      act({ 'os-retype': { new_type: 'diff-qos-type-2' } }), act({ 'os-detach': {} }), act({ 'os-terminate_connection': { connector: CONNECTOR } }),
      get(`${Q}/{q2}/disassociate_all`), get(`${Q}/${MISSING}/disassociate_all`), get(`${Q}/{q2}/associations`), get('/v3/{p}/types/{t1}'),
      get(`${Q}/{q1}/associate?vol_type_id={t1}`), { method: 'DELETE', path: `${Q}/{q1}?force=true` }, get(`${Q}/{q1}`), get('/v3/{p}/types/{t1}'),
      { method: 'DELETE', path: `${Q}/{q1}` }, { method: 'DELETE', path: `${Q}/{q2}` }, { method: 'DELETE', path: `${Q}/{q3}` }, get(Q),
      { method: 'DELETE', path: '/v3/{p}/volumes/{v1}', state: 'v1' }, { method: 'DELETE', path: '/v3/{p}/types/{t1}' },
      { method: 'DELETE', path: '/v3/{p}/types/{t2}' },
    ],
  }];
}
