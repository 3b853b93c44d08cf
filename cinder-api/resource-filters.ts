// etc/cinder/resource_filters.json as Cinder 21 ships it: per resource, the list filters a
// non-admin may name (from 3.31; a key ending in '~' would allow its LIKE form). The lists
// here check queries, and GET resource_filters (3.33) shows them.
export const RESOURCE_FILTERS: Readonly<Record<string, readonly string[]>> = {
  volume: ['name', 'status', 'metadata', 'bootable', 'migration_status', 'availability_zone', 'group_id', 'size', 'created_at', 'updated_at',
    'consumes_quota'],
  backup: ['name', 'status', 'volume_id'],
  snapshot: ['name', 'status', 'volume_id', 'metadata', 'availability_zone', 'consumes_quota'],
  group: ['name'],
  group_snapshot: ['name', 'status', 'group_id'],
  attachment: ['volume_id', 'status', 'instance_id', 'attach_status'],
  message: ['resource_uuid', 'resource_type', 'event_id', 'request_id', 'message_level'],
  pool: ['name', 'volume_type'],
  volume_type: ['is_public', 'extra_specs'],
};

/** GET resource_filters[?resource=]: every resource's list, or the one named (none when unknown). */
export function resourceFilterList(resource: string | undefined): Array<{ resource: string; filters: readonly string[] }> {
  return Object.entries(RESOURCE_FILTERS).filter(([name]) => !resource || name === resource).map(([name, filters]) => ({ resource: name, filters }));
}
