import { Writable } from 'node:stream';
import { ExportResultCode, type ExportResult } from '@opentelemetry/core';
import type { ReadableSpan, SpanExporter } from '@opentelemetry/sdk-trace';
import { describe, expect, it } from 'vitest';
import { createLogger } from './logger';
import { ReportingExporter } from './reporting-exporter';

function scripted(results: ExportResult[]): SpanExporter {
  return {
    export: (_spans, done) => done(results.shift() as ExportResult),
    shutdown: () => Promise.resolve(),
  };
}

describe('ReportingExporter', () => {
  it('should log an outage once when it starts and once when it ends', () => {
    const lines: string[] = [];
    const stream = new Writable({
      write(chunk, _encoding, done) {
        lines.push(String(JSON.parse(chunk.toString()).msg));
        done();
      },
    });
    const failed = { code: ExportResultCode.FAILED, error: new Error('connect ECONNREFUSED') };
    const ok = { code: ExportResultCode.SUCCESS };
    const exporter = new ReportingExporter(
      scripted([failed, failed, failed, ok, ok]),
      createLogger('edge', 'info', stream),
    );
    const results: ExportResultCode[] = [];
    for (let i = 0; i < 5; i += 1) exporter.export([] as ReadableSpan[], (r) => results.push(r.code));
    expect(results).toEqual([1, 1, 1, 0, 0]);
    expect(lines).toEqual(['trace export failed; spans are dropped until it works again', 'trace export works again']);
  });
});
