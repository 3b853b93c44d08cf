// The request sequences scripts/cinder-diff.sh plays against both Cinders: every route and
// action our cinder-api serves, at the microversions it branches on, with good and bad input.
// Each scenario runs in a project of its own (32 hex characters, Cinder's URL rule), so lists
// see only what the scenario made.

import { extraScenarios } from './scenarios-extra';
import { retypeScenarios } from './scenarios-retype';
import { transferScenarios } from './scenarios-transfers';
import { messageScenarios } from './scenarios-messages';
import { imageMetadataScenarios } from './scenarios-image-metadata';
import { qosScenarios } from './scenarios-qos';
import { encryptionScenarios } from './scenarios-encryption';
import { cloneScenarios } from './scenarios-clone';
import { snapshotScenarios } from './scenarios-snapshots';
import { manageScenarios } from './scenarios-manage';
import { groupScenarios } from './scenarios-groups';

export interface Step {
  method: 'GET' | 'POST' | 'PUT' | 'DELETE' | 'HEAD' | 'OPTIONS' | 'PATCH';
  /** Relative to the base URL; {p} is the project, {label} an id saved earlier on that side. */
  path: string;
  /** OpenStack-API-Version: "volume <mv>" (a value with a space is sent as is). */
  mv?: string;
  headers?: Record<string, string>;
  body?: unknown;
  /** A body sent as is (not JSON-encoded), with headers['Content-Type'] when given. */
  raw?: string;
  /** Save the id (or any string) at this dotted path of a 2xx answer under this label; several pairs save several. */
  save?: [label: string, path: string] | Array<[label: string, path: string]>;
  /** Wait until this volume leaves its transitional status, then record its state. */
  state?: string;
  /** The same for a snapshot (creating, deleting). */
  snapState?: string;
  /** The same for a group (creating, deleting, updating). */
  groupState?: string;
  /** The same for a group snapshot (creating, deleting). */
  groupSnapshotState?: string;
  /** Not a request: wait until the wall clock enters the next second (distinct created_at). */
  nextSecond?: true;
}

export interface Scenario {
  name: string;
  steps: Step[];
}

export const CONNECTOR = { initiator: 'iqn.1993-08.org.debian:01:cinderdiff', host: 'diffcompute', ip: '127.0.0.1', platform: 'x86_64', os_type: 'linux', multipath: false };
export const SERVER = '11111111-2222-4333-8444-555555555555';
const MISSING = 'aaaaaaaa-bbbb-4ccc-8ddd-eeeeeeeeeeee';

const create = (label: string, volume: Record<string, unknown> = { size: 1 }, mv?: string): Step =>
  ({ method: 'POST', path: '/v3/{p}/volumes', body: { volume }, mv, save: [label, 'volume.id'], state: label });
const action = (label: string, body: unknown, mv?: string): Step =>
  ({ method: 'POST', path: `/v3/{p}/volumes/{${label}}/action`, body, mv, state: label });
const get = (path: string, mv?: string, headers?: Record<string, string>): Step => ({ method: 'GET', path, mv, headers });
const del = (label: string): Step => ({ method: 'DELETE', path: `/v3/{p}/volumes/{${label}}`, state: label });

const VERSIONS = ['3.0', '3.27', '3.44', '3.59', '3.60', '3.70'];

function versions(): Scenario[] {
  const steps: Step[] = [get('/'), get('/v3/'), get('/v3/', '3.0'), get('/v3/', '3.70'), get('/v3/', '3.99'), get('/v3/', 'volume LATEST')];
  const list = '/v3/{p}/volumes';
  const headers = ['volume 3.0', 'volume 3.70', 'volume 3.71', 'volume 2.9', 'volume 3.abc', 'volume latest', 'volume LATEST',
    'compute 2.1', 'volume 3.5, volume 3.9', 'volume 3.9,volume 3.5', 'volume', 'volume 3.0.1', 'volume 4.0'];
  for (const h of headers) steps.push(get(list, h));
  return [{ name: 'versions', steps }];
}

function crud(): Scenario[] {
  const v = '/v3/{p}/volumes';
  const bad = (body: unknown, mv?: string): Step => ({ method: 'POST', path: v, body, mv });
  const out: Scenario[] = [];
  out.push({
    name: 'create-good',
    steps: [
      create('v1'), create('v2', { size: 2, name: 'two', description: 'second', metadata: { a: '1', b: '' } }),
      create('v3', { size: 1, name: 'x'.repeat(255), availability_zone: 'nova', volume_type: '__DEFAULT__' }),
      get('/v3/{p}/volumes/{v1}'), get('/v3/{p}/volumes/{v2}', '3.70'), get('/v3/{p}/volumes/{v2}', '3.48'), get('/v3/{p}/volumes/{v2}', '3.63'),
      get('/v3/{p}/volumes/{v2}', '3.65'), get('/v3/{p}/volumes/{v2}', '3.69'),
      { method: 'PUT', path: '/v3/{p}/volumes/{v1}', body: { volume: { name: 'renamed', description: 'd' } }, state: 'v1' },
      { method: 'PUT', path: '/v3/{p}/volumes/{v1}', body: { volume: { display_name: 'old-style' } }, state: 'v1' },
      { method: 'PUT', path: '/v3/{p}/volumes/{v1}', body: { volume: { metadata: { k: 'v' } } }, state: 'v1' },
      { method: 'PUT', path: '/v3/{p}/volumes/{v1}', body: { volume: {} }, mv: '3.53' },
      { method: 'PUT', path: '/v3/{p}/volumes/{v1}', body: { volume: {} } },
      { method: 'PUT', path: '/v3/{p}/volumes/{v1}', body: { volume: { name: 'y'.repeat(256) } } },
      { method: 'PUT', path: '/v3/{p}/volumes/{v1}', body: { volume: { bogus: 1 } }, mv: '3.53' },
      { method: 'PUT', path: `/v3/{p}/volumes/${MISSING}`, body: { volume: { name: 'n' } } },
      del('v3'), del('v3'), get('/v3/{p}/volumes/{v3}'),
      { method: 'DELETE', path: '/v3/{p}/volumes/{v2}?force=true', mv: '3.23', state: 'v2' },
      del('v1'),
    ],
  });
  out.push({
    name: 'create-bad',
    steps: [
      bad({ volume: { size: 0 } }), bad({ volume: { size: -1 } }), bad({ volume: { size: 'abc' } }), bad({ volume: { size: '1' } }),
      bad({ volume: { size: 1.5 } }), bad({ volume: {} }), bad({ volume: { name: 'n' } }), bad({ volume: { size: 1, name: 'z'.repeat(256) } }),
      bad({ volume: { size: 1, description: 'd'.repeat(256) } }),
      bad({ volume: { size: 1, metadata: { a: 1 } } }), bad({ volume: { size: 1, metadata: 'x' } }),
      bad({ volume: { size: 1, availability_zone: 'bogus' } }), bad({ volume: { size: 1, volume_type: 'nope' } }),
      bad({ volume: { size: 1, imageRef: MISSING } }), bad({ volume: { size: 1, snapshot_id: MISSING } }),
      bad({ volume: { size: 1, source_volid: MISSING } }), bad({ volume: { size: 1, multiattach: true } }),
      bad({ volume: { size: 1, bogus: 1 } }, '3.53'), bad({ vol: { size: 1 } }), bad([1, 2]), bad('text'),
      { method: 'POST', path: v, raw: '{"volume": {"size": 1', headers: { 'Content-Type': 'application/json' } },
      { method: 'POST', path: v, raw: '{"volume": {"size": 1}}', headers: { 'Content-Type': 'text/plain' } },
      { method: 'POST', path: v, raw: '{"volume": {"size": 1}}', headers: { 'Content-Type': 'application/xml' } },
      get(`/v3/{p}/volumes/${MISSING}`), get('/v3/{p}/volumes/not-a-uuid'), { method: 'DELETE', path: `/v3/{p}/volumes/${MISSING}` },
      get('/v3/{p}/volumes/summary', '3.11'),
    ],
  });
  return out;
}

function lists(): Scenario[] {
  const out: Scenario[] = [];
  // Cinder keeps created_at in whole seconds on MySQL: each volume in a second of its own, so the
  // default order (created_at) is the same on both sides; ties are left to the sort=size cases.
  const tick: Step = { method: 'GET', path: '', nextSecond: true };
  const setup = [create('v1', { size: 1, name: 'alpha', metadata: { k: 'a' } }), tick, create('v2', { size: 2, name: 'beta' }), tick,
    create('v3', { size: 1, name: 'gamma', metadata: { k: 'c' } }), action('v3', { 'os-set_bootable': { bootable: true } })];
  const queries = ['', '?name=beta', '?status=available', '?size=1', '?bootable=true', "?metadata={'k': 'a'}", '?sort=size:asc',
    '?sort=size', '?sort=name:asc', '?sort_key=name&sort_dir=asc', '?sort=name:up', '?sort_dir=up', '?sort=bogus', '?sort_key=bogus',
    '?limit=1', '?limit=2&sort=name:asc', '?limit=0', '?limit=-1', '?limit=abc', '?offset=1', '?offset=-1', '?offset=abc', '?offset=1&limit=1',
    '?marker={v2}&sort=name:asc', `?marker=${MISSING}`, '?marker=garbage', '?with_count=true', '?with_count=maybe',
    '?created_at=gt:2000-01-01T00:00:00', '?created_at=bogus:2000', '?all_tenants=0', '?bogusfilter=1', '?display_name=alpha'];
  for (const mv of ['3.0', '3.31', '3.45', '3.60', '3.70']) {
    const steps: Step[] = [...setup];
    for (const q of queries) {
      steps.push(get(`/v3/{p}/volumes${q}`, mv));
      steps.push(get(`/v3/{p}/volumes/detail${q}`, mv));
    }
    steps.push(get('/v3/{p}/volumes/summary', mv));
    out.push({ name: `lists@${mv}`, steps });
  }
  return out;
}

function legacyAttach(): Scenario[] {
  const out: Scenario[] = [];
  for (const mv of ['3.0', '3.27', '3.44']) {
    out.push({
      name: `legacy-attach@${mv}`,
      steps: [
        create('v1'),
        action('v1', { 'os-attach': { instance_uuid: SERVER, mountpoint: '/dev/vdb' } }, mv),
        action('v1', { 'os-initialize_connection': {} }, mv),
        action('v1', { 'os-reserve': null }, mv), action('v1', { 'os-reserve': null }, mv),
        action('v1', { 'os-initialize_connection': { connector: CONNECTOR } }, mv),
        action('v1', { 'os-attach': { instance_uuid: SERVER } }, mv),
        action('v1', { 'os-attach': { instance_uuid: SERVER, mountpoint: '/dev/vdb', mode: 'xx' } }, mv),
        action('v1', { 'os-attach': { instance_uuid: SERVER, mountpoint: '/dev/vdb', mode: 'rw' } }, mv),
        get('/v3/{p}/volumes/{v1}', mv),
        get('/v3/{p}/attachments', mv), get('/v3/{p}/attachments/detail', mv),
        del('v1'),
        action('v1', { 'os-reset_status': { status: 'available' } }, mv),
        action('v1', { 'os-detach': { attachment_id: MISSING } }, mv),
        action('v1', { 'os-begin_detaching': null }, mv), action('v1', { 'os-roll_detaching': null }, mv),
        action('v1', { 'os-begin_detaching': null }, mv),
        action('v1', { 'os-terminate_connection': {} }, mv),
        action('v1', { 'os-terminate_connection': { connector: CONNECTOR } }, mv),
        action('v1', { 'os-detach': {} }, mv), action('v1', { 'os-detach': {} }, mv),
        action('v1', { 'os-unreserve': null }, mv),
        action('v1', { 'os-reserve': null }, mv), action('v1', { 'os-unreserve': null }, mv),
        del('v1'),
      ],
    });
  }
  return out;
}

function attachmentsApi(): Scenario[] {
  const out: Scenario[] = [];
  const a = '/v3/{p}/attachments';
  for (const mv of ['3.27', '3.44', '3.54', '3.70']) {
    out.push({
      name: `attachments@${mv}`,
      steps: [
        create('v1'), create('v2'),
        { method: 'POST', path: a, mv, body: { attachment: { volume_uuid: '{v1}', instance_uuid: SERVER } }, save: ['a1', 'attachment.id'], state: 'v1' },
        get(`${a}/{a1}`, mv), get(a, mv), get(`${a}/detail`, mv),
        { method: 'PUT', path: `${a}/{a1}`, mv, body: { attachment: { connector: CONNECTOR } }, state: 'v1' },
        { method: 'PUT', path: `${a}/{a1}`, mv, body: { attachment: { connector: {} } } },
        { method: 'PUT', path: `${a}/{a1}`, mv, body: { attachment: {} } },
        { method: 'POST', path: `${a}/{a1}/action`, mv, body: { 'os-complete': null }, state: 'v1' },
        get(`${a}/{a1}`, mv), get('/v3/{p}/volumes/{v1}', mv),
        { method: 'POST', path: a, mv, body: { attachment: { volume_uuid: '{v1}', instance_uuid: SERVER } } },
        { method: 'POST', path: a, mv, body: { attachment: { volume_uuid: '{v2}', instance_uuid: SERVER, connector: CONNECTOR, mode: 'ro' } }, save: ['a2', 'attachment.id'], state: 'v2' },
        { method: 'POST', path: a, mv, body: { attachment: { volume_uuid: '{v2}', instance_uuid: SERVER, mode: 'xx' } } },
        { method: 'POST', path: a, mv, body: { attachment: { volume_uuid: MISSING, instance_uuid: SERVER } } },
        { method: 'POST', path: a, mv, body: { attachment: { volume_uuid: 'nope', instance_uuid: SERVER } } },
        { method: 'POST', path: a, mv, body: { attachment: { instance_uuid: SERVER } } },
        { method: 'POST', path: a, mv, body: { attachment: { volume_uuid: '{v2}', instance_uuid: SERVER, bogus: 1 } } },
        get(`${a}/${MISSING}`, mv),
        { method: 'DELETE', path: `${a}/{a2}`, mv, state: 'v2' },
        { method: 'DELETE', path: `${a}/{a2}`, mv },
        { method: 'DELETE', path: `${a}/{a1}`, mv, state: 'v1' },
        del('v1'), del('v2'),
      ],
    });
  }
  out.push({ name: 'attachments@3.26', steps: [get(a, '3.26'), { method: 'POST', path: a, mv: '3.26', body: { attachment: { volume_uuid: MISSING } } }] });
  return out;
}

function actions(): Scenario[] {
  const out: Scenario[] = [];
  for (const mv of ['3.0', '3.42', '3.70']) {
    out.push({
      name: `actions@${mv}`,
      steps: [
        create('v1'),
        action('v1', { 'os-extend': { new_size: 2 } }, mv), action('v1', { 'os-extend': { new_size: 1 } }, mv),
        action('v1', { 'os-extend': { new_size: 'x' } }, mv), action('v1', { 'os-extend': {} }, mv), action('v1', { 'os-extend': { new_size: 2000000 } }, mv),
        action('v1', { 'os-set_bootable': { bootable: true } }, mv), action('v1', { 'os-set_bootable': { bootable: 'maybe' } }, mv),
        action('v1', { 'os-set_bootable': {} }, mv), action('v1', { 'os-set_bootable': { bootable: 'False' } }, mv),
        action('v1', { 'os-update_readonly_flag': { readonly: true } }, mv), action('v1', { 'os-update_readonly_flag': { readonly: 'x' } }, mv),
        action('v1', { 'os-update_readonly_flag': { readonly: false } }, mv),
        action('v1', { 'os-reset_status': { status: 'error' } }, mv), action('v1', { 'os-reset_status': { status: 'bogus' } }, mv),
        action('v1', { 'os-reset_status': { attach_status: 'bogus' } }, mv), action('v1', { 'os-reset_status': { migration_status: 'bogus' } }, mv),
        action('v1', { 'os-reset_status': {} }, mv), action('v1', { 'os-reset_status': { status: 'available', attach_status: 'detached' } }, mv),
        action('v1', { 'os-bogus': {} }, mv), action('v1', {}, mv), action('v1', { 'os-set_bootable': { bootable: true }, 'os-extend': { new_size: 3 } }, mv),
        { method: 'POST', path: '/v3/{p}/volumes/{v1}/action', mv, raw: '{"os-extend": {"new_size": 3}}', headers: { 'Content-Type': 'text/plain' }, state: 'v1' },
        { method: 'POST', path: `/v3/{p}/volumes/${MISSING}/action`, mv, body: { 'os-extend': { new_size: 3 } } },
        action('v1', { 'os-reset_status': { status: 'in-use' } }, mv), action('v1', { 'os-extend': { new_size: 3 } }, mv),
        action('v1', { 'os-reset_status': { status: 'available' } }, mv),
        get('/v3/{p}/volumes/{v1}/metadata', mv),
        { method: 'POST', path: '/v3/{p}/volumes/{v1}/metadata', mv, body: { metadata: { a: '1', b: '2' } }, state: 'v1' },
        { method: 'PUT', path: '/v3/{p}/volumes/{v1}/metadata', mv, body: { metadata: { c: '3' } }, state: 'v1' },
        { method: 'PUT', path: '/v3/{p}/volumes/{v1}/metadata/c', mv, body: { meta: { c: '4' } }, state: 'v1' },
        { method: 'PUT', path: '/v3/{p}/volumes/{v1}/metadata/c', mv, body: { meta: { d: '4' } } },
        { method: 'PUT', path: '/v3/{p}/volumes/{v1}/metadata/c', mv, body: { meta: { c: '4', d: '5' } } },
        get('/v3/{p}/volumes/{v1}/metadata/c', mv), get('/v3/{p}/volumes/{v1}/metadata/zz', mv),
        { method: 'DELETE', path: '/v3/{p}/volumes/{v1}/metadata/c', mv, state: 'v1' },
        { method: 'DELETE', path: '/v3/{p}/volumes/{v1}/metadata/c', mv },
        { method: 'POST', path: '/v3/{p}/volumes/{v1}/metadata', mv, body: { metadata: { a: 1 } } },
        { method: 'POST', path: '/v3/{p}/volumes/{v1}/metadata', mv, body: { meta: { a: '1' } } },
        action('v1', { 'os-force_delete': {} }, mv),
      ],
    });
  }
  return out;
}

function types(): Scenario[] {
  const t = '/v3/{p}/types';
  return [{
    name: 'types',
    steps: [
      get(t), get(`${t}?is_public=all`), get(`${t}/__DEFAULT__`),
      { method: 'POST', path: t, body: { volume_type: { name: 'diff-type', description: 'd', extra_specs: { k: 'v' } } }, save: ['t1', 'volume_type.id'] },
      { method: 'POST', path: t, body: { volume_type: { name: 'diff-type' } } },
      { method: 'POST', path: t, body: { volume_type: {} } }, { method: 'POST', path: t, body: { volume_type: { name: '' } } },
      get(`${t}/{t1}`), get(`${t}/diff-type`), get(`${t}/${MISSING}`),
      { method: 'PUT', path: `${t}/{t1}`, body: { volume_type: { description: 'e' } } },
      get(`${t}/{t1}/extra_specs`), { method: 'POST', path: `${t}/{t1}/extra_specs`, body: { extra_specs: { a: 'b' } } },
      get(`${t}/{t1}/extra_specs/a`), get(`${t}/{t1}/extra_specs/zz`),
      { method: 'PUT', path: `${t}/{t1}/extra_specs/a`, body: { a: 'c' } }, { method: 'PUT', path: `${t}/{t1}/extra_specs/a`, body: { b: 'c' } },
      { method: 'DELETE', path: `${t}/{t1}/extra_specs/a` }, { method: 'DELETE', path: `${t}/{t1}/extra_specs/a` },
      { method: 'POST', path: t, body: { volume_type: { name: 'diff-private', 'os-volume-type-access:is_public': false } }, save: ['t2', 'volume_type.id'] },
      get(`${t}/{t2}/os-volume-type-access`), get(`${t}/{t1}/os-volume-type-access`),
      { method: 'POST', path: `${t}/{t2}/action`, body: { addProjectAccess: { project: '{p}' } } },
      { method: 'POST', path: `${t}/{t2}/action`, body: { addProjectAccess: { project: '{p}' } } },
      { method: 'POST', path: `${t}/{t2}/action`, body: { removeProjectAccess: { project: '{p}' } } },
      { method: 'POST', path: `${t}/{t2}/action`, body: { removeProjectAccess: { project: '{p}' } } },
      create('v1', { size: 1, volume_type: 'diff-type' }), get('/v3/{p}/volumes/{v1}', '3.63'),
      { method: 'DELETE', path: `${t}/{t1}` }, del('v1'), { method: 'DELETE', path: `${t}/{t1}` }, { method: 'DELETE', path: `${t}/{t2}` },
      { method: 'DELETE', path: `${t}/{t1}` },
    ],
  }];
}

/** Quota sets, quota classes and limits: show, usage, defaults, updates good and bad, an overLimit. */
function quotas(): Scenario[] {
  const q = '/v3/{p}/os-quota-sets/{p}';
  const put = (quota_set: unknown): Step => ({ method: 'PUT', path: q, body: { quota_set } });
  return [{
    name: 'quotas',
    steps: [
      get(q), get(`${q}?usage=True`), get(`${q}?usage=maybe`), get(`${q}/defaults`), get('/v3/{p}/os-quota-sets/defaults'),
      create('v1', { size: 2 }), get(`${q}?usage=True`), get('/v3/{p}/limits'),
      put({ volumes: 5, gigabytes: 3 }), put({ volumes: -2 }), put({ volumes: 'x' }), put({ bogus: 1 }), put({}), put({ gigabytes: 1 }),
      { method: 'PUT', path: q, body: { quota: { volumes: 1 } } },
      create('v2', { size: 2 }), create('v3', { size: 1 }), get(`${q}?usage=True`), get('/v3/{p}/limits'),
      action('v1', { 'os-extend': { new_size: 4 } }), put({ per_volume_gigabytes: 1 }), create('v4', { size: 2 }),
      put({ per_volume_gigabytes: -1, volumes: 1 }), create('v5', { size: 1 }),
      { method: 'DELETE', path: q }, get(q), get('/v3/{p}/os-quota-class-sets/default'),
      { method: 'PUT', path: '/v3/{p}/os-quota-class-sets/diffclass', body: { quota_class_set: { volumes: 7 } } },
      get('/v3/{p}/os-quota-class-sets/diffclass'),
      { method: 'PUT', path: '/v3/{p}/os-quota-class-sets/diffclass', body: { quota_class_set: { volumes: 'x' } } },
      del('v1'), get(`${q}?usage=True`),
    ],
  }];
}

/** os-services and os-hosts, read-only and bad input (an enable/disable would change later scenarios). */
function services(): Scenario[] {
  const s = '/v3/{p}/os-services';
  return [{
    name: 'services',
    steps: [
      get(`${s}?binary=cinder-volume`), get(`${s}?binary=cinder-volume`, '3.7'), get(`${s}?binary=cinder-volume`, '3.49'),
      get(`${s}?binary=nothing`), get(`${s}?host=nohost`),
      { method: 'PUT', path: `${s}/disable`, body: { binary: 'cinder-volume' } },
      { method: 'PUT', path: `${s}/enable`, body: { host: 'nohost@x', binary: 'cinder-volume' } },
      { method: 'PUT', path: `${s}/bogus`, body: { host: 'nohost@x', binary: 'cinder-volume' } },
      { method: 'PUT', path: `${s}/disable-log-reason`, body: { host: 'nohost@x', binary: 'cinder-volume' } },
      { method: 'PUT', path: `${s}/freeze`, body: { host: 'nohost@x' } },
      get('/v3/{p}/os-hosts/nohost'),
      // A backend's capabilities, by backend, by bare host, unknown; the collection is no route.
      get('/v3/{p}/capabilities/diffhost@fake'), get('/v3/{p}/capabilities/diffhost'), get('/v3/{p}/capabilities/nohost'),
      get('/v3/{p}/capabilities/diffhost@fake', '3.70'), get('/v3/{p}/capabilities'),
      // Clusters: none configured on either side; filters and bodies checked.
      get('/v3/{p}/clusters', '3.7'), get('/v3/{p}/clusters', '3.6'), get('/v3/{p}/clusters/detail', '3.70'), get('/v3/{p}/clusters?binary=cinder-volume&is_up=true', '3.7'),
      get('/v3/{p}/clusters?is_up=maybe', '3.7'), get('/v3/{p}/clusters?bogus=1', '3.7'), get('/v3/{p}/clusters?frozen=true', '3.7'), get('/v3/{p}/clusters?frozen=true', '3.26'),
      get("/v3/{p}/clusters/no'cluster", '3.7'), get('/v3/{p}/clusters/nocluster', '3.7'),
      { method: 'PUT', path: '/v3/{p}/clusters/enable', body: { name: 'nocluster' }, mv: '3.7' },
      { method: 'PUT', path: '/v3/{p}/clusters/disable', body: { name: 'nocluster', binary: null, disabled_reason: 'maintenance' }, mv: '3.7' },
      { method: 'PUT', path: '/v3/{p}/clusters/disable', body: { name: 'nocluster', disabled_reason: '  ' }, mv: '3.7' },
      { method: 'PUT', path: '/v3/{p}/clusters/enable', body: {}, mv: '3.7' }, { method: 'PUT', path: '/v3/{p}/clusters/enable', body: { name: 'x', y: 1 }, mv: '3.7' },
      { method: 'PUT', path: '/v3/{p}/clusters/bogus', body: { name: 'x' }, mv: '3.7' }, { method: 'POST', path: '/v3/{p}/clusters', body: {}, mv: '3.7' },
      // set-log and get-log (3.32): unknown before, the schema's and the level's errors; levels
      // changed only under a prefix no logger has (a get-log's logger names are each side's own).
      ...[
        ['get-log', {}, '3.31'], ['set-log', { level: 'TRACE' }], ['set-log', {}], ['set-log', { level: null, prefix: 'no.such.logger' }],
        ['set-log', { binary: 'nova-api', level: 'INFO' }], ['set-log', { level: 'INFO', x: 1 }], ['set-log', { level: 5 }],
        ['get-log', { level: 'INFO' }], ['get-log', { prefix: 5 }], ['get-log', { binary: '' , server: 7 }],
        ['set-log', { binary: 'cinder-api', prefix: 'no.such.logger', level: 'warning' }],
        ['set-log', { binary: 'cinder-volume', prefix: 'no.such.logger', level: 'DEBUG' }],
        ['get-log', { binary: 'cinder-api', prefix: 'no.such.logger' }], ['get-log', { binary: 'cinder-volume', prefix: 'no.such.logger' }],
        ['get-log', { server: 'nohost' }], ['get-log', { binary: 'cinder-backup' }],
      ].map(([action, body, mv]): Step => ({ method: 'PUT', path: `${s}/${action as string}`, body, mv: (mv as string | undefined) ?? '3.32' })),
      // workers/cleanup (3.24): the services that are down (none), those up of a binary, bodies checked.
      ...[
        [{}, '3.23'], [{}], [{ binary: 'cinder-volume', is_up: true }], [{ is_up: 'false', disabled: 'no', host: 'nohost' }],
        [{ resource_type: 'volume', host: 'nohost' }], [{ resource_type: 'backup' }], [{ resource_id: '0b6a5a5e-8a43-4c3b-a1f1-7a7d2a9f0e11' }],
        [{ resource_id: '0b6a5a5e-8a43-4c3b-a1f1-7a7d2a9f0e11', host: null, is_up: 'false' }], [{ service_id: '5', is_up: true }],
        [{ service_id: 'x' }], [{ binary: null }], [{ host: 'a b' }], [{ x: 1 }], [{ is_up: null }], [{ resource_type: 'x'.repeat(41) }],
      ].map(([body, mv]): Step => ({ method: 'POST', path: '/v3/{p}/workers/cleanup', body, mv: (mv as string | undefined) ?? '3.24' })),
    ],
  }];
}

/** Body errors where jsonschema's keyword or order decides the message (oneOf, anyOf, formats, several errors at once). */
function schemaMessages(): Scenario[] {
  const v = '/v3/{p}/volumes';
  const bad = (body: unknown, mv?: string): Step => ({ method: 'POST', path: v, body, mv });
  const put = (path: string, body: unknown): Step => ({ method: 'PUT', path, body });
  const s = '/v3/{p}/os-services';
  const t = '/v3/{p}/types';
  return [{
    name: 'schema-messages',
    steps: [
      create('v1'),
      bad({ volume: { size: 1, backup_id: 'nope' } }, '3.47'), bad({ volume: { size: 1, snapshot_id: 'abc' } }),
      bad({ volume: { size: 1, source_volid: 5 } }), bad({ volume: { size: '99999999999' } }), bad({ volume: { size: '0' } }),
      bad({ volume: { size: 1, metadata: { 'bad!': 'x' } } }), bad({ volume: { size: 1, metadata: { 'bad!': 'x', ok: 5 } } }),
      bad({ volume: { size: 1, multiattach: 'maybe' } }), bad({ volume: { size: 1, name: 5 }, extra: 1 }),
      action('v1', { 'os-detach': { attachment_id: 'xxx' } }), action('v1', { 'os-attach': { x: 1 } }),
      action('v1', { 'os-attach': { mountpoint: 1, x: 1 } }), action('v1', { 'os-attach': { mountpoint: '/dev/vdb' } }),
      action('v1', { 'os-terminate_connection': { connector: 5 } }), action('v1', { 'os-reset_status': { foo: 1 } }),
      action('v1', { 'os-reset_status': { status: null } }), action('v1', { 'os-extend': { new_size: '0' } }),
      action('v1', { 'os-set_bootable': { bootable: 'maybe' } }),
      put('/v3/{p}/volumes/{v1}/metadata/x', { meta: { c: '4', d: '5' } }), put('/v3/{p}/volumes/{v1}/metadata', { metadata: { 'a b!': 'x' } }),
      { method: 'POST', path: t, body: { volume_type: { foo: 1 } } }, { method: 'POST', path: t, body: { volume_type: { name: '  ' } } },
      { method: 'POST', path: t, body: { volume_type: { name: 5, foo: 1 } } },
      put(`${t}/${MISSING}/extra_specs/a`, { 'a b': 'x', c: 'd' }),
      put(`${s}/enable`, {}), put(`${s}/enable`, { binary: 'x', foo: 1 }),
      put(`${s}/disable-log-reason`, { binary: 'cinder-volume', host: 'nohost@x', disabled_reason: '   ' }),
      put(`${s}/enable`, { binary: 'cinder-volume', host: 'bad host!' }),
      put('/v3/{p}/os-quota-class-sets/diffclass', { quota_class_set: { volumes: '-1' } }),
      action('v1', { 'os-initialize_connection': { connector: 5 } }), action('v1', { 'os-force_detach': { connector: 5, attachment_id: 5 } }),
      action('v1', { 'os-migrate_volume_completion': { new_volume: 'x', error: 1 } }), action('v1', { 'os-reset_status': { status: '' } }),
      action('v1', { 'os-reset_status': { status: 'AVAILABLE', attach_status: null } }), get('/v3/{p}/volumes/{v1}'),
      { method: 'PUT', path: '/v3/{p}/attachments/' + MISSING, mv: '3.27', body: { attachment: { connector: {} } } },
      put(`${t}/${MISSING}`, { volume_type: { name: '' } }), put(`${s}/freeze`, { cluster: 5 }),
      bad({ volume: { size: 1, display_name: 'n'.repeat(256) } }), bad({ volume: { size: 1, display_description: 'd'.repeat(256) } }),
      bad({ volume: { size: 1, availability_zone: '' } }),
      create('v2', { size: 1, name: `  ${'n'.repeat(255)}  `, description: '' }), get('/v3/{p}/volumes/{v2}'), del('v2'),
      create('v3', { size: '2\n', volume_type: '' }), get('/v3/{p}/volumes/{v3}'), del('v3'),
      { method: 'POST', path: '/v3/{p}/attachments', mv: '3.27', body: { attachment: { volume_uuid: '{v1}', instance_uuid: null } } },
      del('v1'),
    ],
  }];
}

function other(): Scenario[] {
  return [{
    name: 'other',
    steps: [get('/v3/{p}/os-availability-zone'), get('/v3/{p}/limits'), get('/v3/{p}/os-quota-sets/{p}'), get('/v3/{p}/nothing-here'),
      ...VERSIONS.map((mv) => get('/v3/{p}/volumes', mv)),
      get('/v3/{p}/resource_filters', '3.33'), get('/v3/{p}/resource_filters', '3.32'), get('/v3/{p}/resource_filters?resource=message', '3.70'),
      get('/v3/{p}/resource_filters?resource=nope', '3.70'), { method: 'POST', path: '/v3/{p}/resource_filters', body: {}, mv: '3.33' }],
  }];
}

export function scenarios(): Scenario[] {
  return [...versions(), ...crud(), ...lists(), ...legacyAttach(), ...attachmentsApi(), ...actions(), ...types(), ...quotas(), ...services(), ...schemaMessages(), ...other(), ...extraScenarios(), ...retypeScenarios(), ...transferScenarios(), ...messageScenarios(),
    ...imageMetadataScenarios(), ...qosScenarios(), ...encryptionScenarios(), ...cloneScenarios(), ...snapshotScenarios(), ...manageScenarios(), ...groupScenarios()];
}
