// Volume type views (cinder/api/v3/views/types.py and the os-volume-type-access extension):
// extra_specs as far as the caller may read them, qos_specs_id for admins, and the
// extension's is_public copy on show, list and create (not on update).
import type { RequestContext } from '../../common/context';
import { TYPE_POLICY, type TypeAPI, type TypeWithSpecs } from './type-api';

type Dict = Record<string, unknown>;

export function typeView(ctx: RequestContext, api: TypeAPI, t: TypeWithSpecs, accessExtension: boolean): Dict {
  const out: Dict = { id: t.type.id, name: t.type.name, is_public: t.type.isPublic, description: t.type.description };
  if (api.allows(ctx, TYPE_POLICY.extraSpecs)) out.extra_specs = api.visibleSpecs(ctx, t.specs);
  if (api.allows(ctx, TYPE_POLICY.qosSpecsId)) out.qos_specs_id = t.type.qosSpecsId;
  if (accessExtension && api.allows(ctx, TYPE_POLICY.access)) out['os-volume-type-access:is_public'] = t.type.isPublic;
  return out;
}
