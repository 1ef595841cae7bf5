// Prints one trace from Jaeger's HTTP API as an indented tree (service, span, kind, duration, status), then where its
// time went hop by hop: in each service, and between two services.
// Usage: node tools/trace/print-trace.mjs <trace id | request id> [--jaeger http://127.0.0.1:16686]
//        (or: npx nx run tools:trace <id>). A request id is the edge's X-Request-Id (the span's mono.request.id).
import { hopBudget } from './hop-budget.mjs';

const args = process.argv.slice(2);
const at = args.indexOf('--jaeger');
const jaeger = (at !== -1 ? args[at + 1] : process.env['JAEGER_QUERY_URL']) ?? 'http://127.0.0.1:16686';
const id = args.find((a, i) => !a.startsWith('--') && args[i - 1] !== '--jaeger');
if (!id) {
  console.error('usage: nx run tools:trace <trace id | request id> [--jaeger http://127.0.0.1:16686]');
  process.exit(2);
}
/** How far back a request id is looked for. */
const LOOKBACK_MS = 7 * 24 * 3600 * 1000;

/**
 * The parts of Jaeger's /api/traces answer this prints.
 * @typedef {import('./hop-budget.mjs').Span} Span
 * @typedef {import('./hop-budget.mjs').Trace} Trace
 * @typedef {{ data?: Trace[] | null, errors?: Array<{ msg: string }> | null }} TracesAnswer
 */

/**
 * @param {string} path
 * @returns {Promise<TracesAnswer & { status: number }>}
 */
async function query(path) {
  try {
    const res = await fetch(`${jaeger}${path}`);
    const answer = /** @type {TracesAnswer} */ (await res.json());
    return { ...answer, status: res.status };
  } catch (err) {
    console.error(`${id}: cannot ask Jaeger at ${jaeger} (${err instanceof Error ? err.message : String(err)})`);
    process.exit(1);
  }
}

/** @type {Trace | undefined} */
let trace;
if (/^[0-9a-f]{32}$/i.test(id)) trace = (await query(`/api/traces/${id.toLowerCase()}`)).data?.[0];
if (!trace) {
  // Not a trace id (a request id is 32 hex digits too, or a trusted proxy's own): the edge span that names it.
  const now = Date.now();
  const search = new URLSearchParams({
    service: 'edge',
    tags: JSON.stringify({ 'mono.request.id': id }),
    start: String((now - LOOKBACK_MS) * 1000),
    end: String(now * 1000),
    limit: '20',
  });
  const answer = await query(`/api/traces?${search}`);
  if (answer.status >= 400) {
    console.error(`${id}: Jaeger at ${jaeger} answered ${answer.errors?.[0]?.msg ?? `HTTP ${answer.status}`}`);
    process.exit(1);
  }
  trace = (answer.data ?? []).sort((a, b) => startOf(b) - startOf(a))[0];
}
if (!trace) {
  console.error(`${id}: no trace with that id, nor one whose request id it is, in Jaeger at ${jaeger} (yet?)`);
  process.exit(1);
}
const found = trace;

/** @param {Trace} t */
function startOf(t) {
  return Math.min(...t.spans.map((s) => s.startTime));
}

/**
 * @param {Span} span
 * @param {string} key
 */
const tag = (span, key) => span.tags.find((t) => t.key === key)?.value;
/** @param {Span} span */
const serviceOf = (span) => found.processes[span.processID]?.serviceName ?? span.processID;
const byId = new Map(found.spans.map((s) => [s.spanID, s]));
/** @type {Map<string, Span[]>} */
const children = new Map();
/** @type {Array<{ span: Span, parent: string | undefined }>} */
const roots = [];
for (const span of found.spans) {
  const parent = span.references.find((r) => r.refType === 'CHILD_OF')?.spanID;
  if (parent && byId.has(parent)) children.set(parent, [...(children.get(parent) ?? []), span]);
  else roots.push({ span, parent });
}
// In the order the request reached them.
const services = new Set([...found.spans].sort((a, b) => a.startTime - b.startTime).map(serviceOf));
console.log(`trace ${found.traceID}: ${found.spans.length} spans, services ${[...services].join(', ')}`);

/**
 * @param {Span} span
 * @param {string} prefix
 */
const line = (span, prefix, note = '') => {
  const service = serviceOf(span);
  const kind = String(tag(span, 'span.kind') ?? 'internal').toUpperCase();
  const status = tag(span, 'otel.status_code') === 'ERROR' ? `ERROR ${tag(span, 'error.type') ?? ''}`.trim() : 'ok';
  const http = tag(span, 'http.response.status_code');
  const ms = (span.duration / 1000).toFixed(2);
  console.log(
    `${prefix}${service}  ${span.operationName}  ${kind}  ${ms} ms  ${status}${http ? ` (HTTP ${http})` : ''}${note}`,
  );
};
/**
 * @param {Span} span
 * @param {string} indent
 */
const walk = (span, indent) => {
  const kids = (children.get(span.spanID) ?? []).sort((a, b) => a.startTime - b.startTime);
  kids.forEach((kid, i) => {
    const isLast = i === kids.length - 1;
    line(kid, `${indent}${isLast ? '└─ ' : '├─ '}`);
    walk(kid, `${indent}${isLast ? '   ' : '│  '}`);
  });
};
for (const { span, parent } of roots.sort((a, b) => a.span.startTime - b.span.startTime)) {
  line(span, '', parent ? `  [parent ${parent} is outside this trace]` : '');
  walk(span, '');
}
const budget = hopBudget(found);
const width = Math.max(...budget.map((b) => b.label.length));
console.log('where the time went (ms, the whole response, body included):');
for (const { label, micros, note } of budget)
  console.log(`  ${label.padEnd(width)}  ${(micros / 1000).toFixed(2).padStart(8)}  ${note}`);
// The same trace in the Jaeger UI, unless this Jaeger serves only its placeholder page (no UI assets).
const page = await fetch(`${jaeger}/trace/${found.traceID}`)
  .then((res) => res.text())
  .catch(() => '');
if (page !== '' && !page.includes('This is a placeholder for the Jaeger UI'))
  console.log(`${jaeger}/trace/${found.traceID}`);
