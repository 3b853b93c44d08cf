// The volume API's microversion range (Zed's Cinder: 3.0–3.70) and the versions our routes and
// views branch on. Versions that only concern APIs we do not serve (backups, snapshots, groups,
// re-image, …) change nothing here: those routes stay 404. The transfer versions (3.55, 3.57,
// 3.59) live in controllers/transfers.ts.
import type { MicroversionSpec } from '../common/api';

export const MIN_VERSION = '3.0';
/**
 * Highest version whose volume behaviour we implement. Besides the constants below: 3.12
 * volumes/summary, 3.13 group_id and 3.21 provider_id in the view, 3.23 delete ?force, 3.27
 * attachments, 3.42 extend in-use, 3.44 os-complete, 3.54 attachment mode; 3.67 (project_id
 * optional in URLs) needs nothing, as Cinder's router serves both spellings at every version.
 */
export const MAX_VERSION = '3.70';

/** Generalized resource filters: from here list filters skip the old per-version pruning. */
/** Volume metadata carries an ETag; its updates honour If-Match. */
export const ETAGS = '3.15';
export const RESOURCE_FILTER = '3.31';
/** `count` in volume lists when asked `with_count`. */
export const SUPPORT_COUNT_INFO = '3.45';
/** `backup_id` in the create schema (a uuid). */
export const VOLUME_CREATE_FROM_BACKUP = '3.47';
/** `shared_targets` and `service_uuid` in the volume detail. */
export const SHARED_TARGETS_AND_SERVICE_FIELDS = '3.48';
/** Strict create/update bodies: no unknown keys, an update names at least one field. */
export const SUPPORT_VOLUME_SCHEMA_CHANGES = '3.53';
/** `cluster_name` in the detail (admin). */
export const VOLUME_CLUSTER_NAME = '3.61';
/** `volume_type_id` in the detail. */
export const VOLUME_TYPE_ID_IN_VOLUME_DETAIL = '3.63';
/** `encryption_key_id` in the detail (when the volume has a real key). */
export const ENCRYPTION_KEY_ID_IN_DETAILS = '3.64';
/** `consumes_quota` in the detail. */
export const USE_QUOTA = '3.65';
/** A null `shared_targets` is shown as null (true before). */
export const SHARED_TARGETS_TRISTATE = '3.69';

// Cinder's header rules: `latest` in lowercase only, the first of two volume versions wins.
export const VOLUME_VERSIONS: MicroversionSpec = {
  service: 'volume', min: MIN_VERSION, max: MAX_VERSION, defaultVersion: MIN_VERSION, latestLowercaseOnly: true, firstOfRepeated: true,
  serviceLowercaseOnly: true,
};
