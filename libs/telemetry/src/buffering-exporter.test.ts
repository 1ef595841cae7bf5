import { Writable } from 'node:stream';
import { ExportResultCode, type ExportResult } from '@opentelemetry/core';
import type { ReadableSpan, SpanExporter } from '@opentelemetry/sdk-trace';
import { describe, expect, it } from 'vitest';
import { BufferingExporter } from './buffering-exporter';
import { createLogger } from './logger';

/** A collector that is up or down, and the spans it received, in order. */
function collector() {
  const received: string[] = [];
  const waiters: Array<() => void> = [];
  let state: 'up' | 'down' | 'rejecting' = 'down';
  const exporter: SpanExporter = {
    export(spans, done) {
      setImmediate(() => {
        if (state === 'up') received.push(...spans.map((s) => s.name));
        const result: ExportResult =
          state === 'up'
            ? { code: ExportResultCode.SUCCESS }
            : state === 'down'
              ? { code: ExportResultCode.FAILED, error: new Error('connect ECONNREFUSED 127.0.0.1:4318') }
              : { code: ExportResultCode.FAILED, error: Object.assign(new Error('Not Found'), { code: 404 }) };
        done(result);
        waiters.splice(0).forEach((wake) => wake());
      });
    },
    shutdown: () => Promise.resolve(),
  };
  return {
    exporter,
    received,
    set: (next: typeof state) => (state = next),
    /** Resolves after the next export attempt the collector sees. */
    attempt: () => new Promise<void>((resolve) => waiters.push(resolve)),
  };
}

function capture() {
  const lines: Array<Record<string, unknown>> = [];
  const stream = new Writable({
    write(chunk, _encoding, done) {
      lines.push(JSON.parse(chunk.toString()) as Record<string, unknown>);
      done();
    },
  });
  return { lines, log: createLogger('edge', 'info', stream) };
}

const spans = (...names: string[]) =>
  names.map((name) => ({ name, attributes: {}, events: [], links: [] }) as unknown as ReadableSpan);

function exportNow(exporter: SpanExporter, batch: ReadableSpan[]): Promise<ExportResult> {
  return new Promise((resolve) => exporter.export(batch, resolve));
}

async function until(condition: () => boolean, attempt: () => Promise<void>): Promise<void> {
  while (!condition()) await attempt();
}

describe('BufferingExporter', () => {
  it('should keep spans while the collector is down and send them, oldest first, once it is up', async () => {
    const sink = collector();
    const { lines, log } = capture();
    const exporter = new BufferingExporter(sink.exporter, { log, retryMinMs: 1, retryMaxMs: 4 });
    expect((await exportNow(exporter, spans('a', 'b'))).code).toBe(ExportResultCode.SUCCESS);
    await exportNow(exporter, spans('c'));
    expect(exporter.keptSpans).toBe(3);
    await sink.attempt();
    sink.set('up');
    await until(() => exporter.keptSpans === 0, sink.attempt);
    await exportNow(exporter, spans('d'));
    expect(sink.received).toEqual(['a', 'b', 'c', 'd']);
    expect(lines.map((line) => line['msg'])).toEqual([
      'trace export failed; spans are kept until the collector answers',
      'trace export works again; the spans kept meanwhile are sent',
    ]);
    expect(lines[1]).toMatchObject({ dropped: 0 });
  });

  it('should drop and count the spans beyond its bound, saying so once', async () => {
    const sink = collector();
    const { lines, log } = capture();
    const exporter = new BufferingExporter(sink.exporter, { log, maxSpans: 3, retryMinMs: 1, retryMaxMs: 2 });
    await exportNow(exporter, spans('a', 'b'));
    await exportNow(exporter, spans('c', 'd'));
    await exportNow(exporter, spans('e'));
    expect(exporter.keptSpans).toBe(3);
    sink.set('up');
    await until(() => exporter.keptSpans === 0, sink.attempt);
    expect(sink.received).toEqual(['a', 'b', 'c']);
    expect(lines.map((line) => line['msg'])).toEqual([
      'trace export failed; spans are kept until the collector answers',
      'trace export: buffer full; new spans are dropped (and counted) until the collector answers',
      'trace export works again; the spans kept meanwhile are sent',
    ]);
    expect(lines[2]).toMatchObject({ dropped: 2 });
  });

  it('should bound what it keeps by bytes too', async () => {
    const sink = collector();
    const { log } = capture();
    const big = { name: 'big', attributes: { body: 'x'.repeat(1_000) }, events: [], links: [] };
    const exporter = new BufferingExporter(sink.exporter, { log, maxBytes: 2_500, retryMinMs: 60_000 });
    await exportNow(exporter, [big, big, big] as unknown as ReadableSpan[]);
    expect(exporter.keptSpans).toBe(2);
    await exporter.shutdown();
  });

  it("should keep two full export batches of spans the size of the services' own by default", async () => {
    // ~300 bytes each, as the services' spans are encoded: a failed export of the batch processor's 8 192 and the
    // next one are within the default bytes (16 MiB), where a bound of 10 000 spans dropped 6 384 of them.
    const sink = collector();
    const { lines, log } = capture();
    const exporter = new BufferingExporter(sink.exporter, { log, retryMinMs: 60_000 });
    const batch = () =>
      Array.from(
        { length: 8_192 },
        () => ({ name: 'GET', attributes: { 'url.path': 'x'.repeat(180) }, events: [], links: [] }) as unknown,
      ) as ReadableSpan[];
    await exportNow(exporter, batch());
    await exportNow(exporter, batch());
    expect(exporter.keptSpans).toBe(16_384);
    expect(lines.map((line) => line['msg'])).toEqual([
      'trace export failed; spans are kept until the collector answers',
    ]);
    await exporter.shutdown();
  });

  it('should send what it kept in exports of at most its batch size, oldest first', async () => {
    const sink = collector();
    const { log } = capture();
    const sizes: number[] = [];
    const inner: SpanExporter = {
      ...sink.exporter,
      export(batch, done) {
        sizes.push(batch.length);
        sink.exporter.export(batch, done);
      },
    };
    const exporter = new BufferingExporter(inner, { log, batchSize: 2, retryMinMs: 1, retryMaxMs: 2 });
    await exportNow(exporter, spans('a', 'b', 'c', 'd', 'e'));
    sink.set('up');
    await until(() => exporter.keptSpans === 0, sink.attempt);
    expect(sink.received).toEqual(['a', 'b', 'c', 'd', 'e']);
    expect(sizes.slice(-3)).toEqual([2, 2, 1]);
  });

  it('should not keep what the collector refused (HTTP 4xx), and log it once', async () => {
    const sink = collector();
    const { lines, log } = capture();
    sink.set('rejecting');
    const exporter = new BufferingExporter(sink.exporter, { log, retryMinMs: 1 });
    await exportNow(exporter, spans('a'));
    await exportNow(exporter, spans('b'));
    expect(exporter.keptSpans).toBe(0);
    expect(lines.map((line) => [line['level'], line['msg']])).toEqual([
      ['error', 'trace export rejected by the collector; those spans are dropped'],
    ]);
  });

  it('should send what it kept when flushed, and say at shutdown what it could not send', async () => {
    const sink = collector();
    const { lines, log } = capture();
    const exporter = new BufferingExporter(sink.exporter, { log, retryMinMs: 60_000 });
    await exportNow(exporter, spans('a'));
    sink.set('up');
    await exporter.forceFlush();
    expect(sink.received).toEqual(['a']);
    sink.set('down');
    await exportNow(exporter, spans('b'));
    await exporter.shutdown();
    expect(lines.at(-1)).toMatchObject({ msg: 'trace export: kept spans lost at shutdown', spans: 1 });
  });
});
