// os-server-external-events bodies (nova schemas/server_external_events.py): {"events": [...]},
// at least one, each {server_uuid, name, status?, tag?}; the names grow by microversion.
import { badRequest, invalidInput, pyRepr, type APIVersion } from '../../common/api';

const NAMES: Array<[since: string, name: string]> = [
  ['2.0', 'network-changed'], ['2.0', 'network-vif-plugged'], ['2.0', 'network-vif-unplugged'], ['2.0', 'network-vif-deleted'],
  ['2.51', 'volume-extended'], ['2.76', 'power-update'], ['2.82', 'accelerator-request-bound'], ['2.93', 'volume-reimaged'],
];
const STATUSES = ['failed', 'completed', 'in-progress'];
const KEYS = ['server_uuid', 'name', 'status', 'tag'];
const UUID = /^[0-9a-fA-F]{8}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{12}$/;

export interface ExternalEventBody {
  server_uuid: string;
  name: string;
  status?: string;
  tag?: string;
}

const enumText = (xs: string[]): string => `[${xs.map((x) => `'${x}'`).join(', ')}]`;

export function parseExternalEvents(body: unknown, version: APIVersion): ExternalEventBody[] {
  if (!body || typeof body !== 'object' || Array.isArray(body)) throw badRequest(`${pyRepr(body)} is not of type 'object'`);
  const root = body as Record<string, unknown>;
  const extra = Object.keys(root).find((k) => k !== 'events');
  if (extra) throw badRequest(`Additional properties are not allowed ('${extra}' was unexpected)`);
  if (!('events' in root)) throw badRequest("'events' is a required property");
  const events = root.events;
  if (!Array.isArray(events)) throw invalidInput('events', events, `${pyRepr(events)} is not of type 'array'`);
  if (!events.length) throw invalidInput('events', events, '[] should be non-empty');
  const names = NAMES.filter(([since]) => version.atLeast(since)).map(([, n]) => n);
  for (const e of events) {
    if (!e || typeof e !== 'object' || Array.isArray(e)) throw invalidInput('events', e, `${pyRepr(e)} is not of type 'object'`);
    const ev = e as Record<string, unknown>;
    const bad = Object.keys(ev).filter((k) => !KEYS.includes(k));
    if (bad.length) throw invalidInput('events', ev, `Additional properties are not allowed (${bad.map((k) => `'${k}'`).join(', ')} ${bad.length > 1 ? 'were' : 'was'} unexpected)`);
    for (const k of ['server_uuid', 'name']) if (!(k in ev)) throw invalidInput('events', ev, `'${k}' is a required property`);
    if (typeof ev.server_uuid !== 'string') throw invalidInput('server_uuid', ev.server_uuid, `${pyRepr(ev.server_uuid)} is not of type 'string'`);
    if (!UUID.test(ev.server_uuid)) throw invalidInput('server_uuid', ev.server_uuid, `${pyRepr(ev.server_uuid)} is not a 'uuid'`);
    if (typeof ev.name !== 'string' || !names.includes(ev.name)) throw invalidInput('name', ev.name, `${pyRepr(ev.name)} is not one of ${enumText(names)}`);
    if ('status' in ev && (typeof ev.status !== 'string' || !STATUSES.includes(ev.status))) {
      throw invalidInput('status', ev.status, `${pyRepr(ev.status)} is not one of ${enumText(STATUSES)}`);
    }
    if ('tag' in ev) {
      if (typeof ev.tag !== 'string') throw invalidInput('tag', ev.tag, `${pyRepr(ev.tag)} is not of type 'string'`);
      if (ev.tag.length > 255) throw invalidInput('tag', ev.tag, `${pyRepr(ev.tag)} is too long`);
    }
  }
  return events as ExternalEventBody[];
}
