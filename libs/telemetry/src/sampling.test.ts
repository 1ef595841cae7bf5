import { ROOT_CONTEXT, TraceFlags, defaultTextMapGetter, propagation, trace } from '@opentelemetry/api';
import { CompositePropagator, W3CBaggagePropagator, W3CTraceContextPropagator } from '@opentelemetry/core';
import { afterEach, describe, expect, it } from 'vitest';
import { setSamplingFacts, tracingOff, unsampledBelow, w3cRemoteContext } from './sampling';

const under = (traceFlags: TraceFlags) =>
  trace.setSpanContext(ROOT_CONTEXT, {
    traceId: '0af7651916cd43dd8448eb211c80319c',
    spanId: 'b7ad6b7169203331',
    traceFlags,
  });

const OFF = { parentBased: false, off: false, w3c: false };
afterEach(() => setSamplingFacts(OFF));

describe('unsampledBelow', () => {
  it('is true below an unsampled parent when the sampler follows the parent', () => {
    setSamplingFacts({ ...OFF, parentBased: true });
    expect(unsampledBelow(under(TraceFlags.NONE))).toBe(true);
  });

  it('is false below a sampled parent, or with no parent at all', () => {
    setSamplingFacts({ ...OFF, parentBased: true });
    expect(unsampledBelow(under(TraceFlags.SAMPLED))).toBe(false);
    expect(unsampledBelow(ROOT_CONTEXT)).toBe(false);
  });

  it('is false when the sampler decides for itself (traceidratio may sample what the parent did not)', () => {
    setSamplingFacts({ ...OFF, w3c: true });
    expect(unsampledBelow(under(TraceFlags.NONE))).toBe(false);
  });
});

describe('tracingOff', () => {
  it('says what startTelemetry said of always_off', () => {
    expect(tracingOff()).toBe(false);
    setSamplingFacts({ parentBased: true, off: true, w3c: true });
    expect(tracingOff()).toBe(true);
  });
});

describe('w3cRemoteContext', () => {
  const w3c = new CompositePropagator({
    propagators: [new W3CTraceContextPropagator(), new W3CBaggagePropagator()],
  });
  const UNSAMPLED = '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-00';
  const SAMPLED = '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01';

  it('gives the span context the W3C propagators extract, for a traceparent alone, sampled or not', () => {
    setSamplingFacts({ parentBased: false, off: false, w3c: true });
    for (const traceparent of [UNSAMPLED, SAMPLED, '00-ffffffffffffffffffffffffffffffff-0000000000000001-01']) {
      const fast = w3cRemoteContext({ traceparent });
      const extracted = w3c.extract(ROOT_CONTEXT, { traceparent }, defaultTextMapGetter);
      expect(fast, traceparent).toBeDefined();
      expect(trace.getSpanContext(fast!), traceparent).toStrictEqual(trace.getSpanContext(extracted));
      expect(propagation.getBaggage(fast!)).toBeUndefined();
    }
    expect(trace.getSpanContext(w3cRemoteContext({ traceparent: SAMPLED })!)?.traceFlags).toBe(TraceFlags.SAMPLED);
  });

  it('leaves to the propagators what it does not handle', () => {
    setSamplingFacts({ parentBased: true, off: false, w3c: true });
    const cases: Array<Record<string, string>> = [
      { traceparent: '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-03' },
      { traceparent: '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-10' },
      { traceparent: UNSAMPLED, tracestate: 'vendor=x' },
      { traceparent: SAMPLED, baggage: 'tenant=acme' },
      { traceparent: '01-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-00' },
      { traceparent: '00-00000000000000000000000000000000-b7ad6b7169203331-01' },
      { traceparent: '00-0af7651916cd43dd8448eb211c80319c-0000000000000000-00' },
      { traceparent: '00-0AF7651916CD43DD8448EB211C80319C-b7ad6b7169203331-00' },
      { traceparent: '00-0af7651916cd43dd8448eb211c80319g-b7ad6b7169203331-01' },
      { traceparent: '00-0af7651916cd43dd8448eb211c80319c-b7ad6b716920333/-01' },
      { traceparent: '00-0af7651916cd43dd8448eb211c80319c_b7ad6b7169203331-01' },
      // Outside ASCII, including code units whose low seven bits are a hex digit's ('á' is 0x61 + 0x80).
      { traceparent: '00-0af7651916cd43dd8448eb211c80319\u00e1-b7ad6b7169203331-01' },
      { traceparent: '00-0af7651916cd43dd8448eb211c80319c-b7ad6b716920333\u0131-00' },
      { traceparent: `${UNSAMPLED} ` },
      { traceparent: `${SAMPLED}-extra` },
      { b3: '0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-1' },
      {},
    ];
    for (const carrier of cases) expect(w3cRemoteContext(carrier), JSON.stringify(carrier)).toBeUndefined();
  });

  it('is off unless the propagators are W3C only', () => {
    setSamplingFacts({ parentBased: true, off: false, w3c: false });
    expect(w3cRemoteContext({ traceparent: SAMPLED })).toBeUndefined();
    expect(w3cRemoteContext({ traceparent: UNSAMPLED })).toBeUndefined();
  });
});
