// os-quota-sets PUT body (nova schemas/quota_sets.py): {"quota_set": {<resource>: limit, "force"}},
// each limit an integer (or its string) from -1 up to MAX_INT; the resources by microversion.
import { IsDefined } from '../../common/api/class-validator';
import { Schema, type APIVersion, type JsonSchema } from '../../common/api';
import { NETWORK_QUOTAS, PERSONALITY_QUOTAS, QUOTA_RESOURCES, shownResources } from '../compute/quotas';
import * as t from './parameter-types';

const limit: JsonSchema = { type: ['integer', 'string'], pattern: '^-?[0-9]+$', minimum: -1, maximum: 0x7FFFFFFF };

/**
 * The quota_set object's schema: `networks` stays accepted below 2.36 (to be refused by name).
 * Nova's schema leaves out `type: object` (a number there is its 500); here it is a 400.
 */
function quotaSetSchema(v: APIVersion): JsonSchema {
  const names = [...shownResources((x) => v.atLeast(x)), ...(v.atLeast('2.36') ? [] : ['networks'])];
  return {
    type: 'object',
    properties: { ...Object.fromEntries(names.map((n) => [n, limit])), force: t.boolean },
    additionalProperties: false,
  };
}

export interface QuotaSetBody { quota_set: Record<string, unknown> }

const cache = new Map<string, new () => QuotaSetBody>();

/** The body's DTO at a microversion (three shapes: before 2.36, to 2.56, from 2.57). */
export function quotaSetBody(v: APIVersion): new () => QuotaSetBody {
  const key = v.atLeast('2.57') ? '2.57' : v.atLeast('2.36') ? '2.36' : '2.1';
  let cls = cache.get(key);
  if (!cls) {
    const schema = quotaSetSchema(v);
    class Body {
      @IsDefined() @Schema(schema) quota_set!: Record<string, unknown>;
    }
    cls = Body;
    cache.set(key, cls);
  }
  return cls;
}

export interface QuotaClassSetBody { quota_class_set: Record<string, unknown> }

const classCache = new Map<string, new () => QuotaClassSetBody>();

/** The quota class PUT body's DTO (quota_classes.py update, update_v250, update_v257): no force. */
export function quotaClassSetBody(v: APIVersion): new () => QuotaClassSetBody {
  const key = v.atLeast('2.57') ? '2.57' : v.atLeast('2.50') ? '2.50' : '2.1';
  let cls = classCache.get(key);
  if (!cls) {
    const hidden = [...(key !== '2.1' ? [...NETWORK_QUOTAS, 'networks'] : []), ...(key === '2.57' ? PERSONALITY_QUOTAS : [])];
    const names = [...QUOTA_RESOURCES, 'networks'].filter((n) => !hidden.includes(n));
    const schema: JsonSchema = { type: 'object', properties: Object.fromEntries(names.map((n) => [n, limit])), additionalProperties: false };
    class Body {
      @IsDefined() @Schema(schema) quota_class_set!: Record<string, unknown>;
    }
    cls = Body;
    classCache.set(key, cls);
  }
  return cls;
}

export const { toBoolean } = t;
