// POST and PUT /servers bodies (nova schemas/servers.py), one DTO per microversion range as
// Nova copies its schema dicts: create (2.1), create_v219 (+description), v232/v233/v242 (tags
// on networks and block devices), v237 (networks may be 'none'/'auto'), v252 (tags), v257
// (no personality), v263 (trusted_image_certificates), v267 (a block device's volume_type),
// v274 (host, hypervisor_hostname), v290 (hostname), v294 (the hostname an FQDN); update,
// update_v219, update_v290, update_v294. A spread that overrides a key keeps its place, as a
// dict assignment does, so the properties are checked in Nova's order.
import { IsDefined } from '../../common/api/class-validator';
import { Schema, type APIVersion, type JsonSchema } from '../../common/api';
import { MV } from '../microversions';
import {
  blockDeviceMappingV2, blockDeviceMappingV267, blockDeviceMappingV2Tagged, legacyBlockDeviceMapping, type BlockDeviceMappingV2,
} from './block-device-mapping';
import * as t from './parameter-types';
import { hints } from './scheduler-hints';

type Properties = Record<string, JsonSchema>;

/** The create body's `server` once the schema let it through (what the API acts on is typed). */
export interface ServerCreate {
  name: string;
  imageRef?: string;
  flavorRef: string | number;
  adminPass?: string;
  metadata?: Record<string, string>;
  /** 2.52. */
  tags?: string[];
  networks?: Array<{ uuid?: string; port?: string | null; fixed_ip?: string; tag?: string }> | 'none' | 'auto';
  'OS-DCF:diskConfig'?: 'AUTO' | 'MANUAL';
  accessIPv4?: string;
  accessIPv6?: string;
  personality?: Array<{ path?: string; contents?: string }>;
  availability_zone?: string;
  block_device_mapping_v2?: BlockDeviceMappingV2[];
  key_name?: string;
  security_groups?: Array<{ name?: string }>;
  min_count?: number | string;
  max_count?: number | string;
  return_reservation_id?: boolean | string;
  user_data?: string;
  description?: string | null;
  host?: string;
  hypervisor_hostname?: string;
  hostname?: string;
}

export interface ServerUpdateBody {
  name?: string;
  'OS-DCF:diskConfig'?: 'AUTO' | 'MANUAL';
  accessIPv4?: string;
  accessIPv6?: string;
  description?: string | null;
  hostname?: string;
}

const object = (properties: Properties, required: string[] = []): JsonSchema => (
  required.length ? { type: 'object', properties, required, additionalProperties: false } : { type: 'object', properties, additionalProperties: false });

const port: JsonSchema = { oneOf: [t.uuid, { type: 'null' }] };
const network = (uuid: JsonSchema, tagged: boolean): JsonSchema => object({ fixed_ip: t.ipAddress, port, uuid, ...(tagged ? { tag: t.tag } : {}) });
const networks = (tagged: boolean): JsonSchema => ({ type: 'array', items: network({ type: 'string' }, tagged) });
/** create_v237/v242: a list whose uuids are uuids, or 'none' / 'auto'. */
const networksOrAuto = (tagged: boolean): JsonSchema => ({
  oneOf: [{ type: 'array', items: network(t.uuid, tagged) }, { type: 'string', enum: ['none', 'auto'] }],
});

const CREATE: Properties = {
  name: t.name,
  imageRef: t.imageIdOrEmptyString,
  flavorRef: t.flavorRef,
  adminPass: t.adminPassword,
  metadata: t.metadata,
  networks: networks(false),
  'OS-DCF:diskConfig': t.diskConfig,
  accessIPv4: t.accessIPv4,
  accessIPv6: t.accessIPv6,
  personality: t.personality,
  availability_zone: t.name,
  block_device_mapping: legacyBlockDeviceMapping,
  block_device_mapping_v2: blockDeviceMappingV2,
  config_drive: t.boolean,
  key_name: t.name,
  min_count: t.positiveInteger,
  max_count: t.positiveInteger,
  return_reservation_id: t.boolean,
  security_groups: { type: 'array', items: object({ name: t.name }) },
  user_data: { type: 'string', format: t.base64.format, maxLength: 65535 },
};
const V219: Properties = { ...CREATE, description: t.description };
const V232: Properties = { ...V219, networks: networks(true), block_device_mapping_v2: blockDeviceMappingV2Tagged };
const V233: Properties = { ...V219, networks: networks(true) };
// Nova also makes networks required from 2.37; here a server without networks is still made (docs/differences.md).
const V237: Properties = { ...V233, networks: networksOrAuto(false) };
const V242: Properties = { ...V237, networks: networksOrAuto(true), block_device_mapping_v2: blockDeviceMappingV2Tagged };
const V252: Properties = { ...V242, tags: { type: 'array', items: t.tag, maxItems: 50 } };
const { personality: _personality, ...V257 } = V252;
const V263: Properties = { ...V257, trusted_image_certificates: t.trustedCerts };
const V267: Properties = { ...V263, block_device_mapping_v2: blockDeviceMappingV267 };
const V274: Properties = { ...V267, host: t.fqdn, hypervisor_hostname: t.fqdn };
const V290: Properties = { ...V274, hostname: t.hostname };
const V294: Properties = { ...V290, hostname: t.fqdn };

/** The create body around a `server` schema: the two spellings of the scheduler hints beside it. */
function createBody(server: Properties): new () => CreateServerBody {
  const schema = object(server, ['name', 'flavorRef']);
  class Body {
    @IsDefined() @Schema(schema) server!: ServerCreate;
    @Schema(hints) 'os:scheduler_hints'?: Record<string, unknown>;
    @Schema(hints) 'OS-SCH-HNT:scheduler_hints'?: Record<string, unknown>;
  }
  return Body;
}

export interface CreateServerBody {
  server: ServerCreate;
  'os:scheduler_hints'?: Record<string, unknown>;
  'OS-SCH-HNT:scheduler_hints'?: Record<string, unknown>;
}

const CREATE_BODIES = ([
  [MV.FQDN_HOSTNAME, V294], [MV.HOSTNAME, V290], [MV.REQUESTED_DESTINATION, V274], ['2.67', V267], [MV.TRUSTED_CERTS, V263],
  ['2.57', V257], ['2.52', V252], ['2.42', V242], ['2.37', V237], ['2.33', V233], ['2.32', V232], [MV.DESCRIPTION, V219], ['2.1', CREATE],
] as const).map(([mv, props]) => [mv, createBody(props)] as const);

/** The create body's DTO at a microversion. */
export const createServerBody = (version: APIVersion): new () => CreateServerBody => (CREATE_BODIES.find(([mv]) => version.atLeast(mv)) ?? CREATE_BODIES[CREATE_BODIES.length - 1])[1];

const UPDATE: Properties = { name: t.name, 'OS-DCF:diskConfig': t.diskConfig, accessIPv4: t.accessIPv4, accessIPv6: t.accessIPv6 };
const UPDATE_V219: Properties = { ...UPDATE, description: t.description };
const UPDATE_V290: Properties = { ...UPDATE_V219, hostname: t.hostname };
const UPDATE_V294: Properties = { ...UPDATE_V290, hostname: t.fqdn };

function updateBody(server: Properties): new () => { server: ServerUpdateBody } {
  const schema = object(server);
  class Body {
    @IsDefined() @Schema(schema) server!: ServerUpdateBody;
  }
  return Body;
}

const UPDATE_BODIES = ([[MV.FQDN_HOSTNAME, UPDATE_V294], [MV.HOSTNAME, UPDATE_V290], [MV.DESCRIPTION, UPDATE_V219], ['2.1', UPDATE]] as const)
  .map(([mv, props]) => [mv, updateBody(props)] as const);

/** The update body's DTO at a microversion. */
export const updateServerBody = (version: APIVersion): new () => { server: ServerUpdateBody } => (UPDATE_BODIES.find(([mv]) => version.atLeast(mv)) ?? UPDATE_BODIES[UPDATE_BODIES.length - 1])[1];
