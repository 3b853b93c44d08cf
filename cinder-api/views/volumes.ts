// Volume views (cinder/api/v2/views/volumes.py; v1 as the seed's "read the volume"). A summary is
// {id, name, links}; the detail adds the keys tempest's show_volume schema allows.
// attachments lists only attachment rows that are `attached`, as Cinder's.
import { pyDateTime, type APIVersion } from '../../common/api';
import type { Volume } from '../../cinder-common/entities';
import type { AttachmentBrief } from '../../cinder-common/db-api';
import {
  ENCRYPTION_KEY_ID_IN_DETAILS, SHARED_TARGETS_AND_SERVICE_FIELDS, SHARED_TARGETS_TRISTATE, USE_QUOTA, VOLUME_CLUSTER_NAME,
  VOLUME_TYPE_ID_IN_VOLUME_DETAIL,
} from '../microversions';

export interface VolumeViewCtx {
  /** scheme://host[/prefix] */
  base: string;
  /** 'v1' | 'v2' | 'v3' */
  apiVersion: string;
  projectInUrl: string | null;
  /** context.is_admin: the admin-only keys of Cinder's view builders (migration_status, provider_id, cluster_name, host_name). */
  isAdmin: boolean;
  /** What the extension policies allow: os-vol-host-attr:host (volume_extension:volume_host_attribute), */
  showHost: boolean;
  /** os-vol-mig-status-attr:* (volume_extension:volume_mig_status_attribute), */
  showMigStatus: boolean;
  /** os-vol-tenant-attr:tenant_id (volume_extension:volume_tenant_attribute), */
  showTenant: boolean;
  /** volume_image_metadata (volume_extension:volume_image_metadata:show). */
  showImageMetadata: boolean;
  /** Microversion of the request (3.0 outside /v3). */
  version: APIVersion;
}

export interface VolumeExtras {
  metadata: Record<string, string>;
  attachments: AttachmentBrief[];
  /** The name of the volume's type. */
  volumeType: string | null;
  /** The image properties the volume carries (volume_glance_metadata). */
  imageMetadata?: Record<string, string>;
}

type Dict = Record<string, unknown>;

/** Python isoformat() of a naive UTC datetime (microseconds, no zone), as Cinder shows times. */
export const isoTime = pyDateTime;

/** The key id Cinder's fixed-key manager hands out: not a secret worth showing (3.64). */
const FIXED_KEY_ID = '00000000-0000-0000-0000-000000000000';

const VIEW_STATUS: Record<string, string> = { managing: 'creating', error_managing: 'error', error_managing_deleting: 'deleting' };

function links(c: VolumeViewCtx, v: Volume): Dict[] {
  const project = c.projectInUrl ?? v.projectId ?? '';
  return [
    { href: `${c.base}/${c.apiVersion}/${project}/volumes/${v.id}`, rel: 'self' },
    { href: `${c.base}/${project}/volumes/${v.id}`, rel: 'bookmark' },
  ];
}

function attachmentsView(c: VolumeViewCtx, v: Volume, atts: AttachmentBrief[]): Dict[] {
  return atts.filter((a) => a.attachStatus === 'attached').map((a) => ({
    id: v.id, attachment_id: a.id, volume_id: v.id, server_id: a.instanceUuid, host_name: c.isAdmin ? a.attachedHost : null,
    device: a.mountpoint, attached_at: isoTime(a.attachTime),
  }));
}

export function volumeSummary(c: VolumeViewCtx, v: Volume): Dict {
  if (c.apiVersion === 'v1') return { id: v.id, display_name: v.displayName, links: links(c, v) };
  return { id: v.id, name: v.displayName, links: links(c, v) };
}

/**
 * The detail view. `extended` adds the os-vol-* extension attributes, which Cinder's API
 * extensions add only to show and list-detail (not to the create or update response; tempest's
 * create_volume schema rejects them).
 */
export function volumeDetail(c: VolumeViewCtx, v: Volume, x: VolumeExtras, extended = true): Dict {
  const status = VIEW_STATUS[v.status ?? ''] ?? v.status;
  if (c.apiVersion === 'v1') {
    const out: Dict = {
      id: v.id, status, size: v.size, availability_zone: v.availabilityZone, created_at: isoTime(v.createdAt),
      attachments: attachmentsView(c, v, x.attachments), display_name: v.displayName, display_description: v.displayDescription,
      volume_type: x.volumeType, snapshot_id: v.snapshotId, source_volid: v.sourceVolid, metadata: x.metadata,
      bootable: v.bootable ? 'true' : 'false', encrypted: !!v.encryptionKeyId, multiattach: v.multiattach,
    };
    if (extended && c.showTenant) out['os-vol-tenant-attr:tenant_id'] = v.projectId;
    if (extended) Object.assign(out, hostAndMigration(c, v), imageMetadata(c, x));
    return nullUnset(out);
  }
  const out: Dict = {
    id: v.id, status, size: v.size, availability_zone: v.availabilityZone, created_at: isoTime(v.createdAt),
    updated_at: isoTime(v.updatedAt), attachments: attachmentsView(c, v, x.attachments), name: v.displayName,
    description: v.displayDescription, volume_type: x.volumeType, snapshot_id: v.snapshotId, source_volid: v.sourceVolid,
    metadata: x.metadata, links: links(c, v), user_id: v.userId, bootable: v.bootable ? 'true' : 'false',
    encrypted: !!v.encryptionKeyId, replication_status: null, consistencygroup_id: null, multiattach: v.multiattach,
  };
  if (extended && c.showTenant) out['os-vol-tenant-attr:tenant_id'] = v.projectId;
  if (c.version.atLeast('3.13')) out.group_id = v.groupId ?? null;
  if (c.version.atLeast('3.21') && c.isAdmin) out.provider_id = v.providerId;
  Object.assign(out, versionedKeys(c, v));
  if (c.isAdmin) out.migration_status = v.migrationStatus;
  if (extended) Object.assign(out, hostAndMigration(c, v), imageMetadata(c, x));
  return nullUnset(out);
}

/** The volume image metadata extension's key: only on a volume that carries some. */
function imageMetadata(c: VolumeViewCtx, x: VolumeExtras): Dict {
  return c.showImageMetadata && x.imageMetadata && Object.keys(x.imageMetadata).length ? { volume_image_metadata: { ...x.imageMetadata } } : {};
}

/** os-vol-host-attr and os-vol-mig-status-attr, as far as the caller's policies allow. */
function hostAndMigration(c: VolumeViewCtx, v: Volume): Dict {
  const out: Dict = {};
  if (c.showHost) out['os-vol-host-attr:host'] = v.host;
  if (c.showMigStatus) Object.assign(out, { 'os-vol-mig-status-attr:migstat': v.migrationStatus, 'os-vol-mig-status-attr:name_id': v.nameId });
  return out;
}

/** The detail keys of 3.48 and later (cinder/api/v3/views/volumes.py), in Cinder's order. */
function versionedKeys(c: VolumeViewCtx, v: Volume): Dict {
  const out: Dict = {};
  if (c.version.atLeast(SHARED_TARGETS_AND_SERVICE_FIELDS)) {
    // Older clients know only true/false: "unknown" (null) has to mean "lock", i.e. true.
    out.shared_targets = v.sharedTargets === null && !c.version.atLeast(SHARED_TARGETS_TRISTATE) ? true : v.sharedTargets;
    out.service_uuid = v.serviceUuid;
  }
  if (c.isAdmin && c.version.atLeast(VOLUME_CLUSTER_NAME)) out.cluster_name = v.clusterName;
  if (c.version.atLeast(VOLUME_TYPE_ID_IN_VOLUME_DETAIL)) out.volume_type_id = v.volumeTypeId;
  if (c.version.atLeast(ENCRYPTION_KEY_ID_IN_DETAILS) && v.encryptionKeyId && v.encryptionKeyId !== FIXED_KEY_ID) {
    out.encryption_key_id = v.encryptionKeyId;
  }
  if (c.version.atLeast(USE_QUOTA)) out.consumes_quota = v.useQuota;
  return out;
}

/**
 * A freshly created entity lacks the columns nobody set (snapshot_id, source_volid…); Cinder
 * shows them as null, and tempest's schemas require the keys.
 */
function nullUnset(out: Dict): Dict {
  for (const k of Object.keys(out)) if (out[k] === undefined) out[k] = null;
  return out;
}
