// nova/api/validation/parameter_types.py and the format checkers of validators.py, as @Schema
// keyword objects (keys in Nova's order: the first failing one is the message).
import { isIPv4, isIPv6 } from 'node:net';
import { badRequest, validDescriptionRegex, type Format, type JsonSchema } from '../../common/api';

/** oslo uuidutils.is_uuid_like: 32 hex digits once 'urn:'/'uuid:', outer braces and dashes go. */
export function isUuidLike(s: string): boolean {
  const hex = s.replace(/urn:/g, '').replace(/uuid:/g, '').replace(/^[{}]+|[{}]+$/g, '').replace(/-/g, '');
  return /^[0-9a-fA-F]{32}$/.test(hex);
}

/** What binascii.a2b_base64 (non-strict, as base64.decodebytes) accepts: the 'base64' format. */
export function isBase64(s: string): boolean {
  let quad = 0;
  let pads = 0;
  for (const ch of s) {
    if (ch === '=') {
      if (quad >= 2 && quad + ++pads >= 4) return true;
      continue;
    }
    if (!/^[A-Za-z0-9+/]$/.test(ch)) continue;
    pads = 0;
    quad = (quad + 1) % 4;
  }
  return quad === 0;
}

const UUID: Format = { name: 'uuid', check: (v) => typeof v !== 'string' || isUuidLike(v) };
const IPV4: Format = { name: 'ipv4', check: (v) => typeof v !== 'string' || isIPv4(v) };
const IPV6: Format = { name: 'ipv6', check: (v) => typeof v !== 'string' || isIPv6(v) };
const BASE64: Format = { name: 'base64', check: (v) => typeof v === 'string' && isBase64(v) };

/**
 * valid_name_regex: printable, no whitespace at either end (Python's '$' passes a final newline).
 * Its class ends at U+FFFE, as validDescriptionRegex's: a character past the BMP is refused.
 */
const PRINTABLE_NAME = /^(?![\p{C}\p{Z}])[^\p{C}\p{Zl}\p{Zp}\u{10000}-\u{10FFFF}]*(?<![\p{C}\p{Z}])\n?$/u;

/** The 'name' format: a miss raises InvalidName, whose text is the whole answer. */
const NAME: Format = {
  name: 'name',
  check: (v) => {
    if (typeof v === 'string' && PRINTABLE_NAME.test(v)) return true;
    throw badRequest("An invalid 'name' value was provided. The name must be: printable characters. Can not start or end with whitespace.");
  },
};

/**
 * keypair_name_special_chars(_292): allOf the 'name' schema and a name of `safe` characters only
 * (validators.py _validate_keypair_name; 2.92 adds '@' and '.').
 */
function keypairName(safe: string, version: string): JsonSchema {
  const format: Format = {
    name: `keypair_name_${version}`,
    check: (v) => {
      NAME.check(v);
      if ([...(v as string)].every((c) => safe.includes(c))) return true;
      throw badRequest(`An invalid 'name' value was provided. The name must be: Only expected characters: [${safe}]`);
    },
  };
  return { type: 'string', minLength: 1, maxLength: 255, format };
}
const LETTERS = '0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ';
export const keypairName20 = keypairName(`_- ${LETTERS}`, '20');
export const keypairName292 = keypairName(`@._- ${LETTERS}`, '292');

export const BOOLEAN_ENUM = [true, 'True', 'TRUE', 'true', '1', 'ON', 'On', 'on', 'YES', 'Yes', 'yes',
  false, 'False', 'FALSE', 'false', '0', 'OFF', 'Off', 'off', 'NO', 'No', 'no'] as const;

/** oslo's bool_from_string of a value the boolean schema let through. */
export function toBoolean(v: unknown): boolean {
  return v === true || (typeof v === 'string' && ['true', '1', 'on', 'yes'].includes(v.toLowerCase()));
}

export const boolean: JsonSchema = { type: ['boolean', 'string'], enum: BOOLEAN_ENUM };
export const positiveInteger: JsonSchema = { type: ['integer', 'string'], pattern: '^[0-9]*$', minimum: 1, minLength: 1 };
export const hostname: JsonSchema = { type: 'string', minLength: 2, maxLength: 63, pattern: '^[a-zA-Z0-9]+[a-zA-Z0-9-]*[a-zA-Z0-9]+$' };
export const fqdn: JsonSchema = { type: 'string', minLength: 1, maxLength: 255, pattern: '^[a-zA-Z0-9-._]*$' };
export const name: JsonSchema = { type: 'string', minLength: 1, maxLength: 255, format: NAME };
/** parameter_types.description: printable characters only (valid_description_regex). */
export const description: JsonSchema = { type: ['string', 'null'], minLength: 0, maxLength: 255, pattern: validDescriptionRegex() };
export const uuid: JsonSchema = { type: 'string', format: UUID };
export const imageIdOrEmptyString: JsonSchema = { oneOf: [uuid, { type: 'string', maxLength: 0 }] };
export const volumeType: JsonSchema = { type: ['string', 'null'], minLength: 0, maxLength: 255 };
export const adminPassword: JsonSchema = { type: 'string' };
export const flavorRef: JsonSchema = { type: ['string', 'integer'], minLength: 1 };
export const metadata: JsonSchema = {
  type: 'object', patternProperties: { '^[a-zA-Z0-9-_:. ]{1,255}$': { type: 'string', maxLength: 255 } }, additionalProperties: false,
};
export const ipAddress: JsonSchema = { type: 'string', oneOf: [{ format: IPV4 }, { format: IPV6 }] };
export const volumeSize: JsonSchema = { type: ['integer', 'string'], pattern: '^[0-9]+$', minimum: 1, maximum: 0x7FFFFFFF };
export const diskConfig: JsonSchema = { type: 'string', enum: ['AUTO', 'MANUAL'] };
export const accessIPv4: JsonSchema = { type: 'string', format: IPV4 };
export const accessIPv6: JsonSchema = { type: 'string', format: IPV6 };
export const base64: JsonSchema = { type: 'string', format: BASE64 };
export const personality: JsonSchema = {
  type: 'array',
  items: { type: 'object', properties: { path: { type: 'string' }, contents: base64 }, additionalProperties: false },
};
export const tag: JsonSchema = { type: 'string', minLength: 1, maxLength: 60, pattern: '^[^,/]*$' };
export const trustedCerts: JsonSchema = { type: ['array', 'null'], minItems: 1, maxItems: 50, uniqueItems: true, items: { type: 'string', minLength: 1 } };
