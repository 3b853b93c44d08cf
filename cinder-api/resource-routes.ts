// The routes Cinder's router maps for a resource whose method this API does not serve. A
// mapper.resource (routes) maps index and create on the collection, show, update and delete on
// a member, GET …/new and …/{id}/edit, and the resource's own collection and member actions;
// one whose controller lacks the method reaches the wsgi resource, which answers a plain 404
// fault with the version headers (not the router's bare 404). Here: every such route of the
// resources this API serves that no route of ours takes.
import type { FastifyInstance, HTTPMethods } from 'fastify';
import { notFound } from '../common/api';

interface Resource {
  collection: string;
  /** The member parameter, named as our own routes name it. */
  member: string;
  /** GET actions on the collection and on a member (routes' collection= and member=). */
  collectionGets?: string[];
  memberGets?: string[];
}

const RESOURCES: Resource[] = [
  { collection: 'volumes', member: ':id' }, { collection: 'types', member: ':id' }, { collection: 'limits', member: ':id' },
  { collection: 'attachments', member: ':id', collectionGets: ['summary'] },
  { collection: 'volumes/:id/metadata', member: ':key' }, { collection: 'types/:id/extra_specs', member: ':key' },
  { collection: 'types/:id/os-volume-type-access', member: ':key' }, { collection: 'types/:id/encryption', member: ':key' },
  { collection: 'os-availability-zone', member: ':id' }, { collection: 'os-services', member: ':action' },
  { collection: 'os-hosts', member: ':host', memberGets: ['startup', 'shutdown', 'reboot'] },
  { collection: 'os-quota-sets', member: ':id' }, { collection: 'os-quota-class-sets', member: ':id' }, { collection: 'messages', member: ':id' },
  { collection: 'capabilities', member: ':host' }, { collection: 'resource_filters', member: ':id' },
  { collection: 'clusters', member: ':id' }, { collection: 'workers', member: ':id' }, { collection: 'qos-specs', member: ':id' },
  { collection: 'snapshots', member: ':id' }, { collection: 'snapshots/:id/metadata', member: ':key' },
];

export function resourceGapRoutes(app: FastifyInstance, base: string): void {
  for (const r of RESOURCES) {
    const c = `${base}/${r.collection}`;
    const m = `${c}/${r.member}`;
    const mapped: Array<[HTTPMethods, string]> = [['GET', c], ['POST', c], ['GET', `${c}/new`], ['GET', m], ['PUT', m], ['DELETE', m], ['GET', `${m}/edit`],
      ...(r.collectionGets ?? []).map((a): [HTTPMethods, string] => ['GET', `${c}/${a}`]),
      ...(r.memberGets ?? []).map((a): [HTTPMethods, string] => ['GET', `${m}/${a}`])];
    for (const [method, url] of mapped) {
      // hasRoute takes the full path (the plugin's prefix is not added to it); route() adds it.
      if (!app.hasRoute({ method, url: app.prefix + url })) app.route({ method, url, config: { unserved: true }, handler: async () => { throw notFound(); } });
    }
  }
}
