// A Volume on the RPC wire: oslo.versionedobjects' envelope (versioned_object.*: CinderObject
// keeps the library's serial namespace, unlike Nova's nova_object.*) with Cinder's field names.
// The volume service reloads the row by id; the payload is for logs and peers.
import type { Group, GroupSnapshot, Snapshot, Volume } from './entities';

type Dict = Record<string, unknown>;

const iso = (d: Date | null): string | null => (d ? d.toISOString().replace(/\.\d{3}Z$/, 'Z') : null);

export function volumeToPrimitive(v: Volume): Dict {
  return {
    'versioned_object.name': 'Volume', 'versioned_object.namespace': 'cinder', 'versioned_object.version': '1.8',
    'versioned_object.data': {
      id: v.id, _name_id: v.nameId, user_id: v.userId, project_id: v.projectId, host: v.host, size: v.size,
      availability_zone: v.availabilityZone, status: v.status, attach_status: v.attachStatus, migration_status: v.migrationStatus,
      display_name: v.displayName, display_description: v.displayDescription, volume_type_id: v.volumeTypeId,
      bootable: v.bootable, multiattach: v.multiattach, created_at: iso(v.createdAt),
    },
    'versioned_object.changes': [],
  };
}

/** A Snapshot object (Cinder's 1.6), the fields a peer's manager reads of it. */
export function snapshotToPrimitive(s: Snapshot): Dict {
  return {
    'versioned_object.name': 'Snapshot', 'versioned_object.namespace': 'cinder', 'versioned_object.version': '1.6',
    'versioned_object.data': {
      id: s.id, volume_id: s.volumeId, user_id: s.userId, project_id: s.projectId, status: s.status, progress: s.progress,
      volume_size: s.volumeSize, display_name: s.displayName, display_description: s.displayDescription, volume_type_id: s.volumeTypeId,
      encryption_key_id: s.encryptionKeyId, cgsnapshot_id: s.cgsnapshotId, group_snapshot_id: s.groupSnapshotId, use_quota: s.useQuota,
      metadata: {}, created_at: iso(s.createdAt),
    },
    'versioned_object.changes': [],
  };
}

/** A Group object (Cinder's 1.2), the fields a peer's manager reads of it, with its volume types' ids. */
export function groupToPrimitive(g: Group, volumeTypeIds: string[]): Dict {
  return {
    'versioned_object.name': 'Group', 'versioned_object.namespace': 'cinder', 'versioned_object.version': '1.2',
    'versioned_object.data': {
      id: g.id, user_id: g.userId, project_id: g.projectId, cluster_name: g.clusterName, host: g.host, availability_zone: g.availabilityZone,
      name: g.name, description: g.description, group_type_id: g.groupTypeId, volume_type_ids: volumeTypeIds, status: g.status,
      group_snapshot_id: g.groupSnapshotId, source_group_id: g.sourceGroupId, replication_status: g.replicationStatus, created_at: iso(g.createdAt),
    },
    'versioned_object.changes': [],
  };
}

/** A GroupSnapshot object (Cinder's 1.0). */
export function groupSnapshotToPrimitive(gs: GroupSnapshot): Dict {
  return {
    'versioned_object.name': 'GroupSnapshot', 'versioned_object.namespace': 'cinder', 'versioned_object.version': '1.0',
    'versioned_object.data': {
      id: gs.id, group_id: gs.groupId, user_id: gs.userId, project_id: gs.projectId, name: gs.name, description: gs.description,
      status: gs.status, group_type_id: gs.groupTypeId, created_at: iso(gs.createdAt),
    },
    'versioned_object.changes': [],
  };
}

/** The data dict of a received object (or the dict itself when a peer sent a plain one). */
export function objectData(v: unknown): Dict {
  if (!v || typeof v !== 'object') return {};
  const d = (v as Dict)['versioned_object.data'];
  return d && typeof d === 'object' ? (d as Dict) : (v as Dict);
}

/** host@backend#pool → host@backend (the RPC server name: the pool is not part of it). */
export function serviceHostOf(volumeHost: string): string {
  return volumeHost.split('#')[0];
}

const envelope = (name: string, data: Dict): Dict => ({
  'versioned_object.name': name, 'versioned_object.namespace': 'cinder', 'versioned_object.version': '1.0',
  'versioned_object.data': data, 'versioned_object.changes': Object.keys(data),
});

/** A LogLevel (os-services set-log and get-log's request to a service): prefix and level, both nullable. */
export function logLevelToPrimitive(prefix: string | null, level: string | null): Dict {
  return envelope('LogLevel', { prefix, level });
}

/** A LogLevelList of a service's answer to get_log_levels: one LogLevel per logger name. */
export function logLevelListToPrimitive(levels: Record<string, string>): Dict {
  return envelope('LogLevelList', { objects: Object.entries(levels).map(([prefix, level]) => logLevelToPrimitive(prefix, level)) });
}

/** A received LogLevelList as {logger name: level}; a peer's plain list of LogLevels reads the same. */
export function logLevelsFromPrimitive(v: unknown): Record<string, string> {
  const data = objectData(v);
  const objects = Array.isArray(v) ? v : Array.isArray(data.objects) ? data.objects : [];
  const out: Record<string, string> = {};
  for (const o of objects) {
    const d = objectData(o);
    if (typeof d.prefix === 'string') out[d.prefix] = String(d.level ?? '');
  }
  return out;
}

/** A CleanupRequest (workers/cleanup's do_cleanup): which service's resources to clean, until when. */
export function cleanupRequestToPrimitive(r: {
  serviceId: number | null; clusterName: string | null; host: string | null; binary: string | null; isUp: boolean | null;
  disabled: boolean | null; resourceId: string | null; resourceType: string | null; until: Date;
}): Dict {
  return envelope('CleanupRequest', {
    service_id: r.serviceId, cluster_name: r.clusterName, host: r.host, binary: r.binary, is_up: r.isUp, disabled: r.disabled,
    resource_id: r.resourceId, resource_type: r.resourceType, until: iso(r.until),
  });
}
