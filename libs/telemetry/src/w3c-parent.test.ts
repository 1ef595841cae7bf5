import {
  ROOT_CONTEXT,
  TraceFlags,
  createContextKey,
  defaultTextMapSetter,
  propagation,
  trace,
  type Context,
} from '@opentelemetry/api';
import { CompositePropagator, TraceState, W3CBaggagePropagator, W3CTraceContextPropagator } from '@opentelemetry/core';
import { afterEach, describe, expect, it } from 'vitest';
import { setSamplingFacts, unrecordedRootContext, w3cRemoteContext } from './sampling';
import { passedTraceparent, W3CParent } from './w3c-parent';

const w3c = new CompositePropagator({ propagators: [new W3CTraceContextPropagator(), new W3CBaggagePropagator()] });
const injected = (ctx: Context) => {
  const carrier: Record<string, string> = {};
  w3c.inject(ctx, carrier, defaultTextMapSetter);
  return carrier;
};
const UNSAMPLED = '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-00';
const SAMPLED = '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01';
const span = trace.wrapSpanContext({
  traceId: '4bf92f3577b34da6a3ce929d0e0e4736',
  spanId: '00f067aa0ba902b7',
  traceFlags: TraceFlags.NONE,
});

afterEach(() => setSamplingFacts({ parentBased: false, off: false, w3c: false }));

describe('W3CParent', () => {
  it('reads as a context holding its span and nothing else', () => {
    const parent = new W3CParent(span, UNSAMPLED);
    expect(trace.getSpan(parent)).toBe(span);
    expect(propagation.getBaggage(parent)).toBeUndefined();
    expect(trace.getSpan(parent.deleteValue(createContextKey('other')))).toBe(span);
    expect(trace.getSpan(trace.deleteSpan(parent))).toBeUndefined();
  });

  it('makes one of the API contexts when a value is set on it, keeping its span unless the span is replaced', () => {
    const parent = new W3CParent(span, UNSAMPLED);
    const key = createContextKey('tenant');
    const withValue = parent.setValue(key, 'acme');
    expect(withValue).not.toBeInstanceOf(W3CParent);
    expect(withValue.getValue(key)).toBe('acme');
    expect(trace.getSpan(withValue)).toBe(span);
    expect(parent.getValue(key)).toBeUndefined();
    const other = trace.wrapSpanContext({ ...span.spanContext(), spanId: '53995c3f42cd8ad8' });
    expect(trace.getSpan(trace.setSpan(parent, other))).toBe(other);
    expect(passedTraceparent(withValue)).toBeUndefined();
  });
});

describe('passedTraceparent', () => {
  it('is what the W3C propagators inject for a received parent, sampled or not', () => {
    setSamplingFacts({ parentBased: true, off: false, w3c: true });
    for (const traceparent of [UNSAMPLED, SAMPLED]) {
      const parent = w3cRemoteContext({ traceparent });
      expect(parent, traceparent).toBeInstanceOf(W3CParent);
      expect(passedTraceparent(parent!)).toBe(traceparent);
      expect(injected(parent!)).toStrictEqual({ traceparent });
    }
  });

  it("is what the W3C propagators inject for an unrecorded root span's context", () => {
    setSamplingFacts({ parentBased: true, off: false, w3c: true });
    const root = unrecordedRootContext(span);
    expect(trace.getSpan(root)).toBe(span);
    expect(passedTraceparent(root)).toBe('00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-00');
    expect(injected(root)).toStrictEqual({ traceparent: passedTraceparent(root) });
  });

  it('is undefined for any other context, and unrecordedRootContext makes one only for W3C propagators', () => {
    expect(passedTraceparent(ROOT_CONTEXT)).toBeUndefined();
    expect(passedTraceparent(trace.setSpan(ROOT_CONTEXT, span))).toBeUndefined();
    setSamplingFacts({ parentBased: true, off: false, w3c: false });
    const root = unrecordedRootContext(span);
    expect(trace.getSpan(root)).toBe(span);
    expect(passedTraceparent(root)).toBeUndefined();
  });

  it('leaves to the propagators a root span with a trace state or flags of its own', () => {
    setSamplingFacts({ parentBased: true, off: false, w3c: true });
    const sampled = trace.wrapSpanContext({ ...span.spanContext(), traceFlags: TraceFlags.SAMPLED });
    expect(passedTraceparent(unrecordedRootContext(sampled))).toBeUndefined();
    const stated = trace.wrapSpanContext({ ...span.spanContext(), traceState: new TraceState('vendor=x') });
    expect(passedTraceparent(unrecordedRootContext(stated))).toBeUndefined();
    const invalid = trace.wrapSpanContext({ ...span.spanContext(), spanId: '0000000000000000' });
    expect(passedTraceparent(unrecordedRootContext(invalid))).toBeUndefined();
    expect(injected(unrecordedRootContext(invalid))).toStrictEqual({});
    expect(injected(unrecordedRootContext(stated))).toStrictEqual({
      traceparent: '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-00',
      tracestate: 'vendor=x',
    });
  });
});
