// The compute API's microversion range and the versions our behaviour changes at.
import type { MicroversionSpec } from '../common/api';

export const MIN_VERSION = '2.1';
/**
 * Highest version whose behaviour (for what we serve) we implement. Versions that change only
 * APIs we do not serve, which answer as at any version (no route, or "There is no such action"):
 * 2.91 (unshelve to a host or zone), 2.92 (keypair import only), 2.93 and the rebuild half of
 * 2.94/2.96/2.98/2.100 (rebuild), 2.95 (evacuate stops the server), 2.97 (/servers/{id}/shares),
 * 2.99 (spice-direct consoles, os-console-auth-tokens). 2.101 makes the volume attach
 * asynchronous (202, no body).
 */
export const MAX_VERSION = '2.101';

export const COMPUTE_VERSIONS: MicroversionSpec = {
  service: 'compute', min: MIN_VERSION, max: MAX_VERSION, defaultVersion: MIN_VERSION,
  legacyHeader: 'X-OpenStack-Nova-API-Version',
};

export const MV = {
  EXTENDED_ATTRS: '2.3',
  LOCKED: '2.9',
  HOST_STATUS: '2.16',
  DESCRIPTION: '2.19',
  SHELVED_ATTACH: '2.20',
  TAGS: '2.26',
  FLAVOR_EMBEDDED: '2.47',
  ATTACH_TAG: '2.49',
  MULTIATTACH: '2.60',
  ASYNC_ATTACH: '2.101',
  TRUSTED_CERTS: '2.63',
  ATTACH_TAG_SHOWN: '2.70',
  SERVER_GROUPS: '2.71',
  LOCKED_REASON: '2.73',
  REQUESTED_DESTINATION: '2.74',
  STRICT_QUERY: '2.75',
  /** Non-admins may filter servers by availability_zone, key_name, vm_state, task_state, power_state, user_id. */
  MORE_FILTERS: '2.83',
  ATTACH_DELETE_ON_TERMINATION: '2.79',
  ATTACH_UPDATE: '2.85',
  ATTACH_IDS: '2.89',
  HOSTNAME: '2.90',
  /** hostname may be an FQDN (create, update). */
  FQDN_HOSTNAME: '2.94',
  PINNED_AZ: '2.96',
  IMAGE_PROPERTIES: '2.98',
  SCHEDULER_HINTS: '2.100',
} as const;
