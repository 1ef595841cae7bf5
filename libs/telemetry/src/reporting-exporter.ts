import { context, ROOT_CONTEXT } from '@opentelemetry/api';
import { ExportResultCode, type ExportResult } from '@opentelemetry/core';
import type { ReadableSpan, SpanExporter } from '@opentelemetry/sdk-trace';
import type { Logger } from 'pino';

/**
 * Wraps an exporter so that an unreachable collector is logged once when exports start failing and once when they
 * work again, not once per batch (let alone per request).
 */
export class ReportingExporter implements SpanExporter {
  readonly #inner: SpanExporter;
  readonly #log: Logger;
  #failing = false;

  constructor(inner: SpanExporter, log: Logger) {
    this.#inner = inner;
    this.#log = log;
  }

  export(spans: ReadableSpan[], done: (result: ExportResult) => void): void {
    this.#inner.export(spans, (result) => context.with(ROOT_CONTEXT, () => this.#report(result, spans.length, done)));
  }

  #report(result: ExportResult, spans: number, done: (result: ExportResult) => void): void {
    if (result.code === ExportResultCode.SUCCESS) {
      if (this.#failing) this.#log.info('trace export works again');
      this.#failing = false;
    } else if (!this.#failing) {
      this.#failing = true;
      this.#log.warn({ err: result.error, spans }, 'trace export failed; spans are dropped until it works again');
    }
    done(result);
  }

  shutdown(): Promise<void> {
    return this.#inner.shutdown();
  }

  forceFlush(): Promise<void> {
    return this.#inner.forceFlush?.() ?? Promise.resolve();
  }
}
