import { TraceFlags, type Context } from '@opentelemetry/api';
import { globalErrorHandler } from '@opentelemetry/core';
import type { ReadableSpan, Span, SpanProcessor } from '@opentelemetry/sdk-trace';
import { encodeSpan, type EncodedSpan } from './otlp-trace-serializer';

/**
 * Gives the processor it wraps (a BatchSpanProcessor in front of the OTLP http/protobuf exporter) each sampled span
 * already written as it will be sent, an `EncodedSpan`, instead of the span. Held until its batch of 512 is full
 * and answered, a span outlives the young generation's collections and is promoted with its attributes, times and
 * context; its bytes are one small object and a share of a chunk outside the heap, and the span itself dies young
 * (docs/adr/0027-spans-written-when-they-end.md). Only otlpTraceSerializer reads what it hands on.
 *
 * @example
 * new EncodeSpanOnEnd(new BatchSpanProcessor({ exporter: otlpProtoTraceExporter() }));
 */
export class EncodeSpanOnEnd implements SpanProcessor {
  readonly #inner: SpanProcessor;

  constructor(inner: SpanProcessor) {
    this.#inner = inner;
  }

  onStart(span: Span, parentContext: Context): void {
    this.#inner.onStart(span, parentContext);
  }

  onEnding(span: Span): void {
    this.#inner.onEnding?.(span);
  }

  onEnd(span: ReadableSpan): void {
    if ((span.spanContext().traceFlags & TraceFlags.SAMPLED) === 0) return;
    let encoded: EncodedSpan;
    try {
      encoded = encodeSpan(span);
    } catch (error) {
      // As the batch processor reports a serializer's error: to the SDK's error handler, not to span.end()'s caller.
      globalErrorHandler(error as Error);
      return;
    }
    // The batch processor reads spanContext() and resource, the buffering exporter the size, the serializer the rest.
    this.#inner.onEnd(encoded as unknown as ReadableSpan);
  }

  forceFlush(): Promise<void> {
    return this.#inner.forceFlush();
  }

  shutdown(): Promise<void> {
    return this.#inner.shutdown();
  }
}
