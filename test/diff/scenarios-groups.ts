// Group types and group specs for scripts/cinder-diff.sh (3.11+): the version gate, the seeded
// default_cgsnapshot_type, create and its refusals, show, the list's is_public filter, sort and
// pages, update's checks, the specs' routes, delete. Group types are not per project: the
// scenario deletes what it made.
import type { Scenario, Step } from './scenarios';

const MISSING = 'aaaaaaaa-bbbb-4ccc-8ddd-eeeeeeeeeeee';
const G = '/v3/{p}/group_types';
const MV = '3.11';
const TICK: Step = { method: 'GET', path: '', nextSecond: true };

const get = (path: string, mv = MV): Step => ({ method: 'GET', path, mv });
const post = (path: string, body: unknown, save?: Step['save'], mv = MV): Step => ({ method: 'POST', path, body, save, mv });
const put = (path: string, body: unknown): Step => ({ method: 'PUT', path, body, mv: MV });
const del = (path: string): Step => ({ method: 'DELETE', path, mv: MV });

const V = '/v3/{p}/volumes';
const GR = '/v3/{p}/groups';
const USAGE: Step = { method: 'GET', path: '/v3/{p}/os-quota-sets/{p}?usage=True' };
const g13 = (path: string, mv = '3.25'): Step => ({ method: 'GET', path, mv });
const grp = (body: unknown, save?: [string, string], mv = '3.13'): Step => ({ method: 'POST', path: GR, body, mv, ...(save ? { save, groupState: save[0] } : {}) });
const act = (id: string, body: unknown, mv = '3.20'): Step => ({ method: 'POST', path: `${GR}/{${id}}/action`, body, mv, groupState: id });
const src = (body: unknown, mv = '3.14', save?: [string, string]): Step => ({ method: 'POST', path: `${GR}/action`, body: { 'create-from-src': body }, mv, ...(save ? { save, groupState: save[0] } : {}) });
const upd = (id: string, group: unknown): Step => ({ method: 'PUT', path: `${GR}/{${id}}`, body: { group }, mv: '3.13', groupState: id });

/** Groups: create and its refusals, volumes made in one, show and list, update, reset, delete. */
function groups(): Scenario {
  return {
    name: 'groups',
    steps: [
      post(G, { group_type: { name: 'diff-grp-type' } }, ['gt', 'group_type.id']),
      { method: 'POST', path: '/v3/{p}/types', body: { volume_type: { name: 'diff-grp-vt' } }, save: ['vt', 'volume_type.id'] },
      USAGE,
      get(GR, '3.12'), grp({ group: { group_type: '{gt}', volume_types: ['__DEFAULT__'] } }, undefined, '3.12'),
      // Refusals, in Cinder's order.
      grp({}), grp({ group: {} }), grp({ group: { group_type: '{gt}' } }), grp({ group: { group_type: '{gt}', volume_types: [] } }),
      grp({ group: { group_type: '{gt}', volume_types: ['a', 'a'] } }), grp({ group: { group_type: '  ', volume_types: ['__DEFAULT__'] } }),
      grp({ group: { group_type: 'no-such-gt', volume_types: ['__DEFAULT__'] } }), grp({ group: { group_type: MISSING, volume_types: ['__DEFAULT__'] } }),
      grp({ group: { group_type: '{gt}', volume_types: ['no-such-vt'] } }), grp({ group: { group_type: '{gt}', volume_types: [MISSING] } }),
      grp({ group: { group_type: '{gt}', volume_types: ['__DEFAULT__'], availability_zone: 'elsewhere' } }),
      grp({ group: { group_type: '{gt}', volume_types: ['__DEFAULT__'], availability_zone: '' } }),
      grp({ group: { group_type: '{gt}', volume_types: ['__DEFAULT__'], availability_zone: '  ' } }),
      grp({ group: { group_type: '{gt}', volume_types: ['__DEFAULT__'], bogus: 1 } }), grp({ group: { group_type: '{gt}', volume_types: ['__DEFAULT__'], name: 'x'.repeat(256) } }),
      // Made: by type name and id, with a name and a description (stripped).
      grp({ group: { group_type: 'diff-grp-type', volume_types: ['__DEFAULT__', 'diff-grp-vt'], name: ' g1 ', description: ' d ' } }, ['g1', 'group.id']),
      TICK,
      grp({ group: { group_type: '{gt}', volume_types: ['{vt}'] } }, ['g2', 'group.id']),
      USAGE,
      g13(`${GR}/{g1}`), g13(`${GR}/{g1}`, '3.13'), g13(`${GR}/{g1}?list_volume=True`), g13(`${GR}/{g1}?list_volume=maybe`), g13(`${GR}/{g1}`, '3.70'),
      g13(`${GR}/${MISSING}`), g13(GR), g13(`${GR}/detail`), g13(`${GR}/detail?name=g1`), g13(`${GR}?bogus=1`), g13(`${GR}?sort=name:asc`),
      g13(`${GR}?limit=1`), g13(`${GR}?marker=${MISSING}`), g13(`${GR}?limit=1&marker={g1}`), g13(`${GR}?all_tenants=1`), g13(`${GR}?status=available`),
      // Volumes in a group: the type must be given, and be one of the group's.
      { method: 'POST', path: V, body: { volume: { size: 1, group_id: '{g1}' } }, mv: '3.13' },
      { method: 'POST', path: V, body: { volume: { size: 1, group_id: MISSING, volume_type: '__DEFAULT__' } }, mv: '3.13' },
      { method: 'POST', path: V, body: { volume: { size: 1, group_id: '{g1}', volume_type: '__DEFAULT__' } }, mv: '3.13', save: ['v1', 'volume.id'], state: 'v1' },
      { method: 'POST', path: V, body: { volume: { size: 1, volume_type: 'diff-grp-vt' } }, save: ['v2', 'volume.id'], state: 'v2' },
      { method: 'GET', path: `${V}/{v1}`, mv: '3.13' }, g13(`${GR}/{g1}?list_volume=True`),
      { method: 'DELETE', path: `${V}/{v1}`, state: 'v1' },
      // A copy of a group (create-from-src, 3.14): refusals, then one clone per volume.
      src({ source_group_id: '{g1}' }, '3.13'), src({}), src({ source_group_id: '{g1}', group_snapshot_id: '{g1}' }), src({ group_snapshot_id: MISSING }),
      src({ source_group_id: MISSING }), src({ source_group_id: 'x' }), src({ source_group_id: '{g2}' }), src({ source_group_id: '{g1}', bogus: 1 }),
      { method: 'POST', path: `${GR}/action`, body: { bogus: {} }, mv: '3.14' },
      src({ source_group_id: '{g1}', name: ' copy ', description: 'c' }, '3.14', ['g3', 'group.id']), g13(`${GR}/{g3}?list_volume=True`), USAGE,
      act('g3', { delete: { 'delete-volumes': true } }, '3.13'), USAGE,
      // Update: name and description, then volumes in and out, with the refusals.
      upd('g1', { name: 'g1b', description: 'd2' }), g13(`${GR}/{g1}`), upd('g1', { name: 'g1b' }), upd('g1', {}),
      { method: 'PUT', path: `${GR}/{g1}`, body: {}, mv: '3.13' }, upd('g1', { add_volumes: '{v2}', remove_volumes: '{v2}' }),
      upd('g1', { remove_volumes: '{v2}' }), upd('g1', { add_volumes: MISSING }), upd('g2', { add_volumes: '{v1}' }),
      upd('g1', { add_volumes: '{v2},' }), g13(`${GR}/{g1}?list_volume=True`), { method: 'GET', path: `${V}/{v2}`, mv: '3.13' },
      upd('g1', { remove_volumes: '{v2}' }), g13(`${GR}/{g1}?list_volume=True`),
      // Replication (3.38): a type without group_replication_enabled is refused.
      act('g2', { enable_replication: {} }, '3.37'), act('g2', { enable_replication: {} }, '3.38'), act('g2', { disable_replication: {} }, '3.38'),
      act('g2', { failover_replication: { allow_attached_volume: true } }, '3.38'), act('g2', { failover_replication: { bogus: 1 } }, '3.38'),
      act('g2', { list_replication_targets: {} }, '3.38'), act('g2', { enable_replication: 'x' }, '3.38'),
      // Reset status (admin, 3.20), then a name change makes it available again.
      act('g2', { reset_status: { status: 'error' } }, '3.19'), act('g2', { reset_status: { status: 'bogus' } }), act('g2', { reset_status: { status: '' } }),
      act('g2', { reset_status: {} }), act('g2', { reset_status: { status: 'Error' } }), g13(`${GR}/{g2}`), upd('g2', { name: 'again' }), g13(`${GR}/{g2}`),
      // Delete: refused with volumes unless delete-volumes; then gone, with its volume and usage.
      act('g1', { delete: {} }, '3.13'), act('g1', { delete: { 'delete-volumes': 'maybe' } }, '3.13'), act('g1', { bogus: {} }, '3.13'),
      act('g1', { delete: { 'delete-volumes': true } }, '3.13'), g13(`${GR}/{g1}`), { method: 'GET', path: `${V}/{v1}` },
      act('g2', { delete: {} }, '3.13'), USAGE,
      { method: 'DELETE', path: `${V}/{v2}`, state: 'v2' },
      { method: 'DELETE', path: '/v3/{p}/types/{vt}' }, del(`${G}/{gt}`),
    ],
  };
}

const GS = '/v3/{p}/group_snapshots';
const gsPost = (body: unknown, mv = '3.14', save?: [string, string]): Step => ({ method: 'POST', path: GS, body, mv, ...(save ? { save, groupSnapshotState: save[0] } : {}) });

/** Group snapshots: made and refused, shown and listed, a group from one, reset, deleted. */
function groupSnapshots(): Scenario {
  return {
    name: 'group-snapshots',
    steps: [
      post(G, { group_type: { name: 'diff-gs-type' } }, ['gt', 'group_type.id']),
      grp({ group: { group_type: '{gt}', volume_types: ['__DEFAULT__'], name: 'gs-src' } }, ['g1', 'group.id']),
      { method: 'POST', path: V, body: { volume: { size: 1, group_id: '{g1}', volume_type: '__DEFAULT__' } }, mv: '3.13', save: ['v1', 'volume.id'], state: 'v1' },
      USAGE,
      gsPost({ group_snapshot: { group_id: '{g1}' } }, '3.13'), gsPost({}), gsPost({ group_snapshot: {} }), gsPost({ group_snapshot: { group_id: 'x' } }),
      gsPost({ group_snapshot: { group_id: MISSING } }), gsPost({ group_snapshot: { group_id: '{g1}', bogus: 1 } }),
      gsPost({ group_snapshot: { group_id: '{g1}', name: 'gs1', description: 'd' } }, '3.14', ['s1', 'group_snapshot.id']),
      USAGE,
      g13(`${GS}/{s1}`, '3.14'), g13(`${GS}/{s1}`, '3.70'), g13(`${GS}/${MISSING}`, '3.14'), g13(GS, '3.14'), g13(`${GS}/detail`, '3.14'),
      g13(`${GS}?bogus=1`, '3.14'), g13(`${GS}?bogus=1`, '3.29'), g13(`${GS}/detail?group_id={g1}`, '3.29'), g13(`${GS}?marker=${MISSING}`, '3.29'),
      g13(`${GS}?limit=1`, '3.29'), g13(GS, '3.13'),
      act('g1', { delete: { 'delete-volumes': true } }, '3.13'), { method: 'DELETE', path: `${V}/{v1}` },
      // A group from the group snapshot.
      src({ group_snapshot_id: '{s1}', name: 'from-gs' }, '3.14', ['g2', 'group.id']), g13(`${GR}/{g2}?list_volume=True`), USAGE,
      act('g2', { delete: { 'delete-volumes': true } }, '3.13'),
      // Reset (3.19, admin), then delete.
      { method: 'POST', path: `${GS}/{s1}/action`, body: { reset_status: { status: 'error' } }, mv: '3.18' },
      { method: 'POST', path: `${GS}/{s1}/action`, body: { reset_status: { status: 'nope' } }, mv: '3.19' },
      { method: 'POST', path: `${GS}/{s1}/action`, body: { reset_status: { status: '' } }, mv: '3.19' },
      { method: 'POST', path: `${GS}/{s1}/action`, body: { reset_status: {} }, mv: '3.19' },
      { method: 'POST', path: `${GS}/{s1}/action`, body: { reset_status: { status: 'Error' } }, mv: '3.19', groupSnapshotState: 's1' },
      { method: 'DELETE', path: `${GS}/{s1}`, mv: '3.13' },
      { method: 'DELETE', path: `${GS}/{s1}`, mv: '3.14', groupSnapshotState: 's1' },
      { method: 'DELETE', path: `${GS}/{s1}`, mv: '3.14' }, USAGE,
      act('g1', { delete: { 'delete-volumes': true } }, '3.13'), USAGE, del(`${G}/{gt}`),
    ],
  };
}

export function groupScenarios(): Scenario[] {
  return [groups(), groupSnapshots(), {
    name: 'group-types',
    steps: [
      get(G, '3.10'), post(G, { group_type: { name: 'diff-gt-old' } }, undefined, '3.10'), get(`${G}/default`),
      post(G, { group_type: { name: 'diff-gt-1', description: 'first', group_specs: { consistent_group_snapshot_enabled: '<is> False' } } }, ['g1', 'group_type.id']),
      TICK,
      post(G, { group_type: { name: 'diff-gt-2', is_public: false, group_specs: null } }, ['g2', 'group_type.id']),
      TICK,
      post(G, { group_type: { name: 'diff-gt-3', is_public: 'yes', description: null } }, ['g3', 'group_type.id']),
      TICK,
      // Spec keys may hold spaces here (metadata_allows_null), unlike in the specs' own routes.
      post(G, { group_type: { name: 'diff-gt-x', group_specs: { 'a b': 'v' } } }, ['gx', 'group_type.id']),
      // Refusals.
      post(G, { group_type: { name: 'diff-gt-1' } }), post(G, { group_type: { name: 'DIFF-GT-1' } }), post(G, {}), post(G, { group_type: {} }),
      post(G, { group_type: { name: '' } }), post(G, { group_type: { name: 'x'.repeat(256) } }), post(G, { group_type: { name: 'x', is_public: 'maybe' } }),
      post(G, { group_type: { name: 'x', group_specs: { k: 5 } } }),
      post(G, { group_type: { name: 'x', bogus: 1 } }), post(G, { group_type: { name: 'x' }, extra: 1 }),
      get(`${G}/{g1}`), get(`${G}/{g2}`), get(`${G}/${MISSING}`), get(`${G}/not-a-uuid`),
      get(G), get(`${G}?is_public=false`), get(`${G}?is_public=none`), get(`${G}?is_public=true`), get(`${G}?is_public=maybe`),
      get(`${G}?is_public=none&sort=name:asc`), get(`${G}?is_public=none&sort=name:desc`), get(`${G}?is_public=none&sort_key=created_at&sort_dir=asc`),
      get(`${G}?is_public=none&limit=1`), get(`${G}?is_public=none&limit=2&marker={g3}`), get(`${G}?is_public=none&marker=${MISSING}`),
      get(`${G}?is_public=none&offset=1&sort=name:asc`), get(`${G}?limit=x`), get(`${G}?sort=nope`), get(`${G}?name=diff-gt-1`),
      // Update.
      put(`${G}/{g1}`, { group_type: { name: 'diff-gt-1b', description: 'changed' } }), get(`${G}/{g1}`),
      put(`${G}/{g2}`, { group_type: { is_public: true } }), put(`${G}/{g2}`, { group_type: { is_public: false } }),
      put(`${G}/{g1}`, { group_type: { name: '   ' } }), put(`${G}/{g1}`, { group_type: {} }), put(`${G}/{g1}`, {}),
      put(`${G}/{g1}`, { group_type: { name: 'diff-gt-3' } }), put(`${G}/{g1}`, { group_type: { name: 'DIFF-GT-1B' } }),
      put(`${G}/${MISSING}`, { group_type: { name: 'diff-gt-3' } }), put(`${G}/${MISSING}`, { group_type: { description: 'x' } }),
      put(`${G}/{g1}`, { group_type: { description: '' } }), get(`${G}/{g1}`),
      // Specs.
      get(`${G}/{g3}/group_specs`),
      post(`${G}/{g3}/group_specs`, { group_specs: { key1: 'value1', key2: 'value2' } }),
      post(`${G}/{g3}/group_specs`, { group_specs: { key2: 'value2-updated', key3: null } }),
      post(`${G}/{g3}/group_specs`, { group_specs: { 'bad key': 'v' } }), post(`${G}/{g3}/group_specs`, {}), post(`${G}/${MISSING}/group_specs`, { group_specs: { k: 'v' } }),
      get(`${G}/{g3}/group_specs`), get(`${G}/{g3}/group_specs/key2`), get(`${G}/{g3}/group_specs/key3`), get(`${G}/{g3}/group_specs/nope`),
      put(`${G}/{g3}/group_specs/key3`, { key3: 'value3' }), put(`${G}/{g3}/group_specs/key3`, { key1: 'v' }),
      put(`${G}/{g3}/group_specs/key3`, { key3: 'a', key1: 'b' }), put(`${G}/{g3}/group_specs/new`, { new: 'n' }),
      del(`${G}/{g3}/group_specs/key1`), get(`${G}/{g3}/group_specs/key1`), del(`${G}/{g3}/group_specs/key1`), get(`${G}/{g3}`),
      // Delete.
      del(`${G}/{g1}`), get(`${G}/{g1}`), del(`${G}/{g1}`), del(`${G}/${MISSING}`), del(`${G}/{g2}`), del(`${G}/{g3}`), del(`${G}/{gx}`),
      get(`${G}/{g3}/group_specs`), get(`${G}?is_public=none`),
    ],
  }];
}
