import {
  context,
  diag,
  propagation,
  ROOT_CONTEXT,
  SpanKind,
  SpanStatusCode,
  TraceFlags,
  trace,
} from '@opentelemetry/api';
import type { Context, Span, SpanContext } from '@opentelemetry/api';
import { suppressTracing } from '@opentelemetry/core';
import { ProtobufTraceSerializer } from '@opentelemetry/otlp-transformer';
import { resourceFromAttributes } from '@opentelemetry/resources';
import {
  AlwaysOnSampler,
  ParentBasedSampler,
  TracerProvider,
  type ReadableSpan,
  type SpanProcessor,
} from '@opentelemetry/sdk-trace';
import { afterEach, describe, expect, it } from 'vitest';
import { loadTelemetryConfig } from './config';
import { ErrorTypeProcessor } from './error-type-processor';
import { DEFAULT_SPAN_LIMITS, HopSpan, HopTracer, setHopSpanSink, type HopSpanLimits } from './hop-tracer';
import { otlpTraceSerializer } from './otlp-trace-serializer';
import { startTelemetry } from './start-telemetry';

/** The SDK as startTelemetry sets it up, its ended spans kept, and the sink hop spans end into. */
function sdk(limits: HopSpanLimits = DEFAULT_SPAN_LIMITS) {
  const ended: ReadableSpan[] = [];
  const calls: string[] = [];
  const watch: SpanProcessor = {
    onStart: (span) => void calls.push(`start ${span.name}`),
    onEnding: (span) => void calls.push(`ending ${span.name} recording=${span.isRecording()}`),
    onEnd: (span) => {
      calls.push(`end ${span.name}`);
      if (span.spanContext().traceFlags & TraceFlags.SAMPLED) ended.push(span);
    },
    forceFlush: async () => {},
    shutdown: async () => {},
  };
  const processors = [new ErrorTypeProcessor(), watch];
  const resource = resourceFromAttributes({ 'service.name': 'gateway' });
  const provider = new TracerProvider({
    resource,
    sampler: new ParentBasedSampler({ root: new AlwaysOnSampler() }),
    spanLimits: limits,
    spanProcessors: processors,
  });
  setHopSpanSink({ provider, resource, limits, processors });
  trace.setGlobalTracerProvider(provider);
  return { provider, ended, calls };
}

function parent(flags: number, ids: Partial<SpanContext> = {}): Context {
  return trace.setSpan(
    ROOT_CONTEXT,
    trace.wrapSpanContext({
      traceId: '0af7651916cd43dd8448eb211c80319c',
      spanId: 'b7ad6b7169203331',
      traceFlags: flags,
      isRemote: true,
      ...ids,
    }),
  );
}

const BOOM = Object.assign(new Error('boom'), { code: 'E_BOOM' });
const LINKED = trace.getSpanContext(parent(TraceFlags.SAMPLED)) as SpanContext;

/** The same calls on a span of either tracer. */
function exercise(span: Span): void {
  span.setAttributes({ 'rpc.method': 'mono.gateway.v1.Gateway/Exchange', 'server.port': 8443, ok: true });
  span.setAttribute('list', ['a', 'b']);
  span.setAttribute('dropped', undefined);
  span.setAttribute('', 'no key');
  span.setAttribute('rpc.method', 'again');
  span.addEvent('retry', { 'mono.retry.reason': 'unavailable', nested: undefined });
  span.addEvent('timed', [1_700_000_000, 5]);
  span.addLink({ context: LINKED, attributes: { k: 'v' } });
  span.recordException(BOOM);
  span.setStatus({ code: SpanStatusCode.ERROR, message: 'failed' });
  span.setStatus({ code: SpanStatusCode.UNSET });
  span.updateName('renamed');
}

/** What a processor or exporter reads of an ended span, its own ids and clock readings left out. */
function readable(span: ReadableSpan) {
  const { traceId, traceFlags, traceState } = span.spanContext();
  return {
    traceId,
    traceFlags,
    traceState,
    name: span.name,
    kind: span.kind,
    parentSpanContext: span.parentSpanContext,
    attributes: span.attributes,
    events: span.events.map(({ time: _time, ...event }) => event),
    timedEventTime: span.events.find((event) => event.name === 'timed')?.time,
    links: span.links,
    status: span.status,
    droppedAttributesCount: span.droppedAttributesCount,
    droppedEventsCount: span.droppedEventsCount,
    droppedLinksCount: span.droppedLinksCount,
    resource: span.resource,
    instrumentationScope: span.instrumentationScope,
    ended: span.ended,
  };
}

afterEach(() => {
  setHopSpanSink(undefined);
  trace.disable();
  propagation.disable();
  context.disable();
  diag.disable();
});

describe('HopTracer', () => {
  it('should make below a sampled parent the span the SDK makes, to every processor', () => {
    const { provider, ended, calls } = sdk();
    const below = parent(TraceFlags.SAMPLED);
    const sdkSpan = provider.getTracer('@mono/transport').startSpan('x', { kind: SpanKind.CLIENT }, below);
    const hopSpan = new HopTracer('@mono/transport').startSpan('x', SpanKind.CLIENT, below);
    expect(hopSpan).toBeInstanceOf(HopSpan);
    exercise(sdkSpan);
    exercise(hopSpan);
    sdkSpan.end();
    hopSpan.end();

    const [fromSdk, fromHop] = ended as [ReadableSpan, ReadableSpan];
    expect(fromHop).toBe(hopSpan);
    expect(readable(fromHop)).toEqual(readable(fromSdk));
    expect(fromHop.attributes['error.type']).toBe('E_BOOM');
    expect(fromHop.spanContext().spanId).toMatch(/^[0-9a-f]{16}$/);
    expect(fromHop.spanContext().spanId).not.toBe(fromSdk.spanContext().spanId);
    expect(calls).toEqual([
      'start x',
      'start x',
      'ending renamed recording=true',
      'end renamed',
      'ending renamed recording=true',
      'end renamed',
    ]);
  });

  it("should keep the SDK's clock: a start in epoch time, an end after it, a duration between them", () => {
    sdk();
    const before = Date.now();
    const span = new HopTracer('t').startSpan('s', SpanKind.INTERNAL, parent(TraceFlags.SAMPLED)) as HopSpan;
    span.end();
    const startMs = span.startTime[0] * 1e3 + span.startTime[1] / 1e6;
    expect(startMs).toBeGreaterThanOrEqual(before);
    expect(startMs).toBeLessThanOrEqual(Date.now());
    const durationNs = span.duration[0] * 1e9 + span.duration[1];
    const endNs = span.endTime[0] * 1e9 + span.endTime[1];
    expect(durationNs).toBeGreaterThanOrEqual(0);
    expect(endNs - (span.startTime[0] * 1e9 + span.startTime[1])).toBeCloseTo(durationNs, -3);
  });

  it("should apply the SDK's limits as its span does", () => {
    const limits = {
      ...DEFAULT_SPAN_LIMITS,
      attributeCountLimit: 2,
      attributeValueLengthLimit: 3,
      eventCountLimit: 1,
      linkCountLimit: 1,
      attributePerEventCountLimit: 1,
      attributePerLinkCountLimit: 0,
    };
    const { provider, ended } = sdk(limits);
    const below = parent(TraceFlags.SAMPLED);
    for (const span of [
      provider.getTracer('t').startSpan('s', { attributes: { long: 'abcdef' } }, below),
      new HopTracer('t').startSpan('s', SpanKind.INTERNAL, below, { long: 'abcdef' }),
    ]) {
      span.setAttribute('list', ['abcdef', 'ab']);
      span.setAttribute('third', 1);
      span.setAttribute('long', 'xyzxyz');
      span.addEvent('first', { a: 1 });
      span.addEvent('second', { a: 1, b: 2 });
      span.addLink({ context: LINKED, attributes: { k: 'v' } });
      span.addLink({ context: LINKED });
      span.end();
      span.setAttribute('after', 1);
    }
    const [fromSdk, fromHop] = ended as [ReadableSpan, ReadableSpan];
    expect(readable(fromHop)).toEqual(readable(fromSdk));
    expect(fromHop.attributes).toEqual({ long: 'xyz', list: ['abc', 'ab'] });
    expect([fromHop.droppedAttributesCount, fromHop.droppedEventsCount, fromHop.droppedLinksCount]).toEqual([1, 1, 1]);
  });

  it('should leave to the SDK a root, an unsampled or invalid parent and a suppressed context', () => {
    const { ended } = sdk();
    const tracer = new HopTracer('t');
    const cases: Array<[string, Context]> = [
      ['root', ROOT_CONTEXT],
      ['unsampled', parent(TraceFlags.NONE)],
      ['upper-case ids', parent(TraceFlags.SAMPLED, { traceId: '0AF7651916CD43DD8448EB211C80319C' })],
      ['zero span id', parent(TraceFlags.SAMPLED, { spanId: '0000000000000000' })],
      ['suppressed', suppressTracing(parent(TraceFlags.SAMPLED))],
    ];
    for (const [name, ctx] of cases) {
      const span = tracer.startSpan(name, SpanKind.INTERNAL, ctx);
      expect(span, name).not.toBeInstanceOf(HopSpan);
      span.end();
    }
    // The SDK's decisions: the root and the invalid parents start traces of their own, the rest record nothing.
    expect(ended.map((span) => span.name)).toEqual(['root', 'upper-case ids', 'zero span id']);
  });

  it('should be written by our OTLP serializer as the SDK serializes it', () => {
    sdk();
    const span = new HopTracer('@mono/transport').startSpan(
      'x',
      SpanKind.SERVER,
      parent(TraceFlags.SAMPLED),
    ) as HopSpan;
    exercise(span);
    span.end();
    const ours = Buffer.from(otlpTraceSerializer.serializeRequest([span]) as Uint8Array);
    const theirs = Buffer.from(ProtobufTraceSerializer.serializeRequest([span]) as Uint8Array);
    expect(ours.equals(theirs)).toBe(true);
  });

  it("should be the SDK's own span with no sink, and with one only from the samplers that sample every sampled parent's child", () => {
    const below = parent(TraceFlags.SAMPLED);
    expect(new HopTracer('t').startSpan('s', SpanKind.INTERNAL, below)).not.toBeInstanceOf(HopSpan);
    const made = (sampler: string) => {
      const config = loadTelemetryConfig({ OTEL_TRACES_EXPORTER: 'none', OTEL_TRACES_SAMPLER: sampler });
      startTelemetry({ serviceName: 'gateway', version: '1.0.0', config });
      const span = new HopTracer('t').startSpan('s', SpanKind.INTERNAL, below);
      trace.disable();
      propagation.disable();
      context.disable();
      return span instanceof HopSpan;
    };
    expect(made('parentbased_always_on')).toBe(true);
    expect(made('parentbased_traceidratio')).toBe(true);
    expect(made('always_on')).toBe(true);
    expect(made('traceidratio')).toBe(false);
    expect(made('always_off')).toBe(false);
  });
});
