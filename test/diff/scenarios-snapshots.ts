// Volume snapshots for scripts/cinder-diff.sh: create (names, metadata, force and 3.66 on an
// in-use volume), show and the lists (filters, sort, paging), update, metadata, the actions,
// the refusals (a missing volume, a volume with snapshots deleted, a snapshot not deletable),
// a volume made from a snapshot, a cascade delete, and the quota they count.
import type { Scenario, Step } from './scenarios';

const V = '/v3/{p}/volumes';
const S = '/v3/{p}/snapshots';
const snap = (label: string, snapshot: Record<string, unknown>, mv?: string): Step =>
  ({ method: 'POST', path: S, body: { snapshot }, mv, save: [label, 'snapshot.id'], snapState: label });
const sAct = (label: string, body: unknown, mv?: string): Step => ({ method: 'POST', path: `${S}/{${label}}/action`, body, mv, snapState: label });
/** Into the next second: Cinder orders lists by created_at (seconds on MariaDB), then by random ids. */
const TICK: Step = { method: 'GET', path: '', nextSecond: true };
const vAct = (label: string, body: unknown): Step => ({ method: 'POST', path: `${V}/{${label}}/action`, body, state: label });

export function snapshotScenarios(): Scenario[] {
  return [{
    name: 'snapshots',
    steps: [
      { method: 'GET', path: '/v3/{p}/os-quota-sets/{p}?usage=True' },
      { method: 'POST', path: V, body: { volume: { size: 1, name: 'snap-src' } }, save: ['v1', 'volume.id'], state: 'v1' },
      snap('s1', { volume_id: '{v1}', name: ' first ', description: 'd', metadata: { k: 'v' } }),
      { method: 'GET', path: `${S}/{s1}` }, { method: 'GET', path: `${S}/{s1}`, mv: '3.70' },
      TICK, snap('s2', { volume_id: '{v1}', display_name: 'second' }, '3.70'),
      { method: 'GET', path: S }, { method: 'GET', path: `${S}/detail`, mv: '3.70' },
      { method: 'GET', path: `${S}?name=second` }, { method: 'GET', path: `${S}?volume_id={v1}&status=available` },
      { method: 'GET', path: `${S}/detail?sort=name:asc`, mv: '3.30' }, { method: 'GET', path: `${S}?limit=1` },
      { method: 'GET', path: `${S}?metadata=${encodeURIComponent("{'k': 'v'}")}`, mv: '3.22' }, { method: 'GET', path: `${S}?bogus=1`, mv: '3.31' },
      { method: 'GET', path: `${S}?with_count=true`, mv: '3.45' },
      { method: 'PUT', path: `${S}/{s1}`, body: { snapshot: { name: 'renamed', description: null } } },
      { method: 'PUT', path: `${S}/{s1}`, body: { snapshot: {} } },
      { method: 'PUT', path: `${S}/{s1}`, body: { snapshot: { display_description: 'old-style' } } },
      { method: 'GET', path: `${S}/{s1}/metadata` }, { method: 'POST', path: `${S}/{s1}/metadata`, body: { metadata: { a: '1' } } },
      { method: 'PUT', path: `${S}/{s1}/metadata`, body: { metadata: { b: '2' } } }, { method: 'PUT', path: `${S}/{s1}/metadata/b`, body: { meta: { b: '3' } } },
      { method: 'PUT', path: `${S}/{s1}/metadata/x`, body: { meta: { b: '3' } } }, { method: 'GET', path: `${S}/{s1}/metadata/b` },
      { method: 'GET', path: `${S}/{s1}/metadata/nope` }, { method: 'DELETE', path: `${S}/{s1}/metadata/b` }, { method: 'DELETE', path: `${S}/{s1}/metadata/b` },
      // Metadata bodies have no schema: the entity, then the snapshot (404), then the key/value checks (400, 413).
      { method: 'PUT', path: `${S}/00000000-0000-4000-8000-000000000000/metadata`, body: { metadata: { a: [], b: '2' } } },
      { method: 'PUT', path: `${S}/{s1}/metadata`, body: { metadata: { a: [], b: '2' } } },
      { method: 'POST', path: `${S}/{s1}/metadata`, body: { metadata: { '': 'x' } } },
      { method: 'POST', path: `${S}/{s1}/metadata`, body: { metadata: { ['k'.repeat(256)]: 'x' } } },
      { method: 'POST', path: `${S}/{s1}/metadata`, body: { metadata: { k: 'v'.repeat(256) } } },
      { method: 'POST', path: `${S}/{s1}/metadata`, body: { metadata: [] } }, { method: 'POST', path: `${S}/{s1}/metadata`, body: { meta: {} } },
      { method: 'PUT', path: `${S}/{s1}/metadata`, body: { metadata: {} } },
      { method: 'PUT', path: `${S}/{s1}/metadata/b`, body: { meta: { b: '1', c: '2' } } }, { method: 'PUT', path: `${S}/{s1}/metadata/b`, body: {} },
      { method: 'POST', path: S, body: { snapshot: { volume_id: '00000000-0000-4000-8000-000000000000' } } },
      { method: 'POST', path: S, body: { snapshot: { volume_id: '{v1}', bogus: 1 } } },
      { method: 'POST', path: S, body: { snapshot: { name: 'no-volume' } } },
      { method: 'GET', path: '/v3/{p}/os-quota-sets/{p}?usage=True' },
      { method: 'DELETE', path: `${V}/{v1}`, state: 'v1' },
      // From a snapshot: too small, of its size, larger.
      { method: 'POST', path: V, body: { volume: { snapshot_id: '{s1}', size: 2, name: 'from-snap' } }, save: ['v2', 'volume.id'], state: 'v2' },
      { method: 'POST', path: V, body: { volume: { snapshot_id: '{s1}' } }, save: ['v3', 'volume.id'], state: 'v3' },
      { method: 'GET', path: `${V}/{v2}` },
      { method: 'POST', path: V, body: { volume: { snapshot_id: '00000000-0000-4000-8000-000000000000' } } },
      // In use: refused without force; force, 3.66 and its refusal of force=false.
      vAct('v2', { 'os-reserve': null }),
      vAct('v2', { 'os-attach': { instance_uuid: '5a7c0e2e-2f0b-4e4e-9a55-3f5a1c0d9b11', mountpoint: '/dev/vdb', mode: 'rw' } }),
      { method: 'POST', path: S, body: { snapshot: { volume_id: '{v2}' } } },
      { method: 'POST', path: S, body: { snapshot: { volume_id: '{v2}', force: false } }, mv: '3.66' },
      snap('s3', { volume_id: '{v2}', force: true }),
      snap('s4', { volume_id: '{v2}' }, '3.66'),
      // The actions.
      sAct('s3', { 'os-reset_status': { status: 'creating' } }),
      { method: 'DELETE', path: `${S}/{s3}` },
      sAct('s3', { 'os-update_snapshot_status': { status: 'deleting' } }),
      sAct('s3', { 'os-update_snapshot_status': { status: 'available', progress: '100%' } }),
      sAct('s3', { 'os-reset_status': { status: 'nonsense' } }),
      sAct('s3', { 'os-force_delete': {} }),
      { method: 'DELETE', path: `${S}/{s4}`, snapState: 's4' },
      vAct('v2', { 'os-detach': {} }),
      // A transfer offer needs its volume's snapshots available (unless no_snapshots).
      { method: 'POST', path: V, body: { volume: { size: 1, name: 'offered' } }, save: ['v4', 'volume.id'], state: 'v4' },
      snap('s6', { volume_id: '{v4}' }), sAct('s6', { 'os-reset_status': { status: 'error' } }),
      { method: 'POST', path: '/v3/{p}/volume-transfers', body: { transfer: { volume_id: '{v4}' } }, mv: '3.55', state: 'v4' },
      { method: 'POST', path: '/v3/{p}/volume-transfers', body: { transfer: { volume_id: '{v4}', no_snapshots: true } }, mv: '3.55', save: ['x1', 'transfer.id'], state: 'v4' },
      { method: 'DELETE', path: '/v3/{p}/volume-transfers/{x1}', state: 'v4' },
      { method: 'DELETE', path: `${V}/{v4}?cascade=true`, state: 'v4', snapState: 's6' },
      // Cascade: the volume goes with its snapshot.
      snap('s5', { volume_id: '{v2}' }),
      { method: 'DELETE', path: `${V}/{v2}?cascade=true`, state: 'v2', snapState: 's5' },
      { method: 'DELETE', path: `${V}/{v3}`, state: 'v3' },
      { method: 'DELETE', path: `${S}/{s2}`, snapState: 's2' }, { method: 'DELETE', path: `${S}/{s1}`, snapState: 's1' },
      { method: 'DELETE', path: `${V}/{v1}`, state: 'v1' },
      { method: 'GET', path: '/v3/{p}/os-quota-sets/{p}?usage=True' },
    ],
  }];
}
