// Read-only discovery documents tempest's volume tests read: resource_filters (3.33: the filters
// a user may name per resource, resource-filters.ts), os-availability-zone (cinder
// contrib/availability_zones.py: one entry per zone of the cinder-volume services, available
// unless every service in it is disabled) and /extensions (the contrib descriptors behind what
// we serve; cinder always lists os-hosts, tempest's default check looks for its name).
import type { FastifyInstance } from 'fastify';
import { notFound } from '../../common/api';
import { projectInPath } from '../request';
import { resourceFilterList } from '../resource-filters';
import type { VolumeAPI } from '../volume/api';

const EXTENSIONS: Array<[name: string, alias: string, updated: string, description: string]> = [
  ['AvailabilityZones', 'os-availability-zone', '2013-06-27T00:00:00+00:00', 'Describe Availability Zones.'],
  ['Capabilities', 'capabilities', '2015-08-31T00:00:00+00:00', 'Capabilities support.'],
  ['ExtendedServices', 'os-extended-services', '2014-01-10T00:00:00-00:00', 'Extended services support.'],
  ['Hosts', 'os-hosts', '2011-06-29T00:00:00+00:00', 'Admin-only host administration.'],
  ['Scheduler_stats', 'scheduler-stats', '2014-09-07T00:00:00+00:00', 'Scheduler stats support.'],
  ['Services', 'os-services', '2012-10-28T00:00:00-00:00', 'Services support.'],
  ['VolumeActions', 'os-volume-actions', '2012-05-31T00:00:00+00:00', 'Enable volume actions.'],
  ['VolumeHostAttribute', 'os-vol-host-attr', '2011-11-03T00:00:00+00:00', 'Expose host as an attribute of a volume.'],
  ['VolumeMigStatusAttribute', 'os-vol-mig-status-attr', '2013-08-08T00:00:00+00:00', 'Expose migration_status as an attribute of a volume.'],
  ['VolumeTenantAttribute', 'os-vol-tenant-attr', '2011-11-03T00:00:00+00:00', 'Expose the internal project_id as an attribute of a volume.'],
];

export function discoveryRoutes(app: FastifyInstance, base: string, api: VolumeAPI): void {
  app.get(`${base}/os-availability-zone`, async (req) => {
    projectInPath(req);
    const disabled = new Map<string, boolean>();
    for (const s of await api.d.db.serviceList('cinder-volume')) {
      const az = s.availabilityZone ?? api.d.defaultAz;
      disabled.set(az, (disabled.get(az) ?? true) && !!s.disabled);
    }
    return { availabilityZoneInfo: [...disabled].map(([zoneName, off]) => ({ zoneName, zoneState: { available: !off } })) };
  });

  app.get(`${base}/resource_filters`, { config: { minVersion: '3.33' } }, async (req) => {
    projectInPath(req);
    if (!req.cinderVersion.atLeast('3.33')) throw notFound();
    return { resource_filters: resourceFilterList((req.query as { resource?: string } | undefined)?.resource) };
  });

  app.get(`${base}/extensions`, async (req) => {
    projectInPath(req);
    return { extensions: EXTENSIONS.map(([name, alias, updated, description]) => ({ name, alias, updated, description, links: [] })) };
  });
}
