import type { TextMapPropagator } from '@opentelemetry/api';
import { CompositePropagator, W3CBaggagePropagator, W3CTraceContextPropagator } from '@opentelemetry/core';
import type * as B3 from '@opentelemetry/propagator-b3';

type PropagatorName = 'tracecontext' | 'baggage' | 'b3' | 'b3multi' | 'none';

/**
 * The propagators OTEL_PROPAGATORS names, in its order (on extract, later ones win where they overlap); `none`
 * alone propagates nothing. B3 (single header `b3`, or `b3multi`: X-B3-*) is loaded only when named.
 *
 * @example
 * propagation.setGlobalPropagator(createPropagator(['tracecontext', 'baggage']));
 */
export function createPropagator(names: readonly string[]): TextMapPropagator {
  const propagators = [...new Set(names)]
    .filter((name) => name !== 'none')
    .map((name) => create(name as Exclude<PropagatorName, 'none'>));
  return new CompositePropagator({ propagators });
}

function create(name: Exclude<PropagatorName, 'none'>): TextMapPropagator {
  if (name === 'tracecontext') return new W3CTraceContextPropagator();
  if (name === 'baggage') return new W3CBaggagePropagator();
  // Loaded here, not at the top: only a service configured for B3 pays for the module.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const b3 = require('@opentelemetry/propagator-b3') as typeof B3;
  return new b3.B3Propagator(name === 'b3multi' ? { injectEncoding: b3.B3InjectEncoding.MULTI_HEADER } : {});
}
