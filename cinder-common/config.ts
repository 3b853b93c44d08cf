// Cinder's options (cinder-api and cinder-volume read the same file, as with cinder.conf).
// Backends are sections named in [DEFAULT] enabled_backends; the sections a backend may use
// are declared here ([fake], [tgt], [backend1], [backend2]) because the schema is static.
import { KEYSTONE_AUTHTOKEN_OPTS, POLICY_OPTS } from '../common/api/auth-opts';
import { COMMON_OPTS, type ConfigOf, type Schema } from '../common/config';

const backendOpts = (driver: 'fake' | 'tgt', name: string) => ({
  volume_driver: { type: 'str', default: driver, choices: ['fake', 'tgt'], help: 'Driver of this backend' },
  volume_backend_name: { type: 'str', default: name, help: 'Backend (pool) name reported to the scheduler' },
  volumes_dir: { type: 'str', default: '/var/lib/attachd/volumes', help: 'tgt: directory of the sparse volume files' },
  target_ip_address: { type: 'str', default: '127.0.0.1', help: 'tgt: iSCSI portal address' },
  target_port: { type: 'port', default: 3260, help: 'tgt: iSCSI portal port' },
  target_prefix: { type: 'str', default: 'iqn.2010-10.org.openstack:', help: 'tgt: IQN prefix of the targets' },
  tgt_control_port: { type: 'int', default: 0, min: 0, max: 32767, help: 'tgt: control port (tgtd -C; 0-32767) of our own tgtd (0: use the system tgtd)' },
  tgt_start_daemon: { type: 'bool', default: true, help: 'tgt: start (or adopt, after a crash) a private tgtd when tgt_control_port is set' },
  tgtd_pid_file: { type: 'str', default: null, help: 'tgt: pid file of that tgtd (default <volumes_dir>/tgtd-<tgt_control_port>.pid; its output goes to the same name with .log)' },
  total_capacity_gb: { type: 'int', default: 1000, min: 1, help: 'Capacity this backend reports (GiB)' },
} as const);

export const BACKEND_SECTIONS = ['fake', 'tgt', 'backend1', 'backend2'] as const;
export type BackendSection = (typeof BACKEND_SECTIONS)[number];

export const CINDER_OPTS = {
  DEFAULT: {
    osapi_volume_listen: { type: 'str', default: '127.0.0.1', help: 'Address cinder-api listens on' },
    osapi_volume_listen_port: { type: 'port', default: 8776, help: 'Port cinder-api listens on' },
    enabled_backends: { type: 'list', default: ['fake'], help: 'Backend sections cinder-volume serves (one RPC server <host>@<backend> each)' },
    storage_availability_zone: { type: 'str', default: 'nova', help: 'Availability zone of this cinder-volume' },
    default_volume_type: { type: 'str', default: '__DEFAULT__', help: 'Volume type name given to volumes created without one' },
    default_group_type: { type: 'str', default: null, help: 'Group type name GET /group_types/default shows (unset: none, 404)' },
    periodic_interval: { type: 'int', default: 60, min: 0, help: 'Seconds between cinder-volume reconciler passes (0: only the pass at start)' },
    // Quotas (cinder/quota.py: names and defaults as Cinder's). The `default` quota class in the
    // database (seeded by the schema) wins over the quota_* values while use_default_quota_class is set.
    quota_volumes: { type: 'int', default: 10, help: 'Number of volumes allowed per project' },
    quota_snapshots: { type: 'int', default: 10, help: 'Number of volume snapshots allowed per project' },
    quota_consistencygroups: { type: 'int', default: 10, help: 'Number of consistencygroups allowed per project' },
    quota_groups: { type: 'int', default: 10, help: 'Number of groups allowed per project' },
    quota_gigabytes: { type: 'int', default: 1000, help: 'Total amount of storage, in gigabytes, allowed for volumes and snapshots per project' },
    quota_backups: { type: 'int', default: 10, help: 'Number of volume backups allowed per project' },
    quota_backup_gigabytes: { type: 'int', default: 1000, help: 'Total amount of storage, in gigabytes, allowed for backups per project' },
    reservation_expire: { type: 'int', default: 86400, min: 1, help: 'Number of seconds until a reservation expires' },
    reservation_clean_interval: {
      type: 'int', default: 0, min: 0,
      help: 'Interval between periodic task runs to clean expired reservations in seconds (0: reservation_expire, as Cinder\'s $reservation_expire)',
    },
    until_refresh: { type: 'int', default: 0, help: 'Count of reservations until usage is refreshed (accepted, not used: usage is kept exact)' },
    max_age: { type: 'int', default: 0, help: 'Number of seconds between subsequent usage refreshes (accepted, not used: usage is kept exact)' },
    use_default_quota_class: { type: 'bool', default: true, help: 'Enables or disables use of default quota class with default quota.' },
    per_volume_size_limit: { type: 'int', default: -1, help: 'Max size allowed per volume, in gigabytes' },
    message_ttl: { type: 'int', default: 2592000, min: 1, help: 'message minimum life in seconds.' },
    message_reap_interval: { type: 'int', default: 86400, min: 1, help: 'interval between periodic task runs to clean expired messages in seconds.' },
    attach_transition_timeout: {
      type: 'int', default: 900, min: 1,
      help: 'Seconds without progress after which an attaching/reserved/detaching volume counts as left by a dead caller and is released',
    },
    lost_cast_timeout: {
      type: 'int', default: 120, min: 1,
      help: 'Seconds a creating/deleting/extending volume may wait for its cast before cinder-volume counts it lost and ends the operation (at most attach_transition_timeout; one in progress here holds the volume and is never cut short)',
    },
  },
  database: {
    connection: { type: 'str', default: null, required: true, env: 'CINDER_DATABASE_URL', secret: true, help: 'Cinder database URL (mysql://... or sqlite:///path)' },
    max_retries: { type: 'int', default: 10, min: -1, help: 'Connection attempts at start beyond the first while the database is unreachable (oslo.db; -1: forever)' },
    retry_interval: { type: 'int', default: 10, min: 0, help: 'Seconds between those attempts (oslo.db)' },
  },
  api: {
    auth_strategy: { type: 'str', default: 'keystone', choices: ['keystone', 'noauth2'], help: 'How X-Auth-Token is checked' },
    token_secret: { type: 'str', default: null, secret: true, help: 'Secret the embedded identity signs tokens with (keystone strategy without [keystone_authtoken] auth_url): at least 32 random characters, the same in every API process' },
    max_limit: { type: 'int', default: 1000, min: 1, help: 'Largest page a list returns' },
  },
  fake: backendOpts('fake', 'fake'),
  tgt: backendOpts('tgt', 'tgt'),
  backend1: backendOpts('fake', 'backend1'),
  backend2: backendOpts('fake', 'backend2'),
  ...KEYSTONE_AUTHTOKEN_OPTS,
  ...POLICY_OPTS,
  nova: {
    endpoint_template: { type: 'str', default: null, help: 'Nova API URL (e.g. http://127.0.0.1:8774/v2.1) the attachment-deletion check asks; unset: the catalog of the caller\'s token' },
    interface: { type: 'str', default: 'public', help: 'Catalog interface of Nova\'s endpoint' },
    // The privileged user cinder-volume tells Nova about extended volumes as (Cinder's [nova] auth).
    auth_type: { type: 'str', default: null, choices: ['password'], help: 'How cinder-volume logs in to Keystone to send Nova events; unset: the embedded identity\'s self-signed service token, or admin under noauth2' },
    auth_url: { type: 'str', default: null, help: 'Keystone v3 URL of that login' },
    username: { type: 'str', default: null, help: 'The service user (e.g. cinder, with the admin or service role)' },
    password: { type: 'str', default: null, secret: true, help: 'Its password' },
    project_name: { type: 'str', default: null, help: 'The project its token is scoped to (e.g. service)' },
    user_domain_name: { type: 'str', default: 'Default', help: 'Domain of username' },
    project_domain_name: { type: 'str', default: 'Default', help: 'Domain of project_name' },
  },
} as const satisfies Schema;

type Merged = typeof CINDER_OPTS & typeof COMMON_OPTS;
export type CinderConf = ConfigOf<Merged>;
export type BackendConf = CinderConf['fake'];

/** The full schema (common + cinder) for loadConfig/runDaemon. */
export const CINDER_SCHEMA = {
  ...COMMON_OPTS,
  ...CINDER_OPTS,
  DEFAULT: { ...COMMON_OPTS.DEFAULT, ...CINDER_OPTS.DEFAULT },
} as const satisfies Schema;

/** The section of an enabled backend (ConfigError-free: unknown names are reported by the caller). */
export function backendConf(conf: CinderConf, name: string): BackendConf | null {
  return (BACKEND_SECTIONS as readonly string[]).includes(name) ? conf[name as BackendSection] : null;
}
