// Volume type views. Show and list (cinder/api/v3/views/types.py): extra_specs as far as the
// caller may read them, qos_specs_id for admins. Create and update (types_manage's older
// builder, cinder/api/views/types.py): every extra spec, no qos_specs_id. The
// os-volume-type-access extension adds its is_public copy on show, list and create, not update.
import type { RequestContext } from '../../common/context';
import { TYPE_POLICY, type TypeAPI, type TypeWithSpecs } from '../volume/types';

type Dict = Record<string, unknown>;

export function typeView(ctx: RequestContext, api: TypeAPI, t: TypeWithSpecs, accessExtension: boolean): Dict {
  const out: Dict = { id: t.type.id, name: t.type.name, is_public: t.type.isPublic, description: t.type.description };
  if (api.allows(ctx, TYPE_POLICY.extraSpecs)) out.extra_specs = api.visibleSpecs(ctx, t.specs);
  if (api.allows(ctx, TYPE_POLICY.qosSpecsId)) out.qos_specs_id = t.type.qosSpecsId;
  return withAccess(ctx, api, t, out, accessExtension);
}

/** The create/update answer. */
export function typeManageView(ctx: RequestContext, api: TypeAPI, t: TypeWithSpecs, accessExtension: boolean): Dict {
  const out: Dict = { id: t.type.id, name: t.type.name, is_public: t.type.isPublic, extra_specs: t.specs, description: t.type.description };
  return withAccess(ctx, api, t, out, accessExtension);
}

function withAccess(ctx: RequestContext, api: TypeAPI, t: TypeWithSpecs, out: Dict, accessExtension: boolean): Dict {
  if (accessExtension && api.allows(ctx, TYPE_POLICY.access)) out['os-volume-type-access:is_public'] = t.type.isPublic;
  return out;
}
