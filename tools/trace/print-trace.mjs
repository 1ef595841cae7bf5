// Prints one trace from Jaeger's HTTP API as an indented tree: service, span, kind, duration, status.
// Usage: node tools/trace/print-trace.mjs <trace id> [--jaeger http://127.0.0.1:16686]   (or: npx nx run tools:trace <id>)
const args = process.argv.slice(2);
const at = args.indexOf('--jaeger');
const jaeger = (at !== -1 ? args[at + 1] : process.env['JAEGER_QUERY_URL']) ?? 'http://127.0.0.1:16686';
const traceId = args.find((a, i) => /^[0-9a-f]{32}$/i.test(a) && args[i - 1] !== '--jaeger');
if (!traceId) {
  console.error('usage: nx run tools:trace <32-hex trace id> [--jaeger http://127.0.0.1:16686]');
  process.exit(2);
}

/**
 * The parts of Jaeger's /api/traces answer this prints.
 * @typedef {{ key: string, value: unknown }} Tag
 * @typedef {{ refType: string, spanID: string }} Reference
 * @typedef {{
 *   spanID: string, operationName: string, processID: string, startTime: number, duration: number,
 *   tags: Tag[], references: Reference[]
 * }} Span
 * @typedef {{ traceID: string, spans: Span[], processes: Record<string, { serviceName: string }> }} Trace
 * @typedef {{ data?: Trace[], errors?: Array<{ msg: string }> }} TracesAnswer
 */

/** @type {TracesAnswer} */
let body;
try {
  const res = await fetch(`${jaeger}/api/traces/${traceId.toLowerCase()}`);
  body = /** @type {TracesAnswer} */ (await res.json());
  if (!res.ok) throw new Error(body.errors?.[0]?.msg ?? `HTTP ${res.status}`);
} catch (err) {
  console.error(
    `trace ${traceId}: cannot read it from ${jaeger} (${err instanceof Error ? err.message : String(err)})`,
  );
  process.exit(1);
}
const trace = body.data?.[0];
if (!trace) {
  console.error(`trace ${traceId}: not in Jaeger at ${jaeger} (yet?)`);
  process.exit(1);
}

/**
 * @param {Span} span
 * @param {string} key
 */
const tag = (span, key) => span.tags.find((t) => t.key === key)?.value;
/** @param {Span} span */
const serviceOf = (span) => trace.processes[span.processID]?.serviceName ?? span.processID;
const byId = new Map(trace.spans.map((s) => [s.spanID, s]));
/** @type {Map<string, Span[]>} */
const children = new Map();
/** @type {Array<{ span: Span, parent: string | undefined }>} */
const roots = [];
for (const span of trace.spans) {
  const parent = span.references.find((r) => r.refType === 'CHILD_OF')?.spanID;
  if (parent && byId.has(parent)) children.set(parent, [...(children.get(parent) ?? []), span]);
  else roots.push({ span, parent });
}
const services = new Set(trace.spans.map(serviceOf));
console.log(`trace ${trace.traceID}: ${trace.spans.length} spans, services ${[...services].join(', ')}`);

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
// The same trace in the Jaeger UI, unless this Jaeger serves only its placeholder page (no UI assets).
const page = await fetch(`${jaeger}/trace/${trace.traceID}`)
  .then((res) => res.text())
  .catch(() => '');
if (page !== '' && !page.includes('This is a placeholder for the Jaeger UI'))
  console.log(`${jaeger}/trace/${trace.traceID}`);
