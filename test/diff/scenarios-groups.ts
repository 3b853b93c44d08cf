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

export function groupScenarios(): Scenario[] {
  return [{
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
