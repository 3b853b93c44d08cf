// More request sequences for scripts/cinder-diff.sh (wired into scenarios() of scenarios.ts):
// list filters, sorting and pages at the microversions that change them, updates and metadata
// edge cases, action bodies, the attachments API's filters and repeats, types, quotas and the
// HTTP layer (methods, trailing slashes, bodies, headers, version documents).
import { createHash } from 'node:crypto';
import { CONNECTOR, SERVER, type Scenario, type Step } from './scenarios';

const MISSING = 'aaaaaaaa-bbbb-4ccc-8ddd-eeeeeeeeeeee';

const create = (label: string, volume: Record<string, unknown> = { size: 1 }, mv?: string): Step =>
  ({ method: 'POST', path: '/v3/{p}/volumes', body: { volume }, mv, save: [label, 'volume.id'], state: label });
const action = (label: string, body: unknown, mv?: string): Step =>
  ({ method: 'POST', path: `/v3/{p}/volumes/{${label}}/action`, body, mv, state: label });
const get = (path: string, mv?: string, headers?: Record<string, string>): Step => ({ method: 'GET', path, mv, headers });
const del = (label: string): Step => ({ method: 'DELETE', path: `/v3/{p}/volumes/{${label}}`, state: label });
const tick: Step = { method: 'GET', path: '', nextSecond: true };

function moreLists(): Scenario[] {
  const out: Scenario[] = [];
  const setup = [create('v1', { size: 1, name: 'alpha', description: 'first', metadata: { k: 'a', x: '1' } }), tick,
    create('v2', { size: 2, name: 'beta' }), tick, create('v3', { size: 3, name: 'gamma', metadata: { k: 'c' } }),
    action('v3', { 'os-set_bootable': { bootable: true } })];
  const queries = ['?name=', '?status=AVAILABLE', '?status=error', '?metadata={"k":"a"}', '?metadata={"k":"a","x":"1"}', '?metadata=garbage',
    '?metadata={}', '?bootable=false', '?bootable=0', '?bootable=maybe', '?availability_zone=nova', '?availability_zone=bogus', '?size=abc',
    '?size=2', '?created_at=lt:2000-01-01', '?created_at=gte:2000-01-01T00:00:00Z', '?created_at=gt:2000-01-01,lt:2100-01-01',
    '?updated_at=gt:2000-01-01', '?created_at=gt:notadate', '?created_at=2000-01-01', '?updated_at=lte:2100-01-01T00:00:00+02:00',
    '?sort=name:asc,size:desc', '?sort=created_at', '?sort=created_at:asc', '?sort=status:asc,name:desc', '?sort=display_name:asc',
    '?sort=size:asc,name:asc', '?sort_key=size&sort_dir=asc', '?sort_key=name', '?sort_dir=asc', '?sort=name:asc&sort_key=name',
    '?sort=name:ASC', '?sort=name:asc:x', '?sort=,', '?sort=', '?sort=bootable:asc,name:asc',
    '?limit=1&offset=1', '?limit=2', '?limit=3', '?limit=4', '?limit=1000000', '?limit=', '?offset=5', '?offset=', '?marker=',
    '?marker={v3}', '?marker={v3}&limit=1', '?marker={v1}', '?limit=2&sort=size:asc', '?marker={v2}&limit=1&sort=size:asc',
    '?with_count=false', '?with_count=true&limit=1', '?with_count=', '?with_count=1&name=alpha',
    '?name=alpha&status=available', '?name~=al', '?migration_status=none', `?group_id=${MISSING}`, '?project_id={p}',
    '?consumes_quota=true', '?consumes_quota=maybe', '?glance_metadata={"a":"b"}', '?display_description=first',
    '?description=first', '?id={v1}', '?limit=1&with_count=true&sort=name:asc'];
  for (const mv of ['3.0', '3.31', '3.34', '3.60', '3.65']) {
    const steps: Step[] = [...setup];
    for (const q of queries) {
      steps.push(get(`/v3/{p}/volumes${q}`, mv));
      steps.push(get(`/v3/{p}/volumes/detail${q}`, mv));
    }
    out.push({ name: `more-lists@${mv}`, steps });
  }
  const s = '/v3/{p}/volumes/summary';
  out.push({
    name: 'summary',
    steps: [get(s, '3.12'), create('v1', { size: 2, metadata: { a: '1', b: '2' } }), create('v2', { size: 3, metadata: { a: '3' } }),
      get(s, '3.12'), get(s, '3.35'), get(s, '3.36'), get(s, '3.70'), get(`${s}?name=x`, '3.12'),
      get(`${s}?bogus=1`, '3.36'), { method: 'POST', path: s, mv: '3.12', body: {} }, get('/v3/{p}/volumes/summary/', '3.12')],
  });
  return out;
}

function updates(): Scenario[] {
  const p = '/v3/{p}/volumes/{v1}';
  const put = (body: unknown, mv?: string): Step => ({ method: 'PUT', path: p, body, mv, state: 'v1' });
  return [{
    name: 'updates',
    steps: [
      create('v1', { size: 1, name: 'n', description: 'd', metadata: { a: '1' } }),
      put({ volume: { description: 'only' } }), put({ volume: { name: null } }), put({ volume: { description: null } }),
      put({ volume: { metadata: 'x' } }), put({ volume: { metadata: { a: 1 } } }), put({ volume: { metadata: {} } }),
      put({ volume: { metadata: null } }), put({ volume: { display_description: 'dd' } }),
      put({ volume: { name: 'a', display_name: 'b' } }), put({ volume: { description: 'a', display_description: 'b' } }),
      put({ volume: null }), put({ volume: 'x' }), put({}), put({ volume: { name: 'ok' }, extra: 1 }),
      put({ volume: { name: `  ${'s'.repeat(255)}  ` } }), put({ volume: { name: '' } }), put({ volume: { name: '   ' } }),
      put({ volume: { name: 5 } }), put({ volume: { bogus: 1 } }), put({ volume: { size: 5 } }), put({ volume: { bogus: 1 } }, '3.52'),
      put({ volume: { name: 'x' } }, '3.70'), put({ volume: { metadata: { ['k'.repeat(256)]: 'v' } } }),
      put({ volume: { metadata: { k: 'v'.repeat(256) } } }), put({ volume: { metadata: { '': 'v' } } }),
      put([1]), { method: 'PUT', path: p, raw: '{"volume": ', headers: { 'Content-Type': 'application/json' } },
      { method: 'PUT', path: p, raw: '', headers: { 'Content-Type': 'application/json' } },
      action('v1', { 'os-reset_status': { status: 'error' } }), put({ volume: { name: 'in-error' } }),
      action('v1', { 'os-reset_status': { status: 'in-use' } }), put({ volume: { name: 'in-use' } }),
      action('v1', { 'os-reset_status': { status: 'available' } }),
      del('v1'), put({ volume: { name: 'gone' } }),
    ],
  }];
}

function metadata(): Scenario[] {
  const m = '/v3/{p}/volumes/{v1}/metadata';
  const post = (body: unknown, path = m): Step => ({ method: 'POST', path, body, state: 'v1' });
  const put = (body: unknown, path = m): Step => ({ method: 'PUT', path, body, state: 'v1' });
  return [{
    name: 'metadata-edges',
    steps: [
      create('v1', { size: 1, metadata: { a: '1' } }),
      post({ metadata: { '': 'x' } }), post({ metadata: { ['k'.repeat(255)]: 'v' } }), post({ metadata: { ['k'.repeat(256)]: 'v' } }),
      post({ metadata: { k: 'v'.repeat(255) } }), post({ metadata: { k: 'v'.repeat(256) } }), post({ metadata: { k: null } }),
      post({ metadata: { k: ['x'] } }), post({ metadata: { k: true } }), post({ metadata: { k: { a: 'b' } } }), post({ metadata: [] }),
      post({ metadata: null }), post({}), post({ metadata: {} }), post({ metadata: { a: '2' } }), post({ metadata: { a: '3' }, extra: 1 }),
      post({ metadata: { 'a.b': 'x', 'c:d': 'y', 'e-f_g': 'z' } }), post({ metadata: { 'a b': 'x' } }), post({ metadata: { 'é': 'x' } }),
      put({ metadata: {} }), get(m), put({ metadata: { z: 'v' } }),
      put({ meta: {} }, `${m}/z`), put({ meta: { z: null } }, `${m}/z`), put({ meta: { z: 5 } }, `${m}/z`),
      put({ meta: { z: 'w' }, extra: 1 }, `${m}/z`), put({ metadata: { z: 'w' } }, `${m}/z`), put({ meta: { n: 'new' } }, `${m}/n`),
      put({ meta: { ['k'.repeat(256)]: 'v' } }, `${m}/${'k'.repeat(256)}`), put({ meta: { z: 'v'.repeat(256) } }, `${m}/z`),
      get(`${m}/n`), get(`${m}/`), { method: 'DELETE', path: `${m}/nope` }, { method: 'DELETE', path: m },
      get(`/v3/{p}/volumes/${MISSING}/metadata`), get(`/v3/{p}/volumes/${MISSING}/metadata/a`),
      { method: 'DELETE', path: `/v3/{p}/volumes/${MISSING}/metadata/a` },
      post({ metadata: { a: '1' } }, `/v3/{p}/volumes/${MISSING}/metadata`), put({ metadata: { a: '1' } }, `/v3/{p}/volumes/${MISSING}/metadata`),
      post({ metadata: { a: 1 } }, `/v3/{p}/volumes/${MISSING}/metadata`),
      get(m, '3.70'), get(`${m}/n`, '3.70'),
      action('v1', { 'os-reset_status': { status: 'error' } }), post({ metadata: { e: '1' } }),
      action('v1', { 'os-reset_status': { status: 'maintenance' } }), post({ metadata: { e: '2' } }), put({ metadata: { e: '3' } }),
      { method: 'DELETE', path: `${m}/n`, state: 'v1' },
      action('v1', { 'os-reset_status': { status: 'available' } }), del('v1'),
    ],
  }];
}

function moreActions(): Scenario[] {
  const out: Scenario[] = [];
  for (const mv of ['3.0', '3.70']) {
    out.push({
      name: `more-actions@${mv}`,
      steps: [
        create('v1', { size: 2 }),
        action('v1', { 'os-extend': { new_size: 2 } }, mv), action('v1', { 'os-extend': { new_size: 2.5 } }, mv),
        action('v1', { 'os-extend': { new_size: '3' } }, mv), action('v1', { 'os-extend': { new_size: true } }, mv),
        action('v1', { 'os-extend': { new_size: -3 } }, mv), action('v1', { 'os-extend': null }, mv), action('v1', { 'os-extend': 5 }, mv),
        action('v1', { 'os-extend': { new_size: 4, extra: 1 } }, mv), action('v1', { 'os-extend': { new_size: ' 5 ' } }, mv),
        action('v1', { 'os-set_bootable': { bootable: 'true' } }, mv), action('v1', { 'os-set_bootable': { bootable: 1 } }, mv),
        action('v1', { 'os-set_bootable': { bootable: '1' } }, mv), action('v1', { 'os-set_bootable': { bootable: null } }, mv),
        action('v1', { 'os-set_bootable': { bootable: 'yes', x: 1 } }, mv), action('v1', { 'os-set_bootable': null }, mv),
        action('v1', { 'os-update_readonly_flag': { readonly: 'true' } }, mv), action('v1', { 'os-update_readonly_flag': { readonly: 1 } }, mv),
        action('v1', { 'os-update_readonly_flag': { readonly: null } }, mv), action('v1', { 'os-update_readonly_flag': {} }, mv),
        action('v1', { 'os-update_readonly_flag': null }, mv), action('v1', { 'os-update_readonly_flag': { readonly: 'off' } }, mv),
        action('v1', { 'os-reset_status': { attach_status: 'attached' } }, mv), action('v1', { 'os-reset_status': { attach_status: 'detached' } }, mv),
        action('v1', { 'os-reset_status': { migration_status: 'migrating' } }, mv), action('v1', { 'os-reset_status': { migration_status: 'none' } }, mv),
        action('v1', { 'os-reset_status': { status: ' available ' } }, mv), action('v1', { 'os-reset_status': null }, mv),
        action('v1', { 'os-reset_status': { status: 'creating' } }, mv), action('v1', { 'os-reset_status': { status: 'available' } }, mv),
        action('v1', { 'os-reset_status': { status: 'error_extending' } }, mv), action('v1', { 'os-extend': { new_size: 6 } }, mv),
        action('v1', { 'os-reset_status': { status: 'available' } }, mv),
        action('v1', { 'os-force_delete': null }, mv),
        { method: 'POST', path: `/v3/{p}/volumes/${MISSING}/action`, mv, body: { 'os-force_delete': {} } },
        { method: 'POST', path: `/v3/{p}/volumes/${MISSING}/action`, mv, body: { 'os-reset_status': { status: 'available' } } },
        { method: 'POST', path: `/v3/{p}/volumes/${MISSING}/action`, mv, body: { 'os-bogus': {} } },
        { method: 'POST', path: `/v3/{p}/volumes/${MISSING}/action`, mv, body: { 'os-extend': { new_size: 'x' } } },
      ],
    });
  }
  return out;
}

function moreAttachments(): Scenario[] {
  const out: Scenario[] = [];
  const a = '/v3/{p}/attachments';
  for (const mv of ['3.27', '3.44', '3.54']) {
    out.push({
      name: `more-attachments@${mv}`,
      steps: [
        create('v1'), create('v2'),
        { method: 'POST', path: a, mv, body: { attachment: { volume_uuid: '{v1}', instance_uuid: SERVER } }, save: ['a1', 'attachment.id'], state: 'v1' },
        tick,
        { method: 'POST', path: a, mv, body: { attachment: { volume_uuid: '{v2}', instance_uuid: SERVER, connector: CONNECTOR } }, save: ['a2', 'attachment.id'], state: 'v2' },
        get(`${a}?volume_id={v1}`, mv), get(`${a}?instance_id=${SERVER}`, mv), get(`${a}?instance_id=${MISSING}`, mv),
        get(`${a}?status=reserved`, mv), get(`${a}?attach_status=attached`, mv), get(`${a}/detail?volume_id={v2}`, mv),
        get(`${a}?bogus=1`, mv), get(`${a}?limit=1`, mv), get(`${a}?sort=created_at:asc`, mv), get(`${a}?limit=1&offset=1`, mv),
        get(`${a}?marker={a1}`, mv), get(`${a}?marker={a2}`, mv), get(`${a}?volume_id={v2}&marker={a1}&sort=created_at:asc`, mv),
        get(`${a}/detail?limit=1&sort=created_at:asc`, mv),
        get(`${a}?sort=created_at:up`, mv), get(`${a}?limit=x`, mv), get(`${a}?volume_id={v1}&attach_status=reserved`, mv), get(`${a}?marker=${MISSING}`, mv),
        get(`${a}?all_tenants=1&volume_id={v1}`, mv), get(`${a}/`, mv), get(`${a}/detail/`, mv),
        { method: 'POST', path: `${a}/{a2}/action`, mv, body: { 'os-complete': null }, state: 'v2' },
        { method: 'POST', path: `${a}/{a2}/action`, mv, body: { 'os-complete': null }, state: 'v2' },
        { method: 'POST', path: `${a}/{a2}/action`, mv, body: { 'os-complete': {} }, state: 'v2' },
        { method: 'POST', path: `${a}/{a2}/action`, mv, body: { 'os-bogus': null } },
        { method: 'POST', path: `${a}/{a2}/action`, mv, body: {} },
        { method: 'POST', path: `${a}/${MISSING}/action`, mv, body: { 'os-complete': null } },
        { method: 'POST', path: a, mv, body: { attachment: { volume_uuid: '{v2}', instance_uuid: SERVER } }, state: 'v2' },
        { method: 'POST', path: a, mv, body: { attachment: { volume_uuid: '{v1}', instance_uuid: MISSING } }, state: 'v1' },
        { method: 'POST', path: a, mv, body: { attachment: { volume_uuid: '{v1}' } }, state: 'v1' },
        { method: 'POST', path: a, mv, body: { attachment: null } }, { method: 'POST', path: a, mv, body: {} },
        { method: 'POST', path: a, mv, body: { attachment: { volume_uuid: '{v1}', instance_uuid: 'not-a-uuid' } } },
        { method: 'POST', path: a, mv, body: { attachment: { volume_uuid: '{v1}', instance_uuid: SERVER, connector: 'x' } } },
        { method: 'POST', path: a, mv, body: { attachment: { volume_uuid: '{v1}', instance_uuid: SERVER, mode: 'ro' } } },
        { method: 'PUT', path: `${a}/${MISSING}`, mv, body: { attachment: { connector: CONNECTOR } } },
        { method: 'PUT', path: `${a}/{a1}`, mv, body: { attachment: { connector: CONNECTOR, extra: 1 } } },
        { method: 'PUT', path: `${a}/{a1}`, mv, body: { attachment: null } }, { method: 'PUT', path: `${a}/{a1}`, mv, body: {} },
        { method: 'PUT', path: `${a}/{a1}`, mv, body: { attachment: { connector: 'x' } } },
        del('v1'), action('v1', { 'os-extend': { new_size: 2 } }, mv), action('v1', { 'os-reset_status': { status: 'available' } }, mv),
        { method: 'DELETE', path: `${a}/${MISSING}`, mv },
      ],
    });
  }
  return out;
}

function moreTypes(): Scenario[] {
  const t = '/v3/{p}/types';
  const post = (volume_type: unknown): Step => ({ method: 'POST', path: t, body: { volume_type } });
  return [{
    name: 'more-types',
    steps: [
      get(`${t}?is_public=true`), get(`${t}?is_public=false`), get(`${t}?is_public=garbage`), get(`${t}?sort=name:asc`),
      get(`${t}?limit=1`), get(`${t}?bogus=1`), get(`${t}/`), get(`${t}/default`), get(`${t}/default`, '3.62'),
      post({ name: 'xt-1', description: 'd'.repeat(256) }), post({ name: 'n'.repeat(256) }), post({ name: 'xt-1', is_public: 'false' }),
      post({ name: 'xt-1', 'os-volume-type-access:is_public': 'maybe' }), post({ name: 'xt-1', extra_specs: { k: 5 } }),
      post({ name: 'xt-1', extra_specs: { '': 'v' } }), post({ name: 'xt-1', extra_specs: 'x' }), post({ name: 'xt-1', bogus: 1 }),
      post(null), { method: 'POST', path: t, body: {} },
      { method: 'POST', path: t, body: { volume_type: { name: 'xt-1', description: null, extra_specs: { a: 'b', 'multiattach': '<is> False' } } }, save: ['t1', 'volume_type.id'] },
      tick,
      { method: 'POST', path: t, body: { volume_type: { name: 'xt-2', 'os-volume-type-access:is_public': 'False' } }, save: ['t2', 'volume_type.id'] },
      get(`${t}/xt-2`), get(`${t}?is_public=false`), get(`${t}?is_public=None`),
      // Pages: a marker no one can see is none; limit and offset as api/common.py checks them.
      get(`${t}?is_public=None&limit=1&marker={t2}`), get(`${t}?marker=aaaaaaaa-bbbb-4ccc-8ddd-eeeeeeeeeeee`), get(`${t}?offset=x`),
      get(`${t}?offset=-1`), get(`${t}?limit=-1`), get(`${t}?is_public=None&offset=1&sort=name:asc`),
      { method: 'PUT', path: `${t}/{t1}`, body: { volume_type: { name: 'xt-2' } } },
      { method: 'PUT', path: `${t}/{t1}`, body: { volume_type: { is_public: false } } },
      { method: 'PUT', path: `${t}/{t1}`, body: { volume_type: { is_public: 'x' } } },
      { method: 'PUT', path: `${t}/{t1}`, body: { volume_type: {} } },
      { method: 'PUT', path: `${t}/{t1}`, body: { volume_type: { description: null } } },
      { method: 'PUT', path: `${t}/{t1}`, body: { volume_type: { name: 'xt-1b', description: 'nd' } } },
      { method: 'PUT', path: `${t}/{t1}`, body: { volume_type: { bogus: 1 } } },
      { method: 'POST', path: `${t}/{t1}/extra_specs`, body: { extra_specs: { n: { a: 1 } } } },
      { method: 'POST', path: `${t}/{t1}/extra_specs`, body: { extra_specs: { n: 5 } } },
      { method: 'POST', path: `${t}/{t1}/extra_specs`, body: { extra_specs: {} } },
      { method: 'POST', path: `${t}/{t1}/extra_specs`, body: {} },
      { method: 'POST', path: `${t}/{t1}/extra_specs`, body: { extra_specs: { ['k'.repeat(256)]: 'v' } } },
      { method: 'POST', path: `${t}/${MISSING}/extra_specs`, body: { extra_specs: { a: 'b' } } },
      get(`${t}/${MISSING}/extra_specs`), get(`${t}/{t1}/extra_specs`),
      { method: 'PUT', path: `${t}/{t1}/extra_specs/a`, body: { a: 5 } }, { method: 'PUT', path: `${t}/{t1}/extra_specs/a`, body: {} },
      { method: 'DELETE', path: `${t}/${MISSING}/extra_specs/a` },
      { method: 'POST', path: `${t}/{t1}/action`, body: { addProjectAccess: { project: '{p}' } } },
      { method: 'POST', path: `${t}/{t2}/action`, body: { addProjectAccess: {} } },
      { method: 'POST', path: `${t}/{t2}/action`, body: { bogus: {} } },
      { method: 'POST', path: `${t}/${MISSING}/action`, body: { addProjectAccess: { project: '{p}' } } },
      get(`${t}/${MISSING}/os-volume-type-access`),
      { method: 'DELETE', path: `${t}/{t1}` }, { method: 'DELETE', path: `${t}/{t2}` }, { method: 'DELETE', path: `${t}/${MISSING}` },
      { method: 'DELETE', path: `${t}/__DEFAULT__` },
    ],
  }];
}

function moreQuotas(): Scenario[] {
  const q = '/v3/{p}/os-quota-sets/{p}';
  const put = (quota_set: unknown): Step => ({ method: 'PUT', path: q, body: { quota_set } });
  return [{
    name: 'more-quotas',
    steps: [
      get(`${q}?usage=true`), get(`${q}?usage=1`), get(`${q}?usage=false`), get(`${q}?usage=`), get(`${q}?usage=True&usage=False`),
      get(`${q}?bogus=1`), get('/v3/{p}/os-quota-sets/0123456789abcdef0123456789abcdef'), get('/v3/{p}/os-quota-sets/not-hex'),
      get(`${q}/bogus`),
      put({ volumes: '5' }), put({ volumes: 1.5 }), put({ volumes: true }), put({ volumes: -1 }), put({ volumes: 2147483648 }),
      put({ volumes: '  7 ' }), put({ volumes___DEFAULT__: 3 }), put({ gigabytes___DEFAULT__: 3 }), put({ volumes_nope: 3 }),
      put({ backups: 3, snapshots: 4, backup_gigabytes: 5, groups: 6 }), put({ volumes: null }), put(null), put('x'),
      { method: 'PUT', path: q, body: { quota_set: { volumes: 5 }, extra: 1 } },
      { method: 'PUT', path: '/v3/{p}/os-quota-sets/0123456789abcdef0123456789abcdef', body: { quota_set: { volumes: 5 } } },
      { method: 'DELETE', path: '/v3/{p}/os-quota-sets/0123456789abcdef0123456789abcdef' },
      get(q), { method: 'DELETE', path: q }, { method: 'DELETE', path: q }, get(q),
      { method: 'PUT', path: '/v3/{p}/os-quota-class-sets/xdiffclass', body: { quota_class_set: { volumes: 7, bogus: 1 } } },
      { method: 'PUT', path: '/v3/{p}/os-quota-class-sets/xdiffclass', body: { quota_class_set: { volumes: -5 } } },
      { method: 'PUT', path: '/v3/{p}/os-quota-class-sets/xdiffclass', body: { quota_class_set: {} } },
      { method: 'PUT', path: '/v3/{p}/os-quota-class-sets/xdiffclass', body: {} },
      get('/v3/{p}/os-quota-class-sets/never-set'), get('/v3/{p}/limits?bogus=1'), get('/v3/{p}/limits', '3.39'),
      get('/v3/{p}/limits?project_id=0123456789abcdef0123456789abcdef', '3.39'),
    ],
  }];
}

function http(): Scenario[] {
  const v = '/v3/{p}/volumes';
  const m = (method: Step['method'], path: string, extra: Partial<Step> = {}): Step => ({ method, path, ...extra });
  return [{
    name: 'http',
    steps: [
      create('v1'),
      m('HEAD', '/'), m('HEAD', v), m('PATCH', '/v3/{p}/volumes/{v1}', { body: { volume: { name: 'x' } } }),
      m('DELETE', v), m('PUT', v, { body: {} }), m('POST', '/v3/{p}/volumes/{v1}', { body: {} }), m('POST', `${v}/detail`, { body: {} }),
      get(`${v}/detail/`), get('/v3/{p}/volumes/{v1}/'), get('/v3/{p}/types/'), get('/v3/{p}/os-quota-sets/{p}/'), get('/v3/{p}/limits/'),
      get('/v3/{p}/os-availability-zone/'), get('/v3/{p}//volumes'), get('/v3/{p}/volumes/detail/extra'),
      m('POST', v, { raw: '', headers: { 'Content-Type': 'application/json' } }),
      m('POST', v, { raw: 'null', headers: { 'Content-Type': 'application/json' } }),
      m('POST', v, { raw: '{"volume": {"size": 1}}', headers: { 'Content-Type': 'application/json; charset=utf-8' } }),
      m('POST', v, { raw: '{"volume": {"size": 1}}', headers: { 'Content-Type': 'application/vnd.openstack.volume+json' } }),
      m('POST', v, { raw: '{"volume": {"size": 1}}', headers: { 'Content-Type': 'APPLICATION/JSON' } }),
      m('POST', v, { raw: '{"volume": {"size": 1}}', headers: { 'Content-Type': '' } }),
      m('POST', v, { raw: '{"volume": {"size": 0}}', headers: { 'Content-Type': 'application/json ; charset=utf-8' } }),
      m('POST', v, { raw: '{"volume": {"size": 0}}', headers: { 'Content-Type': 'application/json;charset=utf-8' } }),
      m('POST', v, { raw: '{"volume": {"size": 1, "size": 0}}', headers: { 'Content-Type': 'application/json' } }),
      m('POST', v, { raw: '\ufeff{"volume": {"size": 0}}', headers: { 'Content-Type': 'application/json' } }),
      m('POST', v, { raw: '{"volume": {"size": 0}} trailing', headers: { 'Content-Type': 'application/json' } }),
      m('POST', v, { body: { volume: { size: 1, name: 'h'.repeat(200000) } } }),
      m('POST', v, { body: { volume: { size: 1, metadata: Object.fromEntries(Array.from({ length: 300 }, (_, i) => [`k${i}`, 'v'])) } } }),
      get(`/v3/{p}/volumes/{v1}`, undefined, { Accept: 'application/xml' }),
      get(`/v3/{p}/volumes/${MISSING}`, undefined, { Accept: 'application/xml' }),
      get(`/v3/{p}/volumes/${MISSING}`, '3.70'), get('/v3/0123/volumes'), get('/v3/{p}/volumes/{v1}', undefined, { 'X-OpenStack-Request-Id': 'req-11111111-2222-4333-8444-555555555555' }),
      get('/v3'), get('/v3/', undefined, { Accept: 'text/html' }),
      get('/v3/{p}'), get('/v3/{p}/'), get('/healthcheck'), get('/', '3.70'), get('/', '4.0'),
      del('v1'),
    ],
  }];
}

/** Creates with every optional key, the create answer at the microversions that add keys, deletes in each state. */
function lifecycle(): Scenario[] {
  const v = '/v3/{p}/volumes';
  const out: Scenario[] = [];
  for (const mv of ['3.0', '3.13', '3.47', '3.48', '3.61', '3.63', '3.65', '3.69', '3.70']) {
    out.push({
      name: `lifecycle@${mv}`,
      steps: [
        create('v1', { size: 1, name: null, description: null, metadata: null, availability_zone: null, volume_type: null, snapshot_id: null,
          source_volid: null, consistencygroup_id: null, multiattach: false }, mv),
        tick, create('v2', { size: '2', display_name: 'dn', display_description: 'dd', volume_type: '__DEFAULT__' }, mv),
        tick, { method: 'POST', path: v, mv, body: { volume: { size: 1, name: 'hinted' }, 'OS-SCH-HNT:scheduler_hints': { same_host: [MISSING] } }, save: ['v3', 'volume.id'], state: 'v3' },
        { method: 'POST', path: v, mv, body: { volume: { size: 1 }, 'OS-SCH-HNT:scheduler_hints': 'x' } },
        { method: 'POST', path: v, mv, body: { volume: { size: 1, group_id: MISSING } } },
        tick, { method: 'POST', path: v, mv, body: { volume: { size: 1, backup_id: null } } , save: ['v4', 'volume.id'], state: 'v4' },
        get('/v3/{p}/volumes/{v1}', mv), get('/v3/{p}/volumes/{v2}', mv), get('/v3/{p}/volumes/detail', mv), get('/v3/{p}/volumes', mv),
        { method: 'PUT', path: '/v3/{p}/volumes/{v2}', mv, body: { volume: { name: 'u' } } },
        action('v1', { 'os-reset_status': { status: 'error' } }, mv), { method: 'DELETE', path: '/v3/{p}/volumes/{v1}?cascade=true', mv, state: 'v1' },
        action('v2', { 'os-reset_status': { status: 'in-use' } }, mv), del('v2'), { method: 'DELETE', path: '/v3/{p}/volumes/{v2}?force=true', mv, state: 'v2' },
        action('v2', { 'os-reset_status': { status: 'error_deleting' } }, mv), del('v2'),
        action('v3', { 'os-reset_status': { status: 'maintenance' } }, mv), del('v3'), action('v3', { 'os-reset_status': { status: 'available' } }, mv),
        del('v3'), del('v4'), { method: 'DELETE', path: '/v3/{p}/volumes/{v4}?cascade=maybe', mv },
      ],
    });
  }
  return out;
}

/** The legacy attach with host_name, a readonly volume, extends of an in-use volume, force-detach. */
function moreAttach(): Scenario[] {
  const out: Scenario[] = [];
  for (const mv of ['3.0', '3.42', '3.54']) {
    out.push({
      name: `more-attach@${mv}`,
      steps: [
        create('v1'), create('v2'),
        action('v1', { 'os-reserve': null }, mv),
        action('v1', { 'os-attach': { host_name: 'diffcompute', mountpoint: '/dev/vdc' } }, mv),
        get('/v3/{p}/volumes/{v1}', mv),
        action('v1', { 'os-extend': { new_size: 2 } }, mv),
        action('v1', { 'os-reset_status': { status: 'available' } }, mv),
        action('v1', { 'os-force_detach': {} }, mv),
        action('v1', { 'os-force_detach': { attachment_id: MISSING } }, mv),
        get('/v3/{p}/volumes/{v1}', mv),
        action('v2', { 'os-update_readonly_flag': { readonly: true } }, mv),
        action('v2', { 'os-reserve': null }, mv),
        action('v2', { 'os-attach': { instance_uuid: SERVER, mountpoint: '/dev/vdb', mode: 'rw' } }, mv),
        action('v2', { 'os-attach': { instance_uuid: SERVER, mountpoint: '/dev/vdb', mode: 'ro' } }, mv),
        get('/v3/{p}/volumes/{v2}', mv), get('/v3/{p}/volumes/{v2}/metadata', mv),
        action('v2', { 'os-update_readonly_flag': { readonly: false } }, mv),
        action('v2', { 'os-set_bootable': { bootable: true } }, mv),
        action('v2', { 'os-detach': { attachment_id: MISSING } }, mv),
        action('v2', { 'os-force_detach': { connector: CONNECTOR } }, mv),
        get('/v3/{p}/volumes/{v2}', mv),
        action('v1', { 'os-reset_status': { status: 'available', attach_status: 'detached' } }, mv), del('v1'),
        action('v2', { 'os-reset_status': { status: 'available', attach_status: 'detached' } }, mv), del('v2'),
      ],
    });
  }
  return out;
}

/** Version negotiation on other resources, services queries, zones, limits. */
function misc(): Scenario[] {
  const s = '/v3/{p}/os-services';
  return [{
    name: 'misc',
    steps: [
      get('/v3/{p}/types', '3.99'), get('/v3/{p}/attachments', 'volume 3.0'), get('/v3/{p}/os-quota-sets/{p}', '3.70'),
      get('/v3/{p}/os-availability-zone', '3.70'), get('/v3/{p}/limits', '3.70'), get('/v3/{p}/types', 'volume latest'),
      get(`${s}?binary=cinder-volume&host=diffhost@fake`), get(`${s}?binary=cinder-volume&host=diffhost`), get(`${s}?binary=cinder-volume`, '3.32'),
      { method: 'PUT', path: `${s}/get-log`, mv: '3.31', body: {} },
      get('/v3/{p}/volumes', undefined, { Accept: 'application/json;q=0.5, text/html' }),
      get('/v3/{p}/volumes', undefined, { Accept: 'text/html' }), get('/v3/{p}/volumes', undefined, { Accept: '*/*' }),
      get('/v3/{p}/volumes?limit=1&limit=2'), get('/v3/{p}/volumes?sort=size&sort=name'),
    ],
  }];
}

/** What MySQL's case-insensitive collation decides: sorts and filters by name, metadata keys that differ in case. */
function caseAndCollation(): Scenario[] {
  const m = '/v3/{p}/volumes/{v1}/metadata';
  const steps: Step[] = [
    create('v1', { size: 1, name: 'Beta', metadata: { Key: '1' } }), tick, create('v2', { size: 2, name: 'alpha' }), tick,
    create('v3', { size: 3, name: 'Gamma' }), tick, create('v4', { size: 1 }), tick, create('v5', { size: 2, name: 'élan' }),
  ];
  for (const q of ['?sort=name:asc', '?sort=name:desc', '?sort=name', '?name=ALPHA', '?name=beta', '?sort=size:asc,name:asc',
    '?sort=size:desc,name:desc', '?limit=2&sort=name:asc', '?metadata={"key":"1"}', '?metadata={"Key":"1"}', '?status=Available',
    '?sort=status:asc,name:asc', '?sort=display_name:asc&limit=1&offset=1', '?name~=A', '?sort=availability_zone:asc,size:asc']) {
    steps.push(get(`/v3/{p}/volumes${q}`, '3.34'), get(`/v3/{p}/volumes/detail${q}`, '3.34'));
  }
  steps.push(
    { method: 'POST', path: m, body: { metadata: { key: '2' } }, state: 'v1' }, get(m),
    { method: 'PUT', path: `${m}/KEY`, body: { meta: { KEY: '3' } }, state: 'v1' }, get(m), get(`${m}/key`),
    { method: 'DELETE', path: `${m}/kEy`, state: 'v1' }, get(m),
    { method: 'POST', path: m, body: { metadata: { a: '1', A: '2' } }, state: 'v1' }, get(m),
    { method: 'PUT', path: m, body: { metadata: { b: '1', B: '2' } }, state: 'v1' }, get(m),
  );
  return [{ name: 'case', steps }];
}

/** 3.15 ETags of volume metadata: the header on the list, If-Match on the updates (412 when stale). */
function etags(): Scenario[] {
  const m = '/v3/{p}/volumes/{v1}/metadata';
  const tag = (meta: Record<string, string>): string => createHash('md5').update(JSON.stringify({ metadata: meta }).replace(/":"/g, '": "').replace(/","/g, '", "')).digest('hex');
  const put = (path: string, body: unknown, ifMatch: string, mv = '3.26'): Step => ({ method: 'PUT', path, body, mv, headers: { 'If-Match': ifMatch }, state: 'v1' });
  return [{
    name: 'etags',
    steps: [
      create('v1', { size: 1, metadata: { a: '1' } }), get(m, '3.14'), get(m, '3.15'), get(m, '3.70'), get(`${m}/a`, '3.26'),
      put(`${m}/a`, { meta: { a: '2' } }, '"nope"'), put(m, { metadata: { b: '1' } }, 'nope'), put(m, { metadata: { b: '1' } }, 'nope', '3.14'),
      put(`${m}/a`, { meta: { a: '3' } }, `"${tag({ b: '1' })}"`), put(m, { metadata: { c: '1' } }, `W/"${tag({ b: '1', a: '3' })}", "x"`),
      put(m, { metadata: 5 }, 'nope'), put(`/v3/{p}/volumes/${MISSING}/metadata`, { metadata: { c: '1' } }, 'nope'),
      { method: 'POST', path: m, mv: '3.26', body: { metadata: { d: '1' } }, headers: { 'If-Match': 'nope' }, state: 'v1' },
      get(m, '3.26'), del('v1'),
    ],
  }];
}

/** Lengths counted in code points (Python) with characters outside the BMP; odd version headers. */
function unicode(): Scenario[] {
  const e = '\u{1F600}';
  const b = '\u00e9';
  const m = '/v3/{p}/volumes/{v1}/metadata';
  return [{
    name: 'unicode',
    steps: [
      create('v1', { size: 1, name: b.repeat(255), description: b.repeat(255) }), get('/v3/{p}/volumes/{v1}'),
      { method: 'POST', path: '/v3/{p}/volumes', body: { volume: { size: 1, name: e.repeat(256) } } },
      { method: 'POST', path: '/v3/{p}/volumes', body: { volume: { size: 1, description: e.repeat(256) } } },
      { method: 'PUT', path: '/v3/{p}/volumes/{v1}', body: { volume: { name: `${e.repeat(255)}x` } } },
      { method: 'POST', path: m, body: { metadata: { [b.repeat(255)]: b.repeat(255) } }, state: 'v1' },
      { method: 'POST', path: m, body: { metadata: { [e.repeat(256)]: 'v' } } },
      { method: 'POST', path: m, body: { metadata: { k: e.repeat(256) } } },
      { method: 'POST', path: '/v3/{p}/types', body: { volume_type: { name: `xt-${b}`, description: b.repeat(255) } }, save: ['t1', 'volume_type.id'] },
      { method: 'POST', path: '/v3/{p}/types', body: { volume_type: { name: e.repeat(256) } } },
      { method: 'DELETE', path: '/v3/{p}/types/{t1}' },
      get(`/v3/{p}/volumes?name=${encodeURIComponent(b.repeat(255))}`),
      get('/v3/{p}/volumes', 'VOLUME 3.5'), get('/v3/{p}/volumes', 'Volume 3.5'), get('/v3/{p}/volumes', 'VOLUME 3.5, volume 3.6'),
      get('/v3/{p}/volumes', undefined, { 'X-OpenStack-Volume-API-Version': '3.70' }),
      get('/v3/{p}/volumes', ' volume 3.5 '), get('/v3/{p}/volumes', 'volume  3.5'), get('/v3/{p}/volumes', 'volume 03.05'),
      get('/v3/{p}/volumes/detail?all_tenants=1&project_id={p}'), get('/v3/{p}/volumes/detail?all_tenants=true&project_id={p}', '3.70'),
      del('v1'),
    ],
  }, {
    // Cinder's tables are utf8 (three bytes): a character outside the BMP is a 500 there.
    name: 'unicode-astral',
    steps: [
      { method: 'POST', path: '/v3/{p}/volumes', body: { volume: { size: 1, name: e.repeat(3) } }, save: ['v9', 'volume.id'] },
      create('v1'), { method: 'PUT', path: '/v3/{p}/volumes/{v1}', body: { volume: { description: e } } },
      { method: 'POST', path: m, body: { metadata: { k: e } } }, get(m), del('v1'),
    ],
  }];
}

/** Type lists sorted and filtered by name under the tables' collation. */
function typeCollation(): Scenario[] {
  const t = '/v3/{p}/types';
  const mk = (label: string, name: string): Step => ({ method: 'POST', path: t, body: { volume_type: { name } }, save: [label, 'volume_type.id'] });
  const steps: Step[] = [mk('t1', 'xt-Beta'), tick, mk('t2', 'xt-alpha'), tick, mk('t3', 'xt-\u00e9lan'), tick, mk('t4', 'xt-Gamma')];
  for (const q of ['?sort=name:asc', '?sort=name:desc', '?sort=name', '?name=XT-ALPHA', '?name=xt-elan', '?sort=name:asc&limit=2',
    '?sort=description:asc,name:asc', '?sort_key=name&sort_dir=asc', '?sort=name:asc:x', '?sort=created_at:asc', '?description=x']) {
    steps.push(get(`${t}${q}`), get(`${t}${q}`, '3.52'));
  }
  steps.push(...['t1', 't2', 't3', 't4'].map((l): Step => ({ method: 'DELETE', path: `${t}/{${l}}` })));
  return [{ name: 'type-collation', steps }];
}

/** Lookups by name that Cinder does in SQL (case and accents aside) or in Python (exactly). */
function lookupCase(): Scenario[] {
  const s = '/v3/{p}/os-services';
  return [{
    name: 'lookup-case',
    steps: [
      create('v1', { size: 1, volume_type: '__default__' }), tick, create('v2', { size: 1, volume_type: '__DEFAULT__ ' }), tick,
      create('v3', { size: 1, availability_zone: 'NOVA' }),
      get(`${s}?binary=CINDER-VOLUME`), get(`${s}?binary=cinder-volume&host=DIFFHOST@FAKE`), get(`${s}?binary=cinder-volume&host=diffhost@fake#fake`),
      get('/v3/{p}/os-quota-class-sets/DEFAULT'), get('/v3/{p}/os-quota-class-sets/Default'),
      { method: 'PUT', path: '/v3/{p}/os-quota-class-sets/xcaseclass', body: { quota_class_set: { volumes: 9 } } },
      get('/v3/{p}/os-quota-class-sets/XCASECLASS'),
      get('/v3/{p}/types/__default__'), get('/v3/{p}/volumes/{v1}/metadata/Readonly'),
      get('/v3/{p}/volumes?availability_zone=NOVA'), get('/v3/{p}/volumes?status=AVAILABLE&name='),
      del('v1'), del('v2'), del('v3'),
    ],
  }];
}

/** Every action on a volume in maintenance, error and reserved. */
function statusGuards(): Scenario[] {
  const acts: unknown[] = [
    { 'os-extend': { new_size: 2 } }, { 'os-set_bootable': { bootable: true } }, { 'os-update_readonly_flag': { readonly: true } },
    { 'os-reserve': null }, { 'os-unreserve': null }, { 'os-begin_detaching': null }, { 'os-roll_detaching': null },
    { 'os-attach': { instance_uuid: SERVER, mountpoint: '/dev/vdb' } }, { 'os-detach': {} },
    { 'os-initialize_connection': { connector: CONNECTOR } }, { 'os-terminate_connection': { connector: CONNECTOR } },
    { 'os-force_detach': {} },
  ];
  const out: Scenario[] = [];
  for (const status of ['maintenance', 'error', 'reserved', 'error_extending']) {
    const steps: Step[] = [create('v1')];
    for (const body of acts) steps.push(action('v1', { 'os-reset_status': { status } }), action('v1', body));
    steps.push(action('v1', { 'os-reset_status': { status } }),
      { method: 'POST', path: '/v3/{p}/attachments', mv: '3.27', body: { attachment: { volume_uuid: '{v1}', instance_uuid: SERVER } }, state: 'v1' },
      action('v1', { 'os-reset_status': { status } }), { method: 'PUT', path: '/v3/{p}/volumes/{v1}', body: { volume: { name: 'n' } }, state: 'v1' },
      action('v1', { 'os-reset_status': { status } }), del('v1'),
      action('v1', { 'os-reset_status': { status: 'available', attach_status: 'detached' } }), del('v1'));
    out.push({ name: `status-guards@${status}`, steps });
  }
  return out;
}

/** Attach modes against the readonly flag, repeats of the legacy steps, an attachment updated out of order. */
function attachModes(): Scenario[] {
  const a = '/v3/{p}/attachments';
  const att = (label: string, vol: string, extra: Record<string, unknown> = {}, mv = '3.54'): Step =>
    ({ method: 'POST', path: a, mv, body: { attachment: { volume_uuid: `{${vol}}`, instance_uuid: SERVER, ...extra } }, save: [label, 'attachment.id'], state: vol });
  return [{
    name: 'attach-modes',
    steps: [
      create('v1'), create('v2'), create('v3'),
      action('v1', { 'os-update_readonly_flag': { readonly: true } }),
      att('a1', 'v1', { mode: 'rw' }), get(`${a}/{a1}`, '3.54'),
      { method: 'PUT', path: `${a}/{a1}`, mv: '3.54', body: { attachment: { connector: CONNECTOR } }, state: 'v1' },
      get(`${a}/{a1}`, '3.54'), get('/v3/{p}/volumes/{v1}'),
      { method: 'DELETE', path: `${a}/{a1}`, mv: '3.54', state: 'v1' },
      att('a2', 'v2', { mode: 'ro' }), get(`${a}/{a2}`, '3.54'),
      { method: 'DELETE', path: `${a}/{a2}`, mv: '3.54', state: 'v2' }, get('/v3/{p}/volumes/{v2}'),
      att('a3', 'v3', {}, '3.27'), action('v3', { 'os-reset_status': { status: 'available' } }),
      { method: 'PUT', path: `${a}/{a3}`, mv: '3.27', body: { attachment: { connector: CONNECTOR } }, state: 'v3' },
      { method: 'POST', path: `${a}/{a3}/action`, mv: '3.44', body: { 'os-complete': null }, state: 'v3' },
      get('/v3/{p}/volumes/{v3}'),
      action('v2', { 'os-reserve': null }), action('v2', { 'os-reserve': null }),
      action('v2', { 'os-attach': { instance_uuid: SERVER, mountpoint: '/dev/vdb' } }),
      action('v2', { 'os-reserve': null }), action('v2', { 'os-attach': { instance_uuid: MISSING, mountpoint: '/dev/vdc' } }),
      action('v2', { 'os-attach': { instance_uuid: SERVER, mountpoint: '/dev/vdb' } }),
      get('/v3/{p}/volumes/{v2}'), get(`${a}?volume_id={v2}`, '3.27'),
      action('v2', { 'os-detach': {} }), action('v2', { 'os-unreserve': null }),
      action('v1', { 'os-reset_status': { status: 'available', attach_status: 'detached' } }), del('v1'),
      action('v2', { 'os-reset_status': { status: 'available', attach_status: 'detached' } }), del('v2'),
      action('v3', { 'os-reset_status': { status: 'available', attach_status: 'detached' } }), del('v3'),
    ],
  }];
}

export function extraScenarios(): Scenario[] {
  return [...moreLists(), ...updates(), ...metadata(), ...moreActions(), ...moreAttachments(), ...moreTypes(), ...moreQuotas(), ...http(), ...lifecycle(), ...moreAttach(), ...misc(), ...caseAndCollation(), ...etags(), ...unicode(), ...typeCollation(), ...lookupCase(), ...statusGuards(), ...attachModes()];
}
