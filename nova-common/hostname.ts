// Nova's utils.sanitize_hostname: the hostname a server gets from its name when none is asked for.
const MAX = 63;

/**
 * Latin-1 characters only, at most 63 of them (cut before the substitutions, as Nova does),
 * space/underscore/dot become '-', anything but word characters, '.' and '-' goes, lower case,
 * no leading or trailing '.'/'-'. May return '' (the caller then picks a default).
 */
export function sanitizeHostname(name: string): string {
  let h = [...name].filter((ch) => (ch.codePointAt(0) ?? 0) <= 0xff).join('').slice(0, MAX);
  h = h.replace(/[ _.]/g, '-');
  // Python's Unicode \w: letters, numbers and '_'.
  h = h.replace(/[^\p{L}\p{N}_.-]+/gu, '');
  return h.toLowerCase().replace(/^[.-]+|[.-]+$/g, '');
}

/**
 * _populate_instance_names: the requested hostname, else the sanitized name ('Server-<uuid>' if
 * nothing is left), suffixed '-<n>' when one request makes several servers.
 */
export function defaultHostname(requested: string | null | undefined, name: string, uuid: string, index: number, count: number): string {
  if (requested) return requested;
  const h = sanitizeHostname(name);
  if (!h) return `Server-${uuid}`;
  return count > 1 ? `${h}-${index + 1}` : h;
}
