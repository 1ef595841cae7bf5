import { TraceFlags, trace, type Context } from '@opentelemetry/api';

/** Set by startTelemetry when the sampler follows the parent's decision; global because each bundle has its own copy of this module. */
const PARENT_BASED = Symbol.for('mono.telemetry.parentBasedSampling');

export function setParentBasedSampling(parentBased: boolean): void {
  (globalThis as Record<symbol, unknown>)[PARENT_BASED] = parentBased;
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
  return (
    spanContext !== undefined &&
    (spanContext.traceFlags & TraceFlags.SAMPLED) === 0 &&
    (globalThis as Record<symbol, unknown>)[PARENT_BASED] === true
  );
}
