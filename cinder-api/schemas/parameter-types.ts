// cinder/api/validation/parameter_types.py and the format checkers of validators.py, as
// @Schema keyword objects (keys in Cinder's order: the first failing one is the message).
import { badRequest, validDescriptionRegex, type Format, type JsonSchema } from '../../common/api';

export const DB_MAX_INT = 2147483647;

const UUID_LIKE = /^[0-9a-fA-F]{8}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{12}$/;

/** uuidutils.is_uuid_like. */
const UUID: Format = { name: 'uuid', check: (v) => typeof v === 'string' && UUID_LIKE.test(v) };

/** Python's len() of a stripped string (code points). */
const strippedLength = (v: string): number => [...v.trim()].length;

/**
 * _validate_string_length(remove_whitespaces) of the name/description formats: utils.check_string_length
 * raises its InvalidInput, which is the answer (it names `name` or `description`, whichever spelling was sent).
 */
const lengthAtMost255 = (entity: string): Format => ({
  name: `${entity}_non_mandatory_remove_white_spaces`,
  check: (v) => {
    const n = typeof v === 'string' && v ? strippedLength(v) : 0;
    if (n > 255) throw badRequest(`Invalid input received: ${entity} has ${n} characters, more than 255.`);
    return true;
  },
});

/** The 'name' format (InvalidName: its text is the whole answer). */
const NAME: Format = {
  name: 'name',
  check: (v) => {
    if (!v) throw badRequest("An invalid 'name' value was provided. The 'name' can not be None.");
    if (typeof v === 'string' && !v.trim()) throw badRequest("An invalid 'name' value was provided. The 'name' can not be empty.");
    return true;
  },
};

/**
 * The 'name_skip_leading_trailing_spaces' format: a transfer's name, 1..255 characters once
 * stripped. Inside the schema's oneOf its InvalidName only fails that branch, so the answer is
 * jsonschema's "is not valid under any of the given schemas".
 */
const NAME_SKIP_SPACES: Format = {
  name: 'name_skip_leading_trailing_spaces',
  check: (v) => typeof v !== 'string' || (strippedLength(v) >= 1 && strippedLength(v) <= 255),
};
export const nameSkipSpaces: JsonSchema = { oneOf: [{ type: 'string', format: NAME_SKIP_SPACES }, { type: 'null' }] };

/** The same format outside a oneOf (a QoS spec's name): its InvalidName is the whole answer. */
const NAME_SKIP_SPACES_ALONE: Format = {
  name: 'name_skip_leading_trailing_spaces',
  check: (v) => {
    if (typeof v !== 'string') return true;
    const why = !v ? 'can not be None.' : !strippedLength(v) ? 'can not be empty.' : strippedLength(v) > 255 ? 'can not be greater than 255 characters.' : null;
    if (why) throw badRequest(`An invalid 'name' value was provided. The 'name' ${why}`);
    return true;
  },
};
export const nameSkipSpacesAlone: JsonSchema = { type: 'string', format: NAME_SKIP_SPACES_ALONE };

/** The 'disabled_reason' format: 1..255 characters once stripped (its InvalidInput is caught: "is not a 'disabled_reason'"). */
export const DISABLED_REASON: Format = {
  name: 'disabled_reason',
  check: (v) => typeof v !== 'string' || !v || (strippedLength(v) >= 1 && strippedLength(v) <= 255),
};

export const BOOLEAN_ENUM = [true, 'True', 'TRUE', 'true', '1', 'ON', 'On', 'on', 'YES', 'Yes', 'yes', 'y', 't',
  false, 'False', 'FALSE', 'false', '0', 'OFF', 'Off', 'off', 'NO', 'No', 'no', 'n', 'f'] as const;

/** oslo's bool_from_string of a value the boolean schema let through. */
export function toBoolean(v: unknown): boolean {
  return v === true || (typeof v === 'string' && ['true', '1', 'on', 'yes', 'y', 't'].includes(v.toLowerCase()));
}

export const boolean: JsonSchema = { type: ['boolean', 'string'], enum: BOOLEAN_ENUM };
export const optionalBoolean: JsonSchema = { oneOf: [{ type: 'null' }, boolean] };
export const uuid: JsonSchema = { type: 'string', format: UUID };
export const uuidAllowNull: JsonSchema = { oneOf: [uuid, { type: 'null' }] };
export const optionalUuid: JsonSchema = { oneOf: [{ type: 'null' }, uuid] };
export const name: JsonSchema = { type: 'string', minLength: 1, maxLength: 255, format: NAME };
export const updateName: JsonSchema = { type: ['string', 'null'], minLength: 1, maxLength: 255 };
/** parameter_types.description: printable characters only (valid_description_regex). */
export const description: JsonSchema = { type: ['string', 'null'], minLength: 0, maxLength: 255, pattern: validDescriptionRegex() };
export const nameAllowZeroMinLength: JsonSchema = { type: ['string', 'null'], minLength: 0, maxLength: 255 };
export const nullableString: JsonSchema = nameAllowZeroMinLength;
export const availabilityZone: JsonSchema = { type: ['string', 'null'], minLength: 1, maxLength: 255 };
/** The volumes schemas' name and description: strings or null, at most 255 characters once stripped. */
export const nameRemoveWhiteSpaces: JsonSchema = { type: ['string', 'null'], format: lengthAtMost255('name') };
export const descriptionRemoveWhiteSpaces: JsonSchema = { type: ['string', 'null'], format: lengthAtMost255('description') };

/** The 'key_size' format (InvalidInput: its text is the answer): strutils.is_int_like. */
const KEY_SIZE: Format = {
  name: 'key_size',
  check: (v) => {
    if (v === null || v === undefined) return true;
    if (!(typeof v === 'number' ? Number.isInteger(v) : typeof v === 'string' && /^-?(0|[1-9][0-9]*)$/.test(v))) {
      throw badRequest('Invalid input received: key_size must be an integer.');
    }
    return true;
  },
};
export const keySize: JsonSchema = { type: ['string', 'integer', 'null'], minimum: 0, maximum: DB_MAX_INT, format: KEY_SIZE };
export const volumeSize: JsonSchema = { type: ['integer', 'string'], pattern: '^[0-9]+$', minimum: 1, maximum: DB_MAX_INT };
export const volumeSizeAllowsNull: JsonSchema = { ...volumeSize, type: ['integer', 'string', 'null'] };

const SPEC_KEY = '^[a-zA-Z0-9-_:. /]{1,255}$';
export const extraSpecs: JsonSchema = {
  type: 'object', patternProperties: { [SPEC_KEY]: { type: 'string', maxLength: 255 } }, additionalProperties: false,
};
export const extraSpecsWithNull: JsonSchema = {
  type: 'object', patternProperties: { [SPEC_KEY]: { type: ['string', 'null'], maxLength: 255 } }, additionalProperties: false,
};
export const extraSpecsWithNoSpacesKey: JsonSchema = {
  type: 'object', patternProperties: { '^[a-zA-Z0-9-_:.]{1,255}$': { type: ['string', 'null'], minLength: 0, maxLength: 255 } }, additionalProperties: false,
};
export const metadataAllowsNull: JsonSchema = { ...extraSpecs, type: ['object', 'null'] };

/** parameter_types.hostname: a service's host (underscores, colons, slashes, '@' and '#' allowed; no brackets). */
export const hostname: JsonSchema = { type: ['string', 'null'], minLength: 1, maxLength: 255, pattern: '^[a-zA-Z0-9-._#@:/+]*$' };

export const cinderHost: JsonSchema = { type: ['string', 'null'], minLength: 1, maxLength: 255, pattern: '^[a-zA-Z0-9-._#@:/+\\[\\]]*$' };

/** {'anyOf': [{'required': [k]}, ...]}: at least one of the keys. */
export const anyOfRequired = (...keys: string[]): JsonSchema => ({ anyOf: keys.map((k) => ({ required: [k] })) });
