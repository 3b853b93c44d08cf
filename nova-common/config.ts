// Nova's options (both nova-api and nova-compute read the same file, as with nova.conf).
import { KEYSTONE_AUTHTOKEN_OPTS, POLICY_OPTS, SERVICE_USER_OPTS } from '../common/api/auth-opts';
import { COMMON_OPTS, type ConfigOf, type Schema } from '../common/config';

export const NOVA_OPTS = {
  DEFAULT: {
    osapi_compute_listen: { type: 'str', default: '127.0.0.1', help: 'Address nova-api listens on' },
    osapi_compute_listen_port: { type: 'port', default: 8774, help: 'Port nova-api listens on' },
    // The resource tracker's compute node record (os-hypervisors), as Nova's options.
    update_resources_interval: { type: 'int', default: 0, min: -1, help: 'Seconds between updates of the compute node record (0: every 60 s; -1: only at start and when servers come and go)' },
    reserved_host_memory_mb: { type: 'int', default: 512, min: 0, help: 'Megabytes of host memory counted as used before any server' },
    reserved_host_disk_mb: { type: 'int', default: 0, min: 0, help: 'Megabytes of host disk counted as used before any server' },
    reserved_host_cpus: { type: 'int', default: 0, min: 0, help: 'Host CPUs counted as used before any server' },
  },
  database: {
    connection: { type: 'str', default: null, required: true, env: 'NOVA_DATABASE_URL', secret: true, help: 'Nova database URL (mysql://... or sqlite:///path)' },
    max_retries: { type: 'int', default: 10, min: -1, help: 'Connection attempts at start beyond the first while the database is unreachable (oslo.db; -1: forever)' },
    retry_interval: { type: 'int', default: 10, min: 0, help: 'Seconds between those attempts (oslo.db)' },
  },
  api: {
    auth_strategy: { type: 'str', default: 'keystone', choices: ['keystone', 'noauth2'], help: 'How X-Auth-Token is checked' },
    token_secret: { type: 'str', default: null, secret: true, help: 'Secret the embedded identity signs tokens with (keystone strategy without [keystone_authtoken] auth_url): at least 32 random characters, the same in every API process' },
    max_limit: { type: 'int', default: 1000, min: 1, help: 'Largest page a list returns' },
  },
  identity: {
    enabled: { type: 'bool', default: true, help: 'Serve a minimal Keystone v3 at /identity/v3 (and a Glance stub at /image) for the OpenStack CLIs' },
    users: { type: 'list', default: [], secret: true, help: 'Identity users, name:password:project[:role+role]' },
    admin_password: { type: 'str', default: null, env: 'ATTACHD_ADMIN_PASSWORD', secret: true, help: 'Password of user admin (project admin, role admin); attachd-all makes a random one at first start when unset' },
    token_expiration: { type: 'int', default: 3600, min: 60, help: 'Seconds a token of the embedded identity is valid (Keystone\'s [token] expiration); it cannot be revoked before' },
  },
  cinder: {
    endpoint_template: { type: 'str', default: null, help: 'cinder-api URL template, %(project_id)s the caller\'s project; unset: found in the service catalog (catalog_info)' },
    endpoint: { type: 'str', default: null, help: 'Older name of endpoint_template (endpoint_template wins)' },
    catalog_info: { type: 'str', default: 'volumev3::publicURL', help: '<service_type>:<service_name>:<endpoint_type> of Cinder in the service catalog' },
    http_timeout: { type: 'int', default: 60, min: 1, help: 'Seconds to wait for a cinder-api answer' },
    // Nova's own credentials for calls no user request is behind (the reconciler, nova-manage).
    auth_type: { type: 'str', default: 'none', choices: ['none', 'password'], help: 'none: noauth2 cloud, act as the server owner; password: Keystone v3 login with the options below' },
    auth_url: { type: 'str', default: null, help: 'Keystone v3 URL for auth_type = password (e.g. http://127.0.0.1:5000/v3)' },
    username: { type: 'str', default: null, help: 'Service user for auth_type = password (needs the admin role to act on every project\'s volumes)' },
    password: { type: 'str', default: null, secret: true, help: 'Password of the service user' },
    project_name: { type: 'str', default: null, help: 'Project the service user\'s token is scoped to' },
    user_domain_name: { type: 'str', default: 'Default', help: 'Domain of the service user' },
    project_domain_name: { type: 'str', default: 'Default', help: 'Domain of project_name' },
  },
  compute: {
    compute_driver: { type: 'str', default: 'fake', choices: ['fake'], help: 'Virt driver' },
    volume_connector: { type: 'str', default: 'fake', choices: ['fake', 'iscsi'], help: 'Host volume connector (os-brick analogue)' },
    max_disk_devices_to_attach: { type: 'int', default: -1, min: -1, help: 'Most disk devices per instance (-1: unlimited)' },
    initiator_name: { type: 'str', default: null, help: 'iSCSI initiator name (default: /etc/iscsi/initiatorname.iscsi)' },
    iscsi_tool_timeout: { type: 'int', default: 30, min: 1, help: 'Seconds an iSCSI login check may take' },
    volume_reconcile_interval: { type: 'int', default: 60, min: 0, help: 'Seconds between passes that finish or roll back attaches/detaches left half-done (0: only at start)' },
    pending_volume_op_timeout: { type: 'int', default: 60, min: 1, help: 'Seconds an attach or detach nova-api recorded may wait for its compute before the reconciler takes it over (at most volume_reconcile_interval later)' },
    volume_op_retry_timeout: { type: 'int', default: 30, min: 0, help: 'Seconds a step of an attach/detach retries a lost dependency (Cinder, the database) before leaving it to the reconciler' },
  },
  workarounds: {
    use_legacy_volume_attach_flow: { type: 'bool', default: false, help: "Attach through Cinder's legacy os-reserve/os-initialize_connection/os-attach actions (the seed's flow) instead of the v3 attachments API; volumes attached either way detach by the flow that attached them" },
  },
  // Nova's [quota] defaults (-1: unlimited); a project's own limits (os-quota-sets) override them.
  quota: {
    // Unset: Nova's default is shown, and binds only once os-quota-sets or os-quota-class-sets sets it (docs/quotas.md).
    instances: { type: 'int', default: null, min: -1, help: 'Servers per project (unset: 10, shown but not enforced)' },
    cores: { type: 'int', default: null, min: -1, help: 'Instance cores (vCPUs) per project (unset: 20, shown but not enforced)' },
    ram: { type: 'int', default: null, min: -1, help: 'Megabytes of instance RAM per project (unset: 51200, shown but not enforced)' },
    recheck_quota: { type: 'bool', default: true, help: "Count a create's servers again once they exist, so racing creates cannot pass the limits together (the losers go to ERROR with the quota fault)" },
    metadata_items: { type: 'int', default: 128, min: -1, help: 'Most metadata items per server (-1: unlimited)' },
    injected_files: { type: 'int', default: 5, min: -1, help: 'Injected files per server (shown only; personality is not applied)' },
    injected_file_content_bytes: { type: 'int', default: 10240, min: -1, help: 'Bytes of content per injected file (shown only)' },
    injected_file_path_length: { type: 'int', default: 255, min: -1, help: 'Length of an injected file path (shown only)' },
    key_pairs: { type: 'int', default: 100, min: -1, help: 'Key pairs per user (-1: unlimited)' },
    server_groups: { type: 'int', default: 10, min: -1, help: 'Server groups per project (shown only; there is no server group API)' },
    server_group_members: { type: 'int', default: 10, min: -1, help: 'Servers per server group (shown only)' },
  },
  ...KEYSTONE_AUTHTOKEN_OPTS,
  ...SERVICE_USER_OPTS,
  ...POLICY_OPTS,
} as const satisfies Schema;

type Merged = typeof NOVA_OPTS & typeof COMMON_OPTS;
export type NovaConf = ConfigOf<Merged>;

/** The full schema (common + nova) for loadConfig/runDaemon. */
export const NOVA_SCHEMA = {
  ...COMMON_OPTS,
  ...NOVA_OPTS,
  DEFAULT: { ...COMMON_OPTS.DEFAULT, ...NOVA_OPTS.DEFAULT },
} as const satisfies Schema;

/** Where a cloud without a catalog (no external Keystone) has cinder-api. */
const LOCAL_CINDER = 'http://127.0.0.1:8776/v3/%(project_id)s';

/**
 * Where Nova finds Cinder: [cinder] endpoint_template (or its older name endpoint); else the
 * service catalog when tokens come from a real Keystone, or cinder-api on this host when not.
 */
export function cinderEndpoint(conf: NovaConf): { template: string | null; catalogInfo: string } {
  const c = conf.cinder;
  const catalog = conf.api.auth_strategy === 'keystone' && !!conf.keystone_authtoken.auth_url;
  return { template: c.endpoint_template ?? c.endpoint ?? (catalog ? null : LOCAL_CINDER), catalogInfo: c.catalog_info };
}
