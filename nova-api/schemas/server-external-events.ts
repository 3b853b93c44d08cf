// os-server-external-events bodies (nova schemas/server_external_events.py): {"events": [...]},
// at least one, each {server_uuid, name, status?, tag?}; the names grow by microversion.
import { IsDefined } from '../../common/api/class-validator';
import { Schema, type APIVersion, type JsonSchema } from '../../common/api';
import * as t from './parameter-types';

export interface ExternalEventBody {
  server_uuid: string;
  name: string;
  status?: string;
  tag?: string;
}

const NAMES: Array<[since: string, names: string[]]> = [
  ['2.93', ['volume-reimaged']], ['2.82', ['accelerator-request-bound']], ['2.76', ['power-update']], ['2.51', ['volume-extended']],
  ['2.0', ['network-changed', 'network-vif-plugged', 'network-vif-unplugged', 'network-vif-deleted']],
];

const events = (names: string[]): JsonSchema => ({
  type: 'array',
  minItems: 1,
  items: {
    type: 'object',
    properties: {
      server_uuid: t.uuid,
      name: { type: 'string', enum: names },
      status: { type: 'string', enum: ['failed', 'completed', 'in-progress'] },
      tag: { type: 'string', maxLength: 255 },
    },
    required: ['server_uuid', 'name'],
    additionalProperties: false,
  },
});

function eventsBody(names: string[]): new () => { events: ExternalEventBody[] } {
  class Body {
    @IsDefined() @Schema(events(names)) events!: ExternalEventBody[];
  }
  return Body;
}

/** create, create_v251, create_v276, create_v282, create_v293: each adds an event name. */
const BODIES = NAMES.map(([since], i) => [since, eventsBody(NAMES.slice(i).reverse().flatMap(([, n]) => n))] as const);

/** The body's DTO at a microversion. */
export const externalEventsBody = (version: APIVersion): (typeof BODIES)[number][1] => (BODIES.find(([mv]) => version.atLeast(mv)) ?? BODIES[BODIES.length - 1])[1];
