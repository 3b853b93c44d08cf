// Nova's (Zed) default policies for every action nova-api serves, with the new defaults in
// force: readers read, members write, in their own project; admins everywhere; the admin-only
// actions. [oslo_policy] policy_file overrides any of them.
import { Enforcer, type PolicyDefaults } from '../common/policy';
import { PolicyNotAuthorized } from '../nova-common/exception';

const ADMIN = 'rule:context_is_admin';
const MEMBER = 'rule:project_member_or_admin';
const READER = 'rule:project_reader_or_admin';

export const NOVA_POLICY_DEFAULTS: PolicyDefaults = {
  context_is_admin: 'role:admin',
  project_member_api: 'role:member and project_id:%(project_id)s',
  project_reader_api: 'role:reader and project_id:%(project_id)s',
  project_member_or_admin: 'rule:project_member_api or rule:context_is_admin',
  project_reader_or_admin: 'rule:project_reader_api or rule:context_is_admin',

  'os_compute_api:servers:index': READER,
  'os_compute_api:servers:detail': READER,
  'os_compute_api:servers:index:get_all_tenants': ADMIN,
  'os_compute_api:servers:detail:get_all_tenants': ADMIN,
  'os_compute_api:servers:allow_all_filters': ADMIN,
  'os_compute_api:servers:show': READER,
  'os_compute_api:servers:show:host_status': ADMIN,
  'os_compute_api:servers:create': MEMBER,
  'os_compute_api:servers:create:forced_host': ADMIN,
  'compute:servers:create:requested_destination': ADMIN,
  'os_compute_api:servers:create:attach_volume': MEMBER,
  'os_compute_api:servers:create:attach_network': MEMBER,
  'os_compute_api:servers:delete': MEMBER,
  'os_compute_api:servers:update': MEMBER,
  'os_compute_api:servers:reboot': MEMBER,
  'os_compute_api:servers:start': MEMBER,
  'os_compute_api:servers:stop': MEMBER,
  'os_compute_api:os-extended-server-attributes': ADMIN,
  'os_compute_api:os-volumes-attachments:index': READER,
  'os_compute_api:os-volumes-attachments:show': READER,
  'os_compute_api:os-volumes-attachments:create': MEMBER,
  'os_compute_api:os-volumes-attachments:update': MEMBER,
  'os_compute_api:os-volumes-attachments:swap': ADMIN,
  'os_compute_api:os-volumes-attachments:delete': MEMBER,
  'os_compute_api:server-metadata:index': READER,
  'os_compute_api:server-metadata:show': READER,
  'os_compute_api:server-metadata:create': MEMBER,
  'os_compute_api:server-metadata:update_all': MEMBER,
  'os_compute_api:server-metadata:update': MEMBER,
  'os_compute_api:server-metadata:delete': MEMBER,
  'os_compute_api:os-instance-actions:list': READER,
  'os_compute_api:os-instance-actions:show': READER,
  'os_compute_api:os-instance-actions:events': ADMIN,
  'os_compute_api:os-instance-actions:events:details': ADMIN,
  'os_compute_api:os-lock-server:lock': MEMBER,
  'os_compute_api:os-lock-server:unlock': MEMBER,
  'os_compute_api:os-lock-server:unlock:unlock_override': ADMIN,
  'os_compute_api:os-deferred-delete:restore': MEMBER,
  'os_compute_api:os-deferred-delete:force': MEMBER,
  'os_compute_api:ips:index': READER,
  'os_compute_api:ips:show': READER,
  'os_compute_api:limits': '@',
  'os_compute_api:limits:other_project': ADMIN,
  'os_compute_api:os-availability-zone:list': '@',
  'os_compute_api:os-availability-zone:detail': ADMIN,
  'os_compute_api:os-server-external-events:create': ADMIN,
  'os_compute_api:os-quota-sets:show': READER,
  'os_compute_api:os-quota-sets:detail': READER,
  'os_compute_api:os-quota-sets:defaults': '@',
  'os_compute_api:os-quota-sets:update': ADMIN,
  'os_compute_api:os-quota-sets:delete': ADMIN,
  'os_compute_api:os-quota-class-sets:show': ADMIN,
  'os_compute_api:os-quota-class-sets:update': ADMIN,
  'os_compute_api:os-services:list': ADMIN,
  'os_compute_api:os-services:update': ADMIN,
  'os_compute_api:os-services:delete': ADMIN,
  'os_compute_api:os-hypervisors:list': ADMIN,
  'os_compute_api:os-hypervisors:list-detail': ADMIN,
  'os_compute_api:os-hypervisors:show': ADMIN,
  'os_compute_api:os-hypervisors:statistics': ADMIN,
  'os_compute_api:os-hypervisors:uptime': ADMIN,
  'os_compute_api:os-hypervisors:search': ADMIN,
  'os_compute_api:os-hypervisors:servers': ADMIN,
  'os_compute_api:os-aggregates:index': ADMIN,
  'os_compute_api:os-aggregates:show': ADMIN,
  'os_compute_api:servers:show:host_status:unknown-only': ADMIN,
};

export function novaEnforcer(policyFile: string | null = null): Enforcer {
  return new Enforcer(NOVA_POLICY_DEFAULTS, policyFile, (action) => new PolicyNotAuthorized({ action }));
}
