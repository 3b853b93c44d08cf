// A Volume on the RPC wire: oslo.versionedobjects' envelope (versioned_object.*: CinderObject
// keeps the library's serial namespace, unlike Nova's nova_object.*) with Cinder's field names.
// The volume service reloads the row by id; the payload is for logs and peers.
import type { Volume } from './entities';

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
