import { ROOT_CONTEXT, SpanStatusCode, TraceFlags, trace } from '@opentelemetry/api';
import { ExportResultCode, loggingErrorHandler, setGlobalErrorHandler, type ExportResult } from '@opentelemetry/core';
import { ProtobufTraceSerializer } from '@opentelemetry/otlp-transformer';
import { resourceFromAttributes } from '@opentelemetry/resources';
import {
  BatchSpanProcessor,
  SamplingDecision,
  TracerProvider,
  type ReadableSpan,
  type SpanExporter,
  type SpanProcessor,
} from '@opentelemetry/sdk-trace';
import { describe, expect, it } from 'vitest';
import { EncodeSpanOnEnd } from './encode-span-on-end';
import { ErrorTypeProcessor } from './error-type-processor';
import { EncodedSpan, otlpTraceSerializer } from './otlp-trace-serializer';

/** An exporter that serializes what it is given as the OTLP http/protobuf exporter would, and keeps the bytes. */
function bytesExporter() {
  const exports: { items: ReadableSpan[]; bytes: Buffer }[] = [];
  const exporter: SpanExporter = {
    export(items, done: (result: ExportResult) => void) {
      exports.push({ items, bytes: Buffer.from(otlpTraceSerializer.serializeRequest(items) as Uint8Array) });
      done({ code: ExportResultCode.SUCCESS });
    },
    shutdown: async () => {},
  };
  return { exporter, exports };
}

describe('EncodeSpanOnEnd', () => {
  it('should hand the batch processor sampled spans written as they ended, sent as the SDK would send the spans', async () => {
    const { exporter, exports } = bytesExporter();
    const ended: ReadableSpan[] = [];
    const keep: SpanProcessor = {
      onStart() {},
      onEnd: (span) => void (span.spanContext().traceFlags & TraceFlags.SAMPLED && ended.push(span)),
      forceFlush: async () => {},
      shutdown: async () => {},
    };
    const provider = new TracerProvider({
      resource: resourceFromAttributes({ 'service.name': 'gateway' }),
      // Spans named "recorded only" are recorded but not sampled: the batch processor never sees them.
      sampler: {
        shouldSample: (_context, _traceId, name) => ({
          decision: name === 'recorded only' ? SamplingDecision.RECORD : SamplingDecision.RECORD_AND_SAMPLED,
        }),
      },
      spanProcessors: [
        new EncodeSpanOnEnd(new BatchSpanProcessor({ exporter, maxExportBatchSize: 512 })),
        keep,
        new ErrorTypeProcessor(),
      ],
    });
    const tracer = provider.getTracer('@mono/transport');
    const server = tracer.startSpan('mono.gateway.v1.GatewayService/Exchange', {
      attributes: { 'rpc.system.name': 'grpc' },
    });
    const failed = tracer.startSpan('gateway invoke', {}, trace.setSpan(ROOT_CONTEXT, server));
    failed.setStatus({ code: SpanStatusCode.ERROR });
    failed.end();
    server.end();
    provider.getTracer('edge').startSpan('recorded only').end();
    await provider.forceFlush();

    expect(exports).toHaveLength(1);
    const [only] = exports as [{ items: ReadableSpan[]; bytes: Buffer }];
    expect(only.items).toHaveLength(2);
    expect(only.items.every((item) => item instanceof EncodedSpan)).toBe(true);
    expect(ended.map((span) => span.name)).toEqual(['gateway invoke', 'mono.gateway.v1.GatewayService/Exchange']);
    // ErrorTypeProcessor runs in onEnding, before any onEnd, whatever the order: its error.type is in the bytes.
    expect(ended[0]?.attributes['error.type']).toBe('_OTHER');
    expect(only.bytes.equals(Buffer.from(ProtobufTraceSerializer.serializeRequest(ended) as Uint8Array))).toBe(true);
    await provider.shutdown();
  });

  it("should report a span it cannot write to the SDK's error handler, not to the code that ended it", () => {
    const errors: unknown[] = [];
    setGlobalErrorHandler((error) => errors.push(error));
    const handed: ReadableSpan[] = [];
    const inner: SpanProcessor = {
      onStart() {},
      onEnd: (span) => void handed.push(span),
      forceFlush: async () => {},
      shutdown: async () => {},
    };
    const broken = {
      spanContext: () => ({ traceId: '0af7651916cd43dd8448eb211c80319c', spanId: 'b7ad6b7169203331', traceFlags: 1 }),
      instrumentationScope: { name: 'broken' },
      get name(): string {
        throw new Error('no name');
      },
    } as unknown as ReadableSpan;
    try {
      expect(() => new EncodeSpanOnEnd(inner).onEnd(broken)).not.toThrow();
    } finally {
      setGlobalErrorHandler(loggingErrorHandler());
    }
    expect(errors).toEqual([new Error('no name')]);
    expect(handed).toEqual([]);
  });
});
