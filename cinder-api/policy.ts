// Cinder's (Zed) default policies for every action cinder-api serves: project readers read,
// members act, admins everywhere ("xena" rules), and the admin-only actions. [oslo_policy]
// policy_file overrides any of them. os-volume-exports is ours (admin only).
import { Enforcer, type PolicyDefaults } from '../common/policy';
import { PolicyNotAuthorized } from '../cinder-common/exception';

const ADMIN = 'rule:admin_api';
const MEMBER = 'rule:xena_system_admin_or_project_member';
const READER = 'rule:xena_system_admin_or_project_reader';

export const CINDER_POLICY_DEFAULTS: PolicyDefaults = {
  admin_or_owner: 'is_admin:True or (role:admin and is_admin_project:True) or project_id:%(project_id)s',
  context_is_admin: 'role:admin',
  admin_api: 'is_admin:True or (role:admin and is_admin_project:True)',
  xena_system_admin_or_project_reader: '(role:admin) or (role:reader and project_id:%(project_id)s)',
  xena_system_admin_or_project_member: '(role:admin) or (role:member and project_id:%(project_id)s)',

  'volume:create': MEMBER,
  'volume:get': READER,
  'volume:get_all': READER,
  'volume:update': MEMBER,
  'volume:delete': MEMBER,
  'volume:force_delete': ADMIN,
  'volume:extend': MEMBER,
  'volume:retype': MEMBER,
  'volume:create_transfer': MEMBER,
  'volume:accept_transfer': MEMBER,
  'volume:delete_transfer': MEMBER,
  'volume:get_transfer': READER,
  'volume:get_all_transfers': READER,
  'volume:extend_attached_volume': MEMBER,
  'volume:update_readonly_flag': MEMBER,
  'volume:update_volume_admin_metadata': ADMIN,
  'volume_extension:volume_host_attribute': ADMIN,
  'volume_extension:volume_tenant_attribute': READER,
  'volume_extension:volume_mig_status_attribute': ADMIN,
  'volume_extension:volume_admin_actions:reset_status': ADMIN,
  'volume_extension:volume_admin_actions:force_delete': ADMIN,
  'volume_extension:volume_admin_actions:force_detach': ADMIN,
  'volume_extension:volume_admin_actions:migrate_volume_completion': ADMIN,
  'volume_extension:volume_actions:initialize_connection': MEMBER,
  'volume_extension:volume_actions:terminate_connection': MEMBER,
  'volume_extension:volume_actions:roll_detaching': MEMBER,
  'volume_extension:volume_actions:reserve': MEMBER,
  'volume_extension:volume_actions:unreserve': MEMBER,
  'volume_extension:volume_actions:begin_detaching': MEMBER,
  'volume_extension:volume_actions:attach': MEMBER,
  'volume_extension:volume_actions:detach': MEMBER,
  'volume:get_volume_metadata': READER,
  'volume:create_volume_metadata': MEMBER,
  'volume:update_volume_metadata': MEMBER,
  'volume:delete_volume_metadata': MEMBER,
  'volume:attachment_create': MEMBER,
  'volume:attachment_update': MEMBER,
  'volume:attachment_delete': MEMBER,
  'volume:attachment_complete': MEMBER,
  'volume:multiattach_bootable_volume': MEMBER,
  'volume:multiattach': MEMBER,
  // Volume types (policies/volume_type.py, type_extra_specs.py, volume_access.py).
  'volume_extension:type_create': ADMIN,
  'volume_extension:type_update': ADMIN,
  'volume_extension:type_delete': ADMIN,
  'volume_extension:type_get': READER,
  'volume_extension:type_get_all': READER,
  'volume_extension:access_types_qos_specs_id': ADMIN,
  'volume_extension:access_types_extra_specs': READER,
  'volume_extension:types_extra_specs:index': READER,
  'volume_extension:types_extra_specs:show': READER,
  'volume_extension:types_extra_specs:create': ADMIN,
  'volume_extension:types_extra_specs:update': ADMIN,
  'volume_extension:types_extra_specs:delete': ADMIN,
  'volume_extension:types_extra_specs:read_sensitive': ADMIN,
  'volume_extension:volume_type_access': MEMBER,
  'volume_extension:volume_type_access:addProjectAccess': ADMIN,
  'volume_extension:volume_type_access:removeProjectAccess': ADMIN,
  'volume_extension:volume_type_access:get_all_for_type': ADMIN,
  // Quotas (policies/quotas.py, quota_class.py, limits.py).
  'volume_extension:quotas:show': READER,
  'volume_extension:quotas:update': ADMIN,
  'volume_extension:quotas:delete': ADMIN,
  'volume_extension:quota_classes:get': ADMIN,
  'volume_extension:quota_classes:update': ADMIN,
  'limits_extension:used_limits': READER,
  // os-services and os-hosts (policies/services.py, hosts.py).
  'volume_extension:services:index': ADMIN,
  'volume_extension:services:update': ADMIN,
  'volume:freeze_host': ADMIN,
  'volume:thaw_host': ADMIN,
  'volume_extension:hosts': ADMIN,
  'scheduler_extension:scheduler_stats:get_pools': ADMIN,
  'volume_extension:volume_exports:index': ADMIN,
  'volume_extension:volume_exports:sync': ADMIN,
};

export function cinderEnforcer(policyFile: string | null = null): Enforcer {
  return new Enforcer(CINDER_POLICY_DEFAULTS, policyFile, (action) => new PolicyNotAuthorized({ action }));
}
