// Output the way novaclient/cinderclient print it: prettytable-style ASCII tables (a
// Property/Value table for one object, columns for lists), or raw JSON with --json.
import Table from 'cli-table3';

const ASCII = {
  top: '-', 'top-mid': '+', 'top-left': '+', 'top-right': '+',
  bottom: '-', 'bottom-mid': '+', 'bottom-left': '+', 'bottom-right': '+',
  left: '|', 'left-mid': '+', mid: '-', 'mid-mid': '+',
  right: '|', 'right-mid': '+', middle: '|',
};

function cell(v: unknown): string {
  if (v === null || v === undefined) return '-';
  // A referenced resource (e.g. a server's image) shows as its id.
  if (typeof v === 'object' && !Array.isArray(v) && 'links' in v && 'id' in v) return String((v as { id: unknown }).id);
  if (typeof v === 'object') return JSON.stringify(v);
  return String(v);
}

function render(head: string[], rows: string[][]): string {
  const t = new Table({ head, chars: ASCII, style: { head: [], border: [], compact: false, 'padding-left': 1, 'padding-right': 1 } });
  // Only the header separator, like prettytable: no line between rows.
  t.push(...rows);
  return t.toString().split('\n').filter((line, i, all) => i <= 2 || i === all.length - 1 || !/^\+[-+]+\+$/.test(line)).join('\n');
}

/** One object as Property/Value rows; links are left out, as novaclient and cinderclient do. */
export function propertyTable(obj: Record<string, unknown>): string {
  const keys = Object.keys(obj).filter((k) => k !== 'links').sort();
  return render(['Property', 'Value'], keys.map((k) => [k, cell(obj[k])]));
}

export function listTable(columns: Array<[string, (row: Record<string, unknown>) => unknown]>, rows: Array<Record<string, unknown>>): string {
  return render(columns.map(([h]) => h), rows.map((r) => columns.map(([, f]) => cell(f(r)))));
}
