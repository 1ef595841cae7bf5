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
import { SamplingDecision, type Context, type Span, type SpanContext } from '@opentelemetry/api';
import { suppressTracing } from '@opentelemetry/core';
import { ProtobufTraceSerializer } from '@opentelemetry/otlp-transformer';
import { resourceFromAttributes } from '@opentelemetry/resources';
import {
  AlwaysOffSampler,
  AlwaysOnSampler,
  ParentBasedSampler,
  TraceIdRatioBasedSampler,
  TracerProvider,
  type ReadableSpan,
  type Sampler,
  type SpanProcessor,
} from '@opentelemetry/sdk-trace';
import { afterEach, describe, expect, it } from 'vitest';
import { loadTelemetryConfig } from './config';
import { ErrorTypeProcessor } from './error-type-processor';
import { DEFAULT_SPAN_LIMITS, HopSpan, HopTracer, setHopSpanSink, type HopSpanLimits } from './hop-tracer';
import { otlpTraceSerializer } from './otlp-trace-serializer';
import { startTelemetry } from './start-telemetry';

/** The SDK as startTelemetry sets it up, its ended spans kept, and the sink hop spans end into. */
function sdk(
  limits: HopSpanLimits = DEFAULT_SPAN_LIMITS,
  sampler: Sampler = new ParentBasedSampler({ root: new AlwaysOnSampler() }),
) {
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
    sampler,
    spanLimits: limits,
    spanProcessors: processors,
  });
  setHopSpanSink({ provider, resource, limits, processors, sampler });
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

  it('should start a root as the SDK does, links and all, and leave it the spans it might not record', () => {
    const { provider, ended } = sdk({ ...DEFAULT_SPAN_LIMITS, linkCountLimit: 1, attributePerLinkCountLimit: 1 });
    const links = [
      { context: LINKED, attributes: { a: 1 } },
      { context: LINKED, attributes: { b: 2, c: 3 } },
    ];
    const sdkRoot = provider.getTracer('edge').startSpan('GET', { kind: SpanKind.SERVER, links }, ROOT_CONTEXT);
    const hopRoot = new HopTracer('edge').startSpan('GET', SpanKind.SERVER, ROOT_CONTEXT, undefined, links);
    expect(hopRoot).toBeInstanceOf(HopSpan);
    expect((hopRoot as HopSpan).links.map((link) => link.attributes)).toEqual([{ b: 2 }]);
    exercise(sdkRoot);
    exercise(hopRoot);
    sdkRoot.end();
    hopRoot.end();
    const [fromSdk, fromHop] = ended as [ReadableSpan, ReadableSpan];
    expect({ ...readable(fromHop), traceId: 'new' }).toEqual({ ...readable(fromSdk), traceId: 'new' });
    expect(fromHop.parentSpanContext).toBeUndefined();
    expect(fromHop.spanContext().traceId).toMatch(/^[0-9a-f]{32}$/);
    expect(fromHop.spanContext().traceId).not.toBe(fromSdk.spanContext().traceId);
    expect(fromHop.droppedLinksCount).toBe(2);

    ended.length = 0;
    const tracer = new HopTracer('t');
    const cases: Array<[string, Context]> = [
      ['unsampled', parent(TraceFlags.NONE)],
      ['upper-case ids', parent(TraceFlags.SAMPLED, { traceId: '0AF7651916CD43DD8448EB211C80319C' })],
      ['zero span id', parent(TraceFlags.SAMPLED, { spanId: '0000000000000000' })],
      ['suppressed', suppressTracing(parent(TraceFlags.SAMPLED))],
      ['suppressed root', suppressTracing(ROOT_CONTEXT)],
    ];
    for (const [name, ctx] of cases) {
      const span = tracer.startSpan(name, SpanKind.INTERNAL, ctx);
      expect(span, name).not.toBeInstanceOf(HopSpan);
      span.end();
    }
    // The SDK's decisions: the invalid parents start traces of their own, the rest record nothing.
    expect(ended.map((span) => span.name)).toEqual(['upper-case ids', 'zero span id']);
  });

  it("should sample a root by the sampler's decision on its trace id, and record nothing for a dropped one", () => {
    const ratio = new TraceIdRatioBasedSampler(0.5);
    const { ended } = sdk(DEFAULT_SPAN_LIMITS, new ParentBasedSampler({ root: ratio }));
    const tracer = new HopTracer('edge');
    const decisions = { sampled: 0, dropped: 0 };
    for (let i = 0; i < 200; i += 1) {
      const span = tracer.startSpan('GET', SpanKind.SERVER, ROOT_CONTEXT);
      const { traceId, traceFlags } = span.spanContext();
      const expected = ratio.shouldSample(ROOT_CONTEXT, traceId).decision === SamplingDecision.RECORD_AND_SAMPLED;
      expect(traceFlags === TraceFlags.SAMPLED, traceId).toBe(expected);
      expect(span.isRecording()).toBe(expected);
      expect(span instanceof HopSpan).toBe(expected);
      decisions[expected ? 'sampled' : 'dropped'] += 1;
      span.end();
    }
    expect(decisions.sampled).toBeGreaterThan(50);
    expect(decisions.dropped).toBeGreaterThan(50);
    expect(ended).toHaveLength(decisions.sampled);

    sdk(DEFAULT_SPAN_LIMITS, new ParentBasedSampler({ root: new AlwaysOffSampler() }));
    expect(tracer.startSpan('GET', SpanKind.SERVER, ROOT_CONTEXT).isRecording()).toBe(false);
  });

  it("should give a root the attributes and trace state of the sampler's result, recorded but not sampled", () => {
    const traceState = trace.getSpanContext(parent(TraceFlags.SAMPLED))?.traceState;
    const recordOnly: Sampler = {
      shouldSample: () => ({
        decision: SamplingDecision.RECORD,
        attributes: { 'sampler.rule': 'debug', given: 'by the sampler' },
        ...(traceState ? { traceState } : {}),
      }),
      toString: () => 'RecordOnly',
    };
    const { provider, calls } = sdk(DEFAULT_SPAN_LIMITS, recordOnly);
    const spans = [
      provider.getTracer('edge').startSpan('GET', { attributes: { given: 'by the caller', n: 1 } }, ROOT_CONTEXT),
      new HopTracer('edge').startSpan('GET', SpanKind.INTERNAL, ROOT_CONTEXT, { given: 'by the caller', n: 1 }),
    ] as Array<Span & ReadableSpan>;
    for (const span of spans) {
      expect(span.isRecording()).toBe(true);
      expect(span.spanContext().traceFlags).toBe(TraceFlags.NONE);
      expect(span.attributes).toEqual({ given: 'by the sampler', n: 1, 'sampler.rule': 'debug' });
      span.end();
    }
    expect(spans[1]).toBeInstanceOf(HopSpan);
    expect(calls).toEqual([
      'start GET',
      'start GET',
      'ending GET recording=true',
      'end GET',
      'ending GET recording=true',
      'end GET',
    ]);
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
