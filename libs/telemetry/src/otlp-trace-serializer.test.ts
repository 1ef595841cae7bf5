import { ROOT_CONTEXT, SpanKind, SpanStatusCode, TraceFlags, trace, type Attributes } from '@opentelemetry/api';
import { TraceState } from '@opentelemetry/core';
import { ProtobufTraceSerializer } from '@opentelemetry/otlp-transformer';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { TracerProvider, type ReadableSpan, type SpanProcessor } from '@opentelemetry/sdk-trace';
import { describe, expect, it } from 'vitest';
import { encodeSpan, otlpTraceSerializer, type EncodedSpan } from './otlp-trace-serializer';

/** Spans as the SDK makes them, through a provider whose processor keeps every span that ends. */
function recorder(serviceName = 'gateway') {
  const ended: ReadableSpan[] = [];
  const processor: SpanProcessor = {
    onStart() {},
    onEnd: (span) => void ended.push(span),
    forceFlush: async () => {},
    shutdown: async () => {},
  };
  const provider = new TracerProvider({
    resource: resourceFromAttributes({ 'service.name': serviceName, 'process.pid': 4242, 'host.arch': 'x64' }),
    spanProcessors: [processor],
  });
  return { provider, ended };
}

/** Ours, from the spans and from spans written as they ended (every other one, then all), against the SDK's. */
const expectSameBytes = (spans: ReadableSpan[]) => {
  const sdk = Buffer.from(ProtobufTraceSerializer.serializeRequest(spans) as Uint8Array);
  const encoded = spans.map((span) => encodeSpan(span) as unknown as ReadableSpan);
  const mixed = spans.map((span, i) => (i % 2 === 0 ? (encoded[i] as ReadableSpan) : span));
  for (const batch of [spans, mixed, encoded]) {
    const ours = Buffer.from(otlpTraceSerializer.serializeRequest(batch) as Uint8Array);
    expect(ours.length).toBe(sdk.length);
    expect(ours.equals(sdk)).toBe(true);
  }
};

const REMOTE_PARENT = trace.setSpanContext(ROOT_CONTEXT, {
  traceId: '0af7651916cd43dd8448eb211c80319c',
  spanId: 'b7ad6b7169203331',
  traceFlags: TraceFlags.SAMPLED,
  isRemote: true,
  traceState: new TraceState('vendor=a1,other=b2'),
});

describe('otlpTraceSerializer', () => {
  it('should write the bytes the SDK serializer writes for the spans a request makes', () => {
    const { provider, ended } = recorder();
    const tracer = provider.getTracer('edge', '1.2.3');
    for (let i = 0; i < 3; i++) {
      const server = tracer.startSpan('GET', {
        kind: SpanKind.SERVER,
        attributes: { 'http.request.method': 'GET', 'url.path': '/hello', 'client.port': 40_000 + i },
      });
      const active = trace.setSpan(ROOT_CONTEXT, server);
      const client = provider
        .getTracer('@mono/transport')
        .startSpan('mono.gateway.v1.GatewayService/Exchange', { kind: SpanKind.CLIENT }, active);
      client.setAttributes({ 'rpc.system.name': 'grpc', 'server.address': '/tmp/mono-gateway.sock' });
      client.end();
      tracer.startSpan('gateway invoke', {}, active).end();
      server.setAttribute('http.response.status_code', 200);
      server.end();
    }
    expect(ended).toHaveLength(9);
    expectSameBytes(ended);
  });

  it('should write every kind of attribute value, events, links, status and trace state as the SDK does', () => {
    const { provider, ended } = recorder();
    const tracer = provider.getTracer('every-field');
    const attributes: Attributes = {
      text: 'plain',
      empty: '',
      unicode: 'naïve — 東京 🚀',
      lone: 'broken \ud800 surrogate',
      long: 'x'.repeat(300),
      yes: true,
      no: false,
      zero: 0,
      small: 7,
      uint32: 4_294_967_295,
      big: 2 ** 40 + 3,
      huge: Number.MAX_SAFE_INTEGER,
      negative: -1,
      negativeBig: -(2 ** 35) - 5,
      pi: 3.14159,
      nan: NaN,
      infinity: Infinity,
      strings: ['a', 'bé', ''],
      numbers: [1, -2, 2.5],
      booleans: [true, false],
      mixed: [null, undefined, 'x'] as unknown as string[],
      emptyArray: [],
    };
    const span = tracer.startSpan('every field ✓', { kind: SpanKind.CONSUMER, attributes }, REMOTE_PARENT);
    span.addEvent('first', { 'event.key': 'value', count: 3 });
    span.addEvent('bare');
    span.addLink({
      context: { traceId: 'f'.repeat(32), spanId: '1'.repeat(16), traceFlags: TraceFlags.NONE, isRemote: true },
      attributes: { 'link.kind': 'follows' },
    });
    span.addLink({
      context: {
        traceId: '0123456789abcdef0123456789abcdef',
        spanId: '0123456789abcdef',
        traceFlags: TraceFlags.SAMPLED,
        traceState: new TraceState('k=v'),
      },
    });
    span.setStatus({ code: SpanStatusCode.ERROR, message: 'it went wrong: ünïcode' });
    span.end();
    tracer.startSpan('unset status', { kind: SpanKind.INTERNAL }).end();
    tracer.startSpan('ok', { kind: SpanKind.PRODUCER }).setStatus({ code: SpanStatusCode.OK }).end();
    tracer.startSpan('', { kind: SpanKind.CLIENT }).end();
    expectSameBytes(ended);
  });

  it('should group spans by resource and scope as the SDK does, with schema URLs', () => {
    const a = recorder('edge');
    const b = recorder('framework');
    a.provider.getTracer('one').startSpan('a1').end();
    b.provider
      .getTracer('two', '2.0.0', { schemaUrl: 'https://opentelemetry.io/schemas/1.45.0' })
      .startSpan('b1')
      .end();
    a.provider.getTracer('three').startSpan('a2').end();
    a.provider.getTracer('one').startSpan('a3').end();
    b.provider
      .getTracer('two', '2.0.0', { schemaUrl: 'https://opentelemetry.io/schemas/1.45.0' })
      .startSpan('b2')
      .end();
    const spans = [a.ended[0], b.ended[0], a.ended[1], a.ended[2], b.ended[1]] as ReadableSpan[];
    expectSameBytes(spans);
    expectSameBytes([]);
  });

  it('should write spans whose lengths take one, two and three bytes, and batches past its scratch buffer and chunks', () => {
    const { provider, ended } = recorder();
    const tracer = provider.getTracer('sizes');
    tracer.startSpan('s').end();
    tracer.startSpan('m', { attributes: { body: 'y'.repeat(1_000) } }).end();
    tracer.startSpan('l', { attributes: { body: 'z'.repeat(40_000) } }).end();
    expectSameBytes(ended);
    for (let i = 0; i < 4_000; i++) tracer.startSpan(`many ${i}`, { attributes: { i, 'a.key': 'value' } }).end();
    expectSameBytes(ended);
    // The first batch again, after the big one: what is kept between exports does not leak into the next.
    expectSameBytes(ended.slice(0, 3));
  });

  it('should keep every span written as it ended as it was, across chunks, with large spans held apart', () => {
    const { provider, ended } = recorder();
    const tracer = provider.getTracer('chunks');
    // ~1 KiB spans past the end of a 64 KiB chunk, spans of 10 and 20 KiB among them, then many small ones.
    for (let i = 0; i < 200; i++) {
      const size = i === 50 ? 20_000 : i % 37 === 0 ? 10_000 : 900 + i;
      tracer.startSpan(`span ${i}`, { attributes: { body: 'q'.repeat(size), i } }).end();
    }
    const encoded = ended.map((span) => encodeSpan(span));
    for (let i = 0; i < 400; i++) encodeSpan(ended[i % ended.length] as ReadableSpan);
    const chunks = new Set(encoded.map((span) => span.chunk));
    expect(chunks.size).toBeGreaterThan(3);
    for (const [i, span] of encoded.entries()) {
      const sdk = Buffer.from(ProtobufTraceSerializer.serializeRequest([ended[i] as ReadableSpan]) as Uint8Array);
      const ours = Buffer.from(otlpTraceSerializer.serializeRequest([span as unknown as ReadableSpan]) as Uint8Array);
      expect(ours.equals(sdk)).toBe(true);
      const bytes = span.end - span.start;
      if (bytes > 16 * 1024) expect([span.start, span.chunk.length]).toEqual([0, bytes]);
      else expect(span.chunk.length).toBe(64 * 1024);
    }
    expect(JSON.stringify(encoded[0])).toBe(
      `{"encodedBytes":${(encoded[0] as EncodedSpan).end - (encoded[0] as EncodedSpan).start}}`,
    );
  });

  it("should lay each scope's spans one after another in a chunk of its own, past 64 scopes in a shared one", () => {
    const { provider, ended } = recorder();
    for (let i = 0; i < 300; i++) {
      provider.getTracer('server').startSpan(`server ${i}`, { attributes: { i } }).end();
      provider.getTracer('client').startSpan(`client ${i}`).end();
    }
    const encoded = ended.map((span) => encodeSpan(span));
    for (const name of ['server', 'client']) {
      const ofScope = encoded.filter((span) => span.instrumentationScope.name === name);
      const runs = ofScope.filter((span, i) => i === 0 || span.start !== (ofScope[i - 1] as EncodedSpan).end);
      // Each scope's spans fill a chunk before the next: a run breaks only where a new chunk starts.
      expect(runs.every((span) => span.start === 0)).toBe(true);
      expect(new Set(ofScope.map((span) => span.chunk)).size).toBe(runs.length);
    }
    const servers = new Set(encoded.filter((s) => s.instrumentationScope.name === 'server').map((s) => s.chunk));
    expect(encoded.some((s) => s.instrumentationScope.name === 'client' && servers.has(s.chunk))).toBe(false);
    expectSameBytes(ended);
    const many = recorder();
    for (let i = 0; i < 80; i++) many.provider.getTracer(`scope ${i}`).startSpan(`span ${i}`).end();
    expectSameBytes(many.ended);
  });

  it('should hand out a buffer of its own for every export', () => {
    const { provider, ended } = recorder();
    provider.getTracer('own').startSpan('first').end();
    const first = otlpTraceSerializer.serializeRequest(ended) as Uint8Array;
    const copy = Buffer.from(first);
    provider.getTracer('own').startSpan('second, longer than the first').end();
    otlpTraceSerializer.serializeRequest(ended.slice(1));
    expect(Buffer.from(first).equals(copy)).toBe(true);
  });
});
