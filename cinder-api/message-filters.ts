// The filters of a message list (v3 messages.py index → db message_get_all): from 3.31 a
// non-admin may name only resource_filters.json's "message" keys (400 otherwise; all_tenants is
// dropped); every key must then name a messages column, matched exactly as SQL compares, or,
// as `key~`, by LIKE '%value%'. A key naming no column lists nothing.
import type { APIVersion } from '../common/api';
import { Message } from '../cinder-common/entities';
import { collationKey } from './collation';
import { columnsOf, rejectInvalidFilters, sqlEquals } from './list-filters';
import { RESOURCE_FILTER } from './microversions';
import { RESOURCE_FILTERS } from './resource-filters';

const USER_MESSAGE_FILTERS = RESOURCE_FILTERS.message;

let columns: Map<string, keyof Message> | undefined;
/** The messages columns (also the list's sort keys). */
export const messageColumns = (): Map<string, keyof Message> => (columns ??= columnsOf(Message));

export interface MessageFilters { valid: boolean; matches: (m: Message) => boolean }

/** `q` holds only filters (the paging and sorting keys taken off); `leftover` names repeats of those. */
export function messageFilters(q: Record<string, string | string[] | undefined>, version: APIVersion, isAdmin: boolean, leftover: string[] = []): MessageFilters {
  let keys = [...Object.keys(q), ...leftover];
  if (version.atLeast(RESOURCE_FILTER)) {
    rejectInvalidFilters(keys, isAdmin, USER_MESSAGE_FILTERS);
    if (!isAdmin) keys = keys.filter((k) => k !== 'all_tenants');
  }
  const tests: Array<(m: Message) => boolean> = [];
  for (const key of keys) {
    const like = key.endsWith('~');
    const field = messageColumns().get(key.replace(/~+$/, ''));
    if (!field) return { valid: false, matches: () => false };
    const raw = q[key];
    const want = Array.isArray(raw) ? raw[raw.length - 1] : raw ?? '';
    if (like) tests.push((m) => { const x = m[field]; return x !== null && x !== undefined && collationKey(String(x)).includes(collationKey(want)); });
    else tests.push((m) => sqlEquals(m[field], want));
  }
  return { valid: true, matches: (m) => tests.every((t) => t(m)) };
}
