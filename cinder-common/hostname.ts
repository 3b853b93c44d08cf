// volume_utils.sanitize_hostname: the host name an attach records (RFC 952/1123): latin-1
// only, spaces and underscores as dashes, nothing but word characters, dots and dashes,
// lower case, no leading or trailing dot or dash.
export function sanitizeHostname(hostname: string): string {
  return [...hostname].filter((c) => (c.codePointAt(0) as number) <= 0xff).join('')
    .replace(/[ _]/g, '-')
    .replace(/[^\p{L}\p{N}_.-]+/gu, '')
    .toLowerCase()
    .replace(/^[.-]+|[.-]+$/g, '');
}
