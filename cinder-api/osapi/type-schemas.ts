// Request-body checks of the volume types APIs (cinder/api/schemas volume_types.py,
// types_extra_specs.py, volume_type_access.py), worded as Cinder's jsonschema validator.
import { badRequest, pyRepr } from '../../common/api';
import { checkBoolean, checkString, checkType, checkUuid, invalid, noExtra, noExtraTop, section } from './schemas';

type Dict = Record<string, unknown>;

/** parameter_types.extra_specs_with_null keys (create with the type) and extra_specs_with_no_spaces_key (the extra_specs API). */
const SPEC_KEY = /^[a-zA-Z0-9-_:. /]{1,255}$/;
const SPEC_KEY_NO_SPACES = /^[a-zA-Z0-9-_:.]{1,255}$/;

function checkSpecs(field: string, v: unknown, keyRe: RegExp): Record<string, string | null> {
  checkType(field, v, ['object']);
  for (const [k, val] of Object.entries(v as Dict)) {
    if (!keyRe.test(k)) throw invalid(field, v, `Additional properties are not allowed (${pyRepr(k)} was unexpected)`);
    checkString(k, val, { max: 255, nullable: true });
  }
  return v as Record<string, string | null>;
}

/** parameter_types.name: 1..255 characters, not only blanks (format 'name': InvalidName's text alone). */
function checkName(field: string, v: unknown): string {
  checkString(field, v, { min: 1, max: 255 });
  if (!(v as string).trim()) throw badRequest("An invalid 'name' value was provided. The 'name' can not be empty.");
  return v as string;
}

export interface CreateTypeBody {
  name: string;
  description: string | null;
  extraSpecs: Record<string, string | null>;
  isPublic: boolean;
}

/** POST /types: {"volume_type": {name, description?, extra_specs?, os-volume-type-access:is_public?}}. */
export function createTypeBody(body: unknown): CreateTypeBody {
  const t = section(body, 'volume_type') as Dict;
  if (!('name' in t)) throw invalid('volume_type', t, "'name' is a required property");
  const name = checkName('name', t.name);
  if ('description' in t) checkString('description', t.description, { max: 255, nullable: true });
  const extraSpecs = 'extra_specs' in t ? checkSpecs('extra_specs', t.extra_specs, SPEC_KEY) : {};
  const pub = 'os-volume-type-access:is_public' in t ? checkBoolean('os-volume-type-access:is_public', t['os-volume-type-access:is_public']) : true;
  noExtra('volume_type', t, ['name', 'description', 'extra_specs', 'os-volume-type-access:is_public']);
  noExtraTop(body as Dict, ['volume_type']);
  return { name, description: (t.description as string | null | undefined) ?? null, extraSpecs, isPublic: pub };
}

export interface UpdateTypeBody {
  name: string | null;
  description: string | null;
  isPublic: boolean | null;
}

/** PUT /types/{id}: name (null allowed), description, is_public; the controller's own checks follow. */
export function updateTypeBody(body: unknown): UpdateTypeBody {
  const t = section(body, 'volume_type') as Dict;
  if ('name' in t) checkString('name', t.name, { min: 1, max: 255, nullable: true });
  if ('description' in t) checkString('description', t.description, { max: 255, nullable: true });
  const isPublic = 'is_public' in t ? checkBoolean('is_public', t.is_public) : null;
  noExtra('volume_type', t, ['name', 'description', 'is_public']);
  noExtraTop(body as Dict, ['volume_type']);
  return { name: (t.name as string | null | undefined) ?? null, description: (t.description as string | null | undefined) ?? null, isPublic };
}

/** POST /types/{id}/extra_specs: {"extra_specs": {...}} and nothing else. */
export function createSpecsBody(body: unknown): Record<string, string | null> {
  const specs = section(body, 'extra_specs');
  const out = checkSpecs('extra_specs', specs, SPEC_KEY_NO_SPACES);
  noExtraTop(body as Dict, ['extra_specs']);
  return out;
}

/** PUT /types/{id}/extra_specs/{key}: the body is exactly one spec ({"<key>": "<value>"}). */
export function updateSpecBody(body: unknown): Record<string, string | null> {
  if (body === null || typeof body !== 'object' || Array.isArray(body)) throw badRequest(`${pyRepr(body)} is not of type 'object'`);
  const n = Object.keys(body).length;
  if (n < 1) throw badRequest(`${pyRepr(body)} does not have enough properties`);
  if (n > 1) throw badRequest(`${pyRepr(body)} has too many properties`);
  for (const [k, v] of Object.entries(body as Dict)) {
    if (!SPEC_KEY_NO_SPACES.test(k)) throw badRequest(`Additional properties are not allowed (${pyRepr(k)} was unexpected)`);
    checkString(k, v, { max: 255, nullable: true });
  }
  return body as Record<string, string | null>;
}

/** addProjectAccess / removeProjectAccess: {"project": <uuid>}. */
export function projectAccessBody(action: string, v: unknown): string {
  checkType(action, v, ['object']);
  const d = v as Dict;
  if (!('project' in d)) throw invalid(action, d, "'project' is a required property");
  checkUuid('project', d.project);
  noExtra(action, d, ['project']);
  return d.project as string;
}
