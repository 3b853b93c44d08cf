// One request's spans as a sequence diagram (SVG): a lifeline per process and per thing they
// talk to, an arrow per REST call, RPC message, database unit of work and driver call,
// labelled with the method or action and its duration. A failed step is red; what runs to
// undo a failure (spans under a rollback span) is orange and dashed, marked ↺.
import type { SpanRecord } from './tracer';

export type ArrowKind = 'rest' | 'rpc' | 'reply' | 'db' | 'driver' | 'note';

export interface Arrow {
  from: string;
  to: string;
  at: number;
  label: string;
  kind: ArrowKind;
  failed: boolean;
  rollback: boolean;
  /** The span behind it (for the DOM and tests). */
  spanId: string;
  /** Its parent span: consecutive database arrows under one parent are drawn as one. */
  parentSpanId: string | null;
  /** Time the arrow's span took (ms), for merged database arrows. */
  duration: number;
}

/** Lifelines left to right, in the order a request crosses them. */
const ORDER = ['client', 'nova-api', 'nova-compute', 'hypervisor', 'broker', 'cinder-api', 'cinder-volume', 'target', 'database'];

const ms = (d: number): string => (d >= 100 ? `${Math.round(d)} ms` : `${d.toFixed(1)} ms`);
const str = (v: unknown): string => (v === undefined || v === null ? '' : String(v));

/** The arrows of a set of spans, in time order. */
export function arrowsOf(spans: readonly SpanRecord[]): Arrow[] {
  const byId = new Map(spans.map((s) => [s.spanId, s]));
  const rollbackMemo = new Map<string, boolean>();
  const inRollback = (s: SpanRecord | undefined, depth = 0): boolean => {
    if (!s || depth > 64) return false;
    const m = rollbackMemo.get(s.spanId);
    if (m !== undefined) return m;
    const r = s.attrs.rollback === true || inRollback(s.parentSpanId ? byId.get(s.parentSpanId) : undefined, depth + 1);
    rollbackMemo.set(s.spanId, r);
    return r;
  };
  const served = new Set<string>();
  for (const s of spans) if (s.kind === 'server' && s.parentSpanId) served.add(s.parentSpanId);
  const out: Arrow[] = [];
  const push = (s: SpanRecord, a: Omit<Arrow, 'failed' | 'rollback' | 'spanId' | 'parentSpanId' | 'duration'>): void => {
    out.push({ failed: s.status === 'error', rollback: inRollback(s), spanId: s.spanId, parentSpanId: s.parentSpanId, duration: s.duration, ...a });
  };
  for (const s of spans) {
    const end = s.start + s.duration;
    const parent = s.parentSpanId ? byId.get(s.parentSpanId) : undefined;
    const err = s.status === 'error' && s.error ? ` ✗ ${s.error}` : '';
    if (s.attrs['http.method'] !== undefined && s.kind === 'server') {
      const caller = parent && parent.kind === 'client' && parent.attrs['http.method'] !== undefined ? parent.service : 'client';
      const what = [s.attrs['http.method'], s.attrs['http.route'], s.attrs['http.action']].map(str).filter(Boolean).join(' ');
      push(s, { from: caller, to: s.service, at: s.start, label: `${what} (${ms(s.duration)})`, kind: 'rest' });
      push(s, { from: s.service, to: caller, at: end, label: `${str(s.attrs['http.status_code']) || '—'}${err}`, kind: 'reply' });
    } else if (s.attrs['http.method'] !== undefined && s.kind === 'client' && !served.has(s.spanId)) {
      // The server side was not recorded (another project's store, or the call never arrived).
      const what = [s.name, s.attrs['http.action']].map(str).filter(Boolean).join(' ');
      push(s, { from: s.service, to: s.peer ?? 'client', at: s.start, label: `${what} (${ms(s.duration)})`, kind: 'rest' });
      if (s.status === 'error') push(s, { from: s.peer ?? 'client', to: s.service, at: end, label: `${str(s.attrs['http.status_code']) || 'no answer'}${err}`, kind: 'reply' });
    } else if (s.attrs['http.method'] !== undefined && s.kind === 'client') {
      // Drawn from its server span (above), which knows the route and the action.
    } else if (s.attrs['rpc.method'] !== undefined && (s.kind === 'client' || s.kind === 'producer')) {
      push(s, { from: s.service, to: 'broker', at: s.start, label: `${str(s.attrs['rpc.kind'])} ${s.name} → ${str(s.attrs['rpc.topic'])}${s.kind === 'producer' ? err : ''}`, kind: 'rpc' });
    } else if (s.attrs['rpc.method'] !== undefined) {
      push(s, { from: 'broker', to: s.service, at: s.start, label: `${s.name} (${ms(s.duration)})`, kind: 'rpc' });
      if (s.kind === 'server') {
        const to = parent && parent.service !== s.service ? parent.service : 'broker';
        push(s, { from: s.service, to, at: end, label: `reply ${s.name}${err}`, kind: 'reply' });
      }
    } else if (s.peer) {
      push(s, { from: s.service, to: s.peer, at: s.start, label: `${s.name} (${ms(s.duration)})${err}`, kind: s.peer === 'database' ? 'db' : 'driver' });
    } else if (s.attrs.rollback === true) {
      push(s, { from: s.service, to: s.service, at: s.start, label: `↺ ${s.name}`, kind: 'note' });
    }
  }
  return mergeDatabaseRuns(out.sort((a, b) => a.at - b.at));
}

/** Back-to-back units of work of one step as one arrow: `db: volumeGet, metadataGet ×2 (1.9 ms)`. */
function mergeDatabaseRuns(arrows: Arrow[]): Arrow[] {
  const out: Arrow[] = [];
  let run: Arrow[] = [];
  const flush = (): void => {
    if (run.length === 1) out.push(run[0]);
    else if (run.length > 1) {
      const names: Array<[string, number]> = [];
      for (const a of run) {
        const n = a.label.replace(/ \(.*$/, '').replace(/^db\./, '');
        const last = names[names.length - 1];
        if (last && last[0] === n) last[1]++;
        else names.push([n, 1]);
      }
      const total = run.reduce((t, a) => t + a.duration, 0);
      const shown = names.map(([n, k]) => (k > 1 ? `${n} ×${k}` : n));
      const list = shown.length > 4 ? `${shown.slice(0, 4).join(', ')} +${shown.length - 4} more` : shown.join(', ');
      out.push({ ...run[0], label: `db: ${list} (${ms(total)})`, duration: total });
    }
    run = [];
  };
  for (const a of arrows) {
    const prev = run[run.length - 1];
    const joins = a.kind === 'db' && !a.failed && (!prev || (prev.from === a.from && prev.parentSpanId === a.parentSpanId && prev.rollback === a.rollback));
    if (!joins) flush();
    if (a.kind === 'db' && !a.failed) run.push(a);
    else out.push(a);
  }
  flush();
  return out;
}

function lifelinesOf(arrows: readonly Arrow[]): string[] {
  const used = new Set<string>();
  for (const a of arrows) {
    used.add(a.from);
    used.add(a.to);
  }
  const known = ORDER.filter((l) => used.has(l));
  return [...known, ...[...used].filter((l) => !ORDER.includes(l)).sort()];
}

const esc = (s: string): string => s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' }[c] as string));

const COL = 170;
const ROW = 26;
const LEFT = 70;
const TOP = 56;
const RED = '#c62828';
const ORANGE = '#e65100';

/** The SVG of one request. */
export function renderSequenceSvg(spans: readonly SpanRecord[], title = ''): string {
  const arrows = arrowsOf(spans);
  const lanes = lifelinesOf(arrows);
  const x = (l: string): number => LEFT + COL / 2 + lanes.indexOf(l) * COL;
  const width = LEFT + Math.max(1, lanes.length) * COL + 20;
  const height = TOP + arrows.length * ROW + 60;
  const t0 = spans.length ? Math.min(...spans.map((s) => s.start)) : 0;
  const parts: string[] = [];
  parts.push(`<svg xmlns="http://www.w3.org/2000/svg" class="sequence" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="sans-serif" font-size="11">`);
  parts.push('<defs><marker id="ah" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="7" markerHeight="7" orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z" fill="context-stroke"/></marker></defs>');
  parts.push(`<rect width="${width}" height="${height}" fill="#fff"/>`);
  if (title) parts.push(`<text x="8" y="16" font-size="12" font-weight="bold">${esc(title)}</text>`);
  // Rollback bands behind their rows.
  arrows.forEach((a, i) => {
    if (a.rollback) parts.push(`<rect class="rollback-band" x="${LEFT}" y="${TOP + i * ROW - ROW / 2 + 4}" width="${width - LEFT - 10}" height="${ROW}" fill="#fff3e0"/>`);
  });
  for (const l of lanes) {
    parts.push(`<g class="lifeline" data-lifeline="${esc(l)}"><rect x="${x(l) - 60}" y="24" width="120" height="22" rx="4" fill="#e3f2fd" stroke="#1565c0"/>` +
      `<text x="${x(l)}" y="39" text-anchor="middle" font-weight="bold">${esc(l)}</text>` +
      `<line x1="${x(l)}" y1="46" x2="${x(l)}" y2="${height - 40}" stroke="#90a4ae" stroke-dasharray="4 3"/></g>`);
  }
  arrows.forEach((a, i) => {
    const y = TOP + i * ROW + 8;
    const color = a.failed ? RED : a.rollback ? ORANGE : '#263238';
    const dash = a.kind === 'reply' || a.rollback ? ' stroke-dasharray="5 3"' : '';
    // Long texts (errors) are cut: the full text is in the spans table and the <title> tooltip.
    const full = `${a.rollback && a.kind !== 'note' ? '↺ ' : ''}${a.label}`;
    const label = full.length > 100 ? `${full.slice(0, 99)}…` : full;
    const attrs = `class="message" data-kind="${a.kind}" data-from="${esc(a.from)}" data-to="${esc(a.to)}" data-status="${a.failed ? 'error' : 'ok'}" data-rollback="${a.rollback}" data-span="${a.spanId}"`;
    parts.push(`<g ${attrs}><title>${esc(full)}</title>`);
    parts.push(`<text x="4" y="${y + 4}" fill="#78909c">+${Math.round(a.at - t0)} ms</text>`);
    if (a.from === a.to) {
      parts.push(`<text x="${x(a.from) + 6}" y="${y + 4}" fill="${color}" font-style="italic">${esc(label)}</text>`);
    } else {
      const x1 = x(a.from);
      const x2 = x(a.to);
      parts.push(`<line x1="${x1}" y1="${y}" x2="${x2}" y2="${y}" stroke="${color}" stroke-width="${a.failed ? 2 : 1.2}"${dash} marker-end="url(#ah)"/>`);
      parts.push(`<text x="${Math.min(x1, x2) + 6}" y="${y - 4}" fill="${color}"${a.failed ? ' font-weight="bold"' : ''}>${esc(label)}</text>`);
    }
    parts.push('</g>');
  });
  const ly = height - 18;
  parts.push(`<g class="legend"><text x="8" y="${ly}" fill="#263238">── call / message</text><text x="140" y="${ly}" fill="#263238">- - reply</text>` +
    `<text x="220" y="${ly}" fill="${RED}" font-weight="bold">red: failed step</text><text x="340" y="${ly}" fill="${ORANGE}">↺ orange: rollback</text></g>`);
  parts.push('</svg>');
  return parts.join('\n');
}
