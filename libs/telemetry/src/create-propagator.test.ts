import { defaultTextMapGetter, defaultTextMapSetter, ROOT_CONTEXT, trace, TraceFlags } from '@opentelemetry/api';
import { describe, expect, it } from 'vitest';
import { createPropagator } from './create-propagator';

const spanContext = { traceId: '4bf92f3577b34da6a3ce929d0e0e4736', spanId: '00f067aa0ba902b7', traceFlags: 1 };
const active = trace.setSpanContext(ROOT_CONTEXT, spanContext);

function inject(names: string[]): Record<string, string> {
  const carrier: Record<string, string> = {};
  createPropagator(names).inject(active, carrier, defaultTextMapSetter);
  return carrier;
}

describe('createPropagator', () => {
  it('should write W3C traceparent for tracecontext, the default', () => {
    expect(inject(['tracecontext', 'baggage'])).toEqual({
      traceparent: `00-${spanContext.traceId}-00f067aa0ba902b7-01`,
    });
  });

  it('should write B3 in one header or several, and read what it writes', () => {
    expect(inject(['b3'])).toEqual({ b3: `${spanContext.traceId}-00f067aa0ba902b7-1` });
    const multi = inject(['b3multi']);
    expect(multi).toMatchObject({ 'x-b3-traceid': spanContext.traceId, 'x-b3-spanid': '00f067aa0ba902b7' });
    const read = createPropagator(['b3multi']).extract(ROOT_CONTEXT, multi, defaultTextMapGetter);
    expect(trace.getSpanContext(read)).toMatchObject({ traceId: spanContext.traceId, traceFlags: TraceFlags.SAMPLED });
  });

  it('should propagate nothing with none', () => {
    expect(inject(['none'])).toEqual({});
  });
});
