import { ROOT_CONTEXT, TraceFlags, trace, type Context } from '@opentelemetry/api';

/**
 * What startTelemetry knows of the SDK it set up, for the paths that skip it when nothing would be recorded. Global
 * because each bundle has its own copy of this module.
 */
interface SamplingFacts {
  /** The sampler follows the parent's decision (parentbased_*, or always_off, which records nothing anywhere). */
  parentBased: boolean;
  /** always_off: no span is ever recorded. */
  off: boolean;
  /** The propagators are W3C Trace Context, with or without W3C Baggage, and nothing else. */
  w3c: boolean;
}

const FACTS = Symbol.for('mono.telemetry.samplingFacts');
const NONE: SamplingFacts = { parentBased: false, off: false, w3c: false };

function facts(): SamplingFacts {
  return ((globalThis as Record<symbol, unknown>)[FACTS] as SamplingFacts | undefined) ?? NONE;
}

/** Told by startTelemetry once the SDK runs; without it, every path below takes the SDK's way. */
export function setSamplingFacts(next: SamplingFacts): void {
  (globalThis as Record<symbol, unknown>)[FACTS] = { ...next };
}

/**
 * True when nothing started under `parent` would be recorded: its span context says "not sampled" and the sampler
 * follows the parent. Hops then carry the parent's context on as it is instead of making spans nobody records,
 * which costs id generation and attribute checks on every request with tracing off.
 *
 * @example
 * if (unsampledBelow(context.active())) return context.active();
 */
export function unsampledBelow(parent: Context): boolean {
  const spanContext = trace.getSpanContext(parent);
  return spanContext !== undefined && (spanContext.traceFlags & TraceFlags.SAMPLED) === 0 && facts().parentBased;
}

/** True when the sampler is always_off: a new trace is never recorded either. */
export function tracingOff(): boolean {
  return facts().off;
}

/** `00-<trace id>-<parent id>-00`: version 00, not sampled. Other versions and flags take the propagator. */
const UNSAMPLED_TRACEPARENT = /^00-[0-9a-f]{32}-[0-9a-f]{16}-00$/;
const ZERO_TRACE_ID = '0'.repeat(32);
const ZERO_SPAN_ID = '0'.repeat(16);

/**
 * The context `propagation.extract(ROOT_CONTEXT, carrier)` would give, built without the propagation API, for the
 * common case of a hop under a request nobody records: a carrier holding only an unsampled W3C `traceparent`, W3C
 * propagators and a parent-based sampler. Anything else (tracestate, baggage, B3, a sampled parent, another version)
 * is `undefined`: the caller extracts as usual. Extracting through the composite propagator cost ~640 ns a hop.
 *
 * @example
 * const parent = unsampledRemoteContext(carrier) ?? propagation.extract(ROOT_CONTEXT, carrier);
 */
export function unsampledRemoteContext(carrier: Readonly<Record<string, string>>): Context | undefined {
  const { parentBased, w3c } = facts();
  if (!parentBased || !w3c) return undefined;
  let only: string | undefined;
  for (const key in carrier) {
    if (only !== undefined || key !== 'traceparent') return undefined;
    only = carrier[key];
  }
  if (only === undefined || only.length !== 55 || !UNSAMPLED_TRACEPARENT.test(only)) return undefined;
  const traceId = only.slice(3, 35);
  const spanId = only.slice(36, 52);
  if (traceId === ZERO_TRACE_ID || spanId === ZERO_SPAN_ID) return undefined;
  return trace.setSpanContext(ROOT_CONTEXT, { traceId, spanId, traceFlags: TraceFlags.NONE, isRemote: true });
}
