import { ROOT_CONTEXT, TraceFlags, trace } from '@opentelemetry/api';
import { ExportResultCode, type ExportResult } from '@opentelemetry/core';
import { ProtobufTraceSerializer } from '@opentelemetry/otlp-transformer';
import { resourceFromAttributes } from '@opentelemetry/resources';
import {
  BatchSpanProcessor,
  TracerProvider,
  type ReadableSpan,
  type SpanExporter,
  type SpanProcessor,
} from '@opentelemetry/sdk-trace';
import { describe, expect, it } from 'vitest';
import { EncodeSpanOnEnd } from './encode-span-on-end';
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
      onEnd: (span) => void ended.push(span),
      forceFlush: async () => {},
      shutdown: async () => {},
    };
    const provider = new TracerProvider({
      resource: resourceFromAttributes({ 'service.name': 'gateway' }),
      spanProcessors: [keep, new EncodeSpanOnEnd(new BatchSpanProcessor({ exporter, maxExportBatchSize: 512 }))],
    });
    const tracer = provider.getTracer('@mono/transport');
    const server = tracer.startSpan('mono.gateway.v1.GatewayService/Exchange', {
      attributes: { 'rpc.system.name': 'grpc' },
    });
    tracer.startSpan('gateway invoke', {}, trace.setSpan(ROOT_CONTEXT, server)).end();
    server.end();
    const unsampled = trace.setSpanContext(ROOT_CONTEXT, {
      traceId: '0af7651916cd43dd8448eb211c80319c',
      spanId: 'b7ad6b7169203331',
      traceFlags: TraceFlags.NONE,
    });
    provider.getTracer('edge').startSpan('not recorded', {}, unsampled).end();
    await provider.forceFlush();

    expect(exports).toHaveLength(1);
    const [only] = exports as [{ items: ReadableSpan[]; bytes: Buffer }];
    expect(only.items).toHaveLength(2);
    expect(only.items.every((item) => item instanceof EncodedSpan)).toBe(true);
    expect(ended).toHaveLength(2);
    expect(only.bytes.equals(Buffer.from(ProtobufTraceSerializer.serializeRequest(ended) as Uint8Array))).toBe(true);
    await provider.shutdown();
  });
});
