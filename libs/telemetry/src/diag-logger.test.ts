import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { createDiagLogger } from './diag-logger';
import { createLogger } from './logger';

function capture(level: 'info' | 'trace' = 'info') {
  const lines: Array<Record<string, unknown>> = [];
  const stream = new Writable({
    write(chunk, _encoding, done) {
      lines.push(JSON.parse(chunk.toString()) as Record<string, unknown>);
      done();
    },
  });
  return { lines, log: createLogger('gateway', level, stream) };
}

describe('createDiagLogger', () => {
  it("should write the SDK's messages as log lines at their own level, with the error", () => {
    const { lines, log } = capture('trace');
    const diag = createDiagLogger(log);
    diag.error('export failed', new Error('ECONNREFUSED'));
    diag.warn('bad value', 'OTEL_X');
    diag.verbose('details');
    expect(lines.map((line) => [line['level'], line['msg']])).toEqual([
      ['error', 'export failed'],
      ['warn', 'bad value'],
      ['trace', 'details'],
    ]);
    expect(lines[0]).toMatchObject({ component: 'opentelemetry', err: { message: 'ECONNREFUSED' } });
    expect(lines[1]).toMatchObject({ details: ['OTEL_X'] });
  });

  it('should write a message repeated within a minute once, then say how many repeats it left out', () => {
    const { lines, log } = capture();
    let now = 0;
    const diag = createDiagLogger(log, () => now);
    diag.info('Export failed after maximum retry attempts (5).');
    now = 30_000;
    diag.info('Export failed after maximum retry attempts (5).');
    diag.info('another message');
    now = 61_000;
    diag.info('Export failed after maximum retry attempts (5).');
    expect(lines.map((line) => line['msg'])).toEqual([
      'Export failed after maximum retry attempts (5).',
      'another message',
      'Export failed after maximum retry attempts (5).',
    ]);
    expect(lines[2]).toMatchObject({ repeatsLeftOut: 1 });
  });
});
