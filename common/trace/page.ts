// HTML around the sequence diagram: one request's page (the SVG inline, then its spans as a
// table) and the list of recent requests the all-in-one serves.
import { renderSequenceSvg } from './diagram';
import type { RequestSummary } from './memory-store';
import type { SpanRecord } from './tracer';

const esc = (s: string): string => s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' }[c] as string));
const STYLE = 'body{font-family:sans-serif;margin:16px;color:#263238}table{border-collapse:collapse;font-size:12px}td,th{border:1px solid #cfd8dc;padding:2px 6px;text-align:left}.error{color:#c62828;font-weight:bold}';

function page(title: string, body: string): string {
  return `<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8"><title>${esc(title)}</title><style>${STYLE}</style></head><body>\n${body}\n</body></html>\n`;
}

/** One request: the diagram, then the spans it was drawn from. */
export function renderTracePage(spans: readonly SpanRecord[], requestId: string, listUrl?: string): string {
  const title = `attachd trace ${requestId}`;
  if (!spans.length) return page(title, `<h1>${esc(title)}</h1><p id="empty">No spans recorded for ${esc(requestId)}.</p>${listUrl ? `<p><a href="${esc(listUrl)}">recent requests</a></p>` : ''}`);
  const t0 = Math.min(...spans.map((s) => s.start));
  const rows = spans.map((s) => `<tr class="${s.status === 'error' ? 'error' : ''}"><td>+${Math.round(s.start - t0)}</td><td>${s.duration.toFixed(1)}</td><td>${esc(s.service)}</td>` +
    `<td>${esc(s.kind)}</td><td>${esc(s.name)}</td><td>${esc(s.peer ?? '')}</td><td>${esc(s.requestId ?? '')}</td><td>${esc(s.error ?? '')}</td></tr>`).join('\n');
  return page(title, `<h1>${esc(title)}</h1>${listUrl ? `<p><a href="${esc(listUrl)}">recent requests</a></p>` : ''}\n` +
    `<div id="diagram">${renderSequenceSvg(spans, `${spans[0].globalRequestId ?? requestId} — trace ${spans[0].traceId}`)}</div>\n` +
    `<h2>Spans</h2><table id="spans"><tr><th>start (ms)</th><th>duration (ms)</th><th>process</th><th>kind</th><th>name</th><th>peer</th><th>request id</th><th>error</th></tr>\n${rows}</table>`);
}

/** Recent requests, newest first, each linking to its page. */
export function renderRequestList(reqs: readonly RequestSummary[], base: string): string {
  const rows = reqs.map((r) => {
    const id = r.globalRequestId ?? r.requestId ?? r.traceId;
    return `<tr class="${r.status === 'error' ? 'error' : ''}"><td>${esc(new Date(r.start).toISOString())}</td><td><a href="${esc(base + id)}">${esc(id)}</a></td>` +
      `<td>${esc(r.service)}</td><td>${esc(r.name)}</td><td>${r.duration.toFixed(1)}</td></tr>`;
  }).join('\n');
  return page('attachd: recent requests', `<h1>Recent requests</h1><table id="requests"><tr><th>time</th><th>request</th><th>process</th><th>request</th><th>ms</th></tr>\n${rows}</table>`);
}
