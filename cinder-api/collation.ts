// The collation of Cinder's MySQL/MariaDB tables (utf8 *_general_ci): text compares without
// case, accents or trailing spaces. What the API sorts or matches in memory goes through this key
// so it orders and finds as Cinder's SQL does (names "alpha" < "Beta" < "élan" < "Gamma").

/** A string's weight under *_general_ci, as a string that compares by code units. */
export function collationKey(s: string): string {
  return s.normalize('NFD').replace(/\p{M}/gu, '').toUpperCase().replace(/ +$/, '');
}

/** Equality under the collation. */
export const collationEquals = (a: string, b: string): boolean => collationKey(a) === collationKey(b);
