// Where the time of one trace went, hop by hop: the time in each service (its entry span less the calls it made to
// the next service) and the time between two services (a call less the span that served it: the transport both
// ways, queues and the wire). Used by print-trace.mjs.

/**
 * @typedef {{ key: string, value: unknown }} Tag
 * @typedef {{ refType: string, spanID: string }} Reference
 * @typedef {{
 *   spanID: string, operationName: string, processID: string, startTime: number, duration: number,
 *   tags: Tag[], references: Reference[]
 * }} Span
 * @typedef {{ traceID: string, spans: Span[], processes: Record<string, { serviceName: string }> }} Trace
 * @typedef {{ label: string, micros: number, note: string }} Budget
 */

/**
 * One line per service and per hop between two services, in the order the request reached them.
 * @param {Trace} trace
 * @returns {Budget[]}
 */
export function hopBudget(trace) {
  /** @param {Span} span */
  const serviceOf = (span) => trace.processes[span.processID]?.serviceName ?? span.processID;
  const byId = new Map(trace.spans.map((s) => [s.spanID, s]));
  /** @param {Span} span */
  const parentOf = (span) => byId.get(span.references.find((r) => r.refType === 'CHILD_OF')?.spanID ?? '');
  /** @type {Map<string, Span[]>} */
  const children = new Map();
  for (const span of trace.spans) {
    const parent = parentOf(span);
    if (parent) children.set(parent.spanID, [...(children.get(parent.spanID) ?? []), span]);
  }
  // A service's entry: a span whose parent is in another service, or none.
  const entries = trace.spans
    .filter((span) => {
      const parent = parentOf(span);
      return parent === undefined || serviceOf(parent) !== serviceOf(span);
    })
    .sort((a, b) => a.startTime - b.startTime);
  /** @type {Budget[]} */
  const budget = [];
  for (const entry of entries) {
    const service = serviceOf(entry);
    /** @type {Array<{ call: Span, served: Span }>} */
    const exits = [];
    /** @param {Span} span */
    const visit = (span) => {
      for (const kid of children.get(span.spanID) ?? []) {
        if (serviceOf(kid) !== service) exits.push({ call: span, served: kid });
        else visit(kid);
      }
    };
    visit(entry);
    const calls = [...new Set(exits.map((e) => e.call))];
    const waited = calls.reduce((sum, call) => sum + call.duration, 0);
    const queued = queueOf(trace, entry, children);
    budget.push({
      label: service,
      micros: entry.duration - waited,
      note: `${entry.operationName} ${(entry.duration / 1000).toFixed(2)} ms${calls.length > 0 ? `, less ${(waited / 1000).toFixed(2)} ms waiting for ${[...new Set(exits.map((e) => serviceOf(e.served)))].join(', ')}` : ''}${queued === undefined ? '' : `; ${queued} ms of it queued for admission`}`,
    });
    for (const { call, served } of exits) {
      budget.push({
        label: `${service} → ${serviceOf(served)}`,
        micros: call.duration - served.duration,
        note: `${call.operationName} ${(call.duration / 1000).toFixed(2)} ms less ${(served.duration / 1000).toFixed(2)} ms served`,
      });
    }
  }
  return budget;
}

/**
 * The gateway's admission wait, from the span below the entry that records it (mono.gateway.queue_ms).
 * @param {Trace} trace
 * @param {Span} entry
 * @param {Map<string, Span[]>} children
 * @returns {unknown}
 */
function queueOf(trace, entry, children) {
  /** @type {Span[]} */
  const pending = [entry];
  while (pending.length > 0) {
    const span = /** @type {Span} */ (pending.pop());
    const queued = span.tags.find((t) => t.key === 'mono.gateway.queue_ms')?.value;
    if (queued !== undefined) return queued;
    for (const kid of children.get(span.spanID) ?? [])
      if (trace.processes[kid.processID] === trace.processes[entry.processID]) pending.push(kid);
  }
  return undefined;
}
