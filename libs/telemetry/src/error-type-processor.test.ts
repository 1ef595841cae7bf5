import { SpanStatusCode, trace } from '@opentelemetry/api';
import { afterAll, describe, expect, it } from 'vitest';
import { installTestTracing } from './testing';

const tracing = installTestTracing();
afterAll(() => tracing.uninstall());

describe('ErrorTypeProcessor', () => {
  it("should give an ERROR span without error.type its exception's type", () => {
    const span = trace.getTracer('t').startSpan('failing');
    span.recordException(new TypeError('bad'));
    span.setStatus({ code: SpanStatusCode.ERROR });
    span.end();
    expect(tracing.spans().at(-1)?.attributes['error.type']).toBe('TypeError');
  });

  it('should keep an error.type that is set, and leave spans that did not fail alone', () => {
    const tracer = trace.getTracer('t');
    const set = tracer.startSpan('set');
    set.setAttribute('error.type', 'GW_ERR_OVERLOADED');
    set.setStatus({ code: SpanStatusCode.ERROR });
    set.end();
    tracer.startSpan('fine').end();
    const [first, second] = tracing.spans().slice(-2);
    expect(first?.attributes['error.type']).toBe('GW_ERR_OVERLOADED');
    expect(second?.attributes['error.type']).toBeUndefined();
  });
});
