import { context, ROOT_CONTEXT } from '@opentelemetry/api';
import { ExportResultCode, type ExportResult } from '@opentelemetry/core';
import type { ReadableSpan, SpanExporter } from '@opentelemetry/sdk-trace';
import type { Logger } from 'pino';
import { EncodedSpan } from './otlp-trace-serializer';
import { TRACE_BUFFER_DEFAULTS } from './trace-buffer-defaults';

export interface BufferingExporterOptions {
  log: Logger;
  /** Spans kept while the collector is unreachable (0: none, spans of failed exports are dropped). */
  maxSpans?: number;
  /** Bytes kept, estimated as the spans would be encoded. */
  maxBytes?: number;
  /** ms before the first retry; doubled up to `retryMaxMs` while it fails. */
  retryMinMs?: number;
  retryMaxMs?: number;
  /** Spans per export when sending what was kept. */
  batchSize?: number;
}

const SUCCESS: ExportResult = { code: ExportResultCode.SUCCESS };

/**
 * Wraps an exporter so that spans are not lost while the collector is unreachable (Jaeger still being built or
 * starting, restarted, the network down): the spans of a failed export, and every span exported while the outage
 * lasts, are kept in a bounded buffer (oldest first: the first requests' traces survive a long outage) and sent
 * when an export works again, retried with backoff. Past the bound new spans are dropped and counted. Each outage
 * is logged once when it starts, once if the buffer fills, and once when it ends, with the numbers. A collector
 * that rejects what it is sent (HTTP 4xx: a wrong path, bad data) is not an outage: those spans are dropped.
 *
 * @example
 * new BatchSpanProcessor({ exporter: new BufferingExporter(new OTLPTraceExporter(), { log }) });
 */
export class BufferingExporter implements SpanExporter {
  readonly #inner: SpanExporter;
  readonly #log: Logger;
  readonly #maxSpans: number;
  readonly #maxBytes: number;
  readonly #retryMinMs: number;
  readonly #retryMaxMs: number;
  readonly #batchSize: number;
  #kept: Array<{ span: ReadableSpan; bytes: number }> = [];
  #keptBytes = 0;
  #down = false;
  #draining: Promise<void> | undefined;
  #dropped = 0;
  #full = false;
  #rejected = false;
  #delayMs: number;
  #timer: NodeJS.Timeout | undefined;

  constructor(
    inner: SpanExporter,
    {
      log,
      maxSpans = TRACE_BUFFER_DEFAULTS.maxSpans,
      maxBytes = TRACE_BUFFER_DEFAULTS.maxBytes,
      retryMinMs = 1_000,
      retryMaxMs = 8_000,
      batchSize = 8_192,
    }: BufferingExporterOptions,
  ) {
    this.#inner = inner;
    this.#log = log;
    this.#maxSpans = maxSpans;
    this.#maxBytes = maxBytes;
    this.#retryMinMs = retryMinMs;
    this.#retryMaxMs = retryMaxMs;
    this.#batchSize = batchSize;
    this.#delayMs = retryMinMs;
  }

  /** Spans kept for later; for tests and the log. */
  get keptSpans(): number {
    return this.#kept.length;
  }

  export(spans: ReadableSpan[], done: (result: ExportResult) => void): void {
    if (this.#down || this.#kept.length > 0) {
      this.#keep(spans);
      done(SUCCESS);
      return;
    }
    this.#inner.export(spans, (result) =>
      context.with(ROOT_CONTEXT, () => {
        if (result.code === ExportResultCode.SUCCESS) this.#rejected = false;
        else if (rejected(result.error)) this.#reject(result.error, spans.length);
        else {
          this.#wentDown(result.error);
          this.#keep(spans);
        }
        done(SUCCESS);
      }),
    );
  }

  /** Tries now to send what is kept (once: on failure the retries go on in the background), then flushes. */
  async forceFlush(): Promise<void> {
    clearTimeout(this.#timer);
    this.#timer = undefined;
    await this.#drain();
    await this.#inner.forceFlush?.();
  }

  async shutdown(): Promise<void> {
    await this.forceFlush().catch(() => {});
    clearTimeout(this.#timer);
    this.#timer = undefined;
    if (this.#kept.length > 0 || this.#dropped > 0) {
      this.#log.warn({ spans: this.#kept.length, dropped: this.#dropped }, 'trace export: kept spans lost at shutdown');
    }
    this.#kept = [];
    await this.#inner.shutdown();
  }

  #keep(spans: ReadableSpan[]): void {
    for (const span of spans) {
      const bytes = estimateBytes(span);
      if (this.#kept.length >= this.#maxSpans || this.#keptBytes + bytes > this.#maxBytes) {
        this.#dropped += 1;
        continue;
      }
      this.#kept.push({ span, bytes });
      this.#keptBytes += bytes;
    }
    if (this.#dropped > 0 && !this.#full) {
      this.#full = true;
      this.#log.warn(
        { maxSpans: this.#maxSpans, maxBytes: this.#maxBytes },
        'trace export: buffer full; new spans are dropped (and counted) until the collector answers',
      );
    }
    this.#schedule();
  }

  #wentDown(error: Error | undefined): void {
    if (this.#down) return;
    this.#down = true;
    this.#log.warn(
      { err: error, maxSpans: this.#maxSpans, maxBytes: this.#maxBytes },
      'trace export failed; spans are kept until the collector answers',
    );
  }

  #reject(error: Error | undefined, spans: number): void {
    if (this.#rejected) return;
    this.#rejected = true;
    this.#log.error({ err: error, spans }, 'trace export rejected by the collector; those spans are dropped');
  }

  #schedule(): void {
    if (this.#timer !== undefined || this.#draining !== undefined || this.#kept.length === 0) return;
    this.#timer = setTimeout(() => {
      this.#timer = undefined;
      void this.#drain();
    }, this.#delayMs);
    this.#timer.unref();
  }

  /** Sends what is kept, oldest first, until it is all sent or an export fails (then retries later). */
  #drain(): Promise<void> {
    this.#draining ??= (async () => {
      while (this.#kept.length > 0) {
        if (!(await this.#sendBatch())) {
          this.#delayMs = Math.min(this.#delayMs * 2, this.#retryMaxMs);
          break;
        }
      }
    })().finally(() => {
      this.#draining = undefined;
      this.#schedule();
    });
    return this.#draining;
  }

  /** Sends the oldest kept spans; true when the collector took them (or rejected them for good). */
  #sendBatch(): Promise<boolean> {
    const batch = this.#kept.slice(0, this.#batchSize);
    return new Promise((resolve) =>
      this.#inner.export(
        batch.map((entry) => entry.span),
        (result) =>
          context.with(ROOT_CONTEXT, () => {
            if (result.code !== ExportResultCode.SUCCESS && !rejected(result.error)) {
              this.#wentDown(result.error);
              resolve(false);
              return;
            }
            if (result.code !== ExportResultCode.SUCCESS) this.#reject(result.error, batch.length);
            this.#kept.splice(0, batch.length);
            for (const entry of batch) this.#keptBytes -= entry.bytes;
            if (this.#kept.length === 0) this.#recovered();
            resolve(true);
          }),
      ),
    );
  }

  #recovered(): void {
    if (this.#down || this.#dropped > 0) {
      this.#log.info({ dropped: this.#dropped }, 'trace export works again; the spans kept meanwhile are sent');
    }
    this.#down = false;
    this.#full = false;
    this.#dropped = 0;
    this.#keptBytes = 0;
    this.#delayMs = this.#retryMinMs;
  }
}

/** An HTTP 4xx other than 408 and 429: the collector answered and refused the data; sending it again will not help. */
function rejected(error: Error | undefined): boolean {
  const code = (error as { code?: unknown } | undefined)?.code;
  return typeof code === 'number' && code >= 400 && code < 500 && code !== 408 && code !== 429;
}

/** About what the span costs encoded (OTLP protobuf): ids, times and fixed fields, plus its strings and numbers. */
function estimateBytes(span: ReadableSpan): number {
  if (span instanceof EncodedSpan) return span.end - span.start;
  let bytes = 96 + span.name.length + attributesBytes(span.attributes);
  for (const event of span.events) bytes += 24 + event.name.length + attributesBytes(event.attributes);
  for (const link of span.links) bytes += 48 + attributesBytes(link.attributes);
  return bytes;
}

function attributesBytes(attributes: Readonly<Record<string, unknown>> | undefined): number {
  if (attributes === undefined) return 0;
  let bytes = 0;
  for (const key in attributes) {
    const value = attributes[key];
    bytes += 8 + key.length + (typeof value === 'string' ? value.length : Array.isArray(value) ? 16 * value.length : 8);
  }
  return bytes;
}
