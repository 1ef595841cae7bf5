import { ROOT_CONTEXT, TraceFlags, trace, type Context, type Span } from '@opentelemetry/api';
import { W3CParent } from './w3c-parent';

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

/** 1 for the code units of lowercase hex digits, 0 for every other below 128. */
const LOWER_HEX = new Uint8Array(128);
for (const digit of '0123456789abcdef') LOWER_HEX[digit.charCodeAt(0)] = 1;

/**
 * Whether the characters of `s` from `from` up to `to` are lowercase hex digits, not all of them `0`. Without a branch
 * per character: ids are random, and a branch on digit or letter was mispredicted every other character (~185 ns a
 * traceparent against ~85).
 */
function isLowerHexId(s: string, from: number, to: number): boolean {
  let notHex = 0;
  let nonZero = 0;
  for (let i = from; i < to; i += 1) {
    const c = s.charCodeAt(i);
    notHex |= (c & ~0x7f) | ((LOWER_HEX[c & 0x7f] as number) ^ 1);
    nonZero |= c ^ 0x30;
  }
  return notHex === 0 && nonZero !== 0;
}

/** A valid W3C trace id and span id, as the API's checks would say, without their regular expressions. */
export function isValidW3CIds(traceId: string, spanId: string): boolean {
  return traceId.length === 32 && spanId.length === 16 && isLowerHexId(traceId, 0, 32) && isLowerHexId(spanId, 0, 16);
}

/**
 * The context `propagation.extract(ROOT_CONTEXT, carrier)` would give, built without the propagation API, for what
 * every hop behind the edge receives: a carrier holding only a W3C `traceparent` of version 00 with the flags 00 (not
 * sampled) or 01 (sampled), and W3C propagators. Anything else (tracestate, baggage, B3, other flags, another
 * version, an invalid id) is `undefined`: the caller extracts as usual. Extracting through the composite propagator
 * cost ~640 ns a hop (ADR-0021); a sampled request's two extractions ~3.8 µs of CPU under load (ADR-0025's update).
 * The context is a W3CParent holding the `traceparent` as received: a hop that passes it on unchanged (an unsampled
 * request's) sends that string rather than injecting it anew.
 *
 * @example
 * const parent = w3cRemoteContext(carrier) ?? propagation.extract(ROOT_CONTEXT, carrier);
 */
export function w3cRemoteContext(carrier: Readonly<Record<string, string>>): Context | undefined {
  if (!facts().w3c) return undefined;
  let only: string | undefined;
  for (const key in carrier) {
    if (only !== undefined || key !== 'traceparent') return undefined;
    only = carrier[key];
  }
  // 00-<32 hex>-<16 hex>-0<0|1>
  if (
    only === undefined ||
    only.length !== 55 ||
    only.charCodeAt(0) !== 0x30 ||
    only.charCodeAt(1) !== 0x30 ||
    only.charCodeAt(2) !== 0x2d ||
    only.charCodeAt(35) !== 0x2d ||
    only.charCodeAt(52) !== 0x2d ||
    only.charCodeAt(53) !== 0x30
  )
    return undefined;
  const flags = only.charCodeAt(54);
  if ((flags !== 0x30 && flags !== 0x31) || !isLowerHexId(only, 3, 35) || !isLowerHexId(only, 36, 52)) return undefined;
  const span = trace.wrapSpanContext({
    traceId: only.slice(3, 35),
    spanId: only.slice(36, 52),
    traceFlags: flags === 0x31 ? TraceFlags.SAMPLED : TraceFlags.NONE,
    isRemote: true,
  });
  return new W3CParent(span, only);
}

/**
 * The context of a new trace's root span that nothing records (the edge's, with no caller): with W3C propagators one
 * that carries its `traceparent` ready for the next hop (W3CParent), else the API's own.
 */
export function unrecordedRootContext(span: Span): Context {
  const { traceId, spanId, traceFlags, traceState } = span.spanContext();
  if (!facts().w3c || traceState !== undefined || traceFlags !== TraceFlags.NONE || !isValidW3CIds(traceId, spanId))
    return trace.setSpan(ROOT_CONTEXT, span);
  return new W3CParent(span, `00-${traceId}-${spanId}-00`);
}
