import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { createRequire } from 'node:module';
import { Writable } from 'node:stream';
import { context, trace, TraceFlags } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from './logger';

const manager = new AsyncLocalStorageContextManager();
beforeAll(() => {
  context.setGlobalContextManager(manager.enable());
});
afterAll(() => {
  context.disable();
});

function capture() {
  const lines: Array<Record<string, unknown>> = [];
  const stream = new Writable({
    write(chunk, _encoding, done) {
      lines.push(JSON.parse(chunk.toString()) as Record<string, unknown>);
      done();
    },
  });
  return { lines, stream };
}

describe('createLogger', () => {
  it('should write JSON with the service, the level name and an ISO time', () => {
    const { lines, stream } = capture();
    createLogger('edge', 'info', stream).info({ port: 1 }, 'listening');
    expect(lines[0]).toMatchObject({ service: 'edge', level: 'info', port: 1, msg: 'listening' });
    expect(String(lines[0]?.['time'])).toMatch(/^\d{4}-\d\d-\d\dT/);
  });

  it('should add trace_id and span_id of the active span', () => {
    const { lines, stream } = capture();
    const log = createLogger('gateway', 'info', stream);
    const span = trace.wrapSpanContext({
      traceId: '0af7651916cd43dd8448eb211c80319c',
      spanId: 'b7ad6b7169203331',
      traceFlags: TraceFlags.SAMPLED,
    });
    context.with(trace.setSpan(context.active(), span), () => log.info('inside'));
    log.info('outside');
    expect(lines[0]).toMatchObject({ trace_id: '0af7651916cd43dd8448eb211c80319c', span_id: 'b7ad6b7169203331' });
    expect(lines[1]).not.toHaveProperty('trace_id');
  });

  it('should be quiet at level silent', () => {
    const { lines, stream } = capture();
    createLogger('framework', 'silent', stream).error('nothing');
    expect(lines).toEqual([]);
    expect(pino.levels.values['info']).toBe(30);
  });

  // Without a destination it writes to pino's own (sonic-boom on stdout), which flushes what it holds when the process
  // exits. sonic-boom 4 retried a failed write there every 100 ms for ever, whatever the error: a service whose stdout
  // reader had gone (an edge worker outliving its primary and the terminal) never finished exiting.
  it('should let a process exit whose stdout reader is gone, with lines still to write', async () => {
    const script = `
      const log = require(${JSON.stringify(createRequire(import.meta.url).resolve('pino'))})();
      process.stdin.once('data', () => {
        for (let i = 0; i < 20000; i += 1) log.info({ i }, 'a line written after the reader went away');
        process.exit(0);
      });`;
    const child = spawn(process.execPath, ['-e', script], { stdio: ['pipe', 'pipe', 'pipe'] });
    child.stderr.resume();
    const exited = once(child, 'exit');
    child.stdout.destroy();
    await once(child.stdout, 'close');
    child.stdin.write('go\n');
    const timeout = AbortSignal.timeout(10_000);
    try {
      const [code] = (await Promise.race([exited, once(timeout, 'abort').then(() => [null])])) as [number | null];
      expect(code, 'the child still running 10 s after process.exit').toBe(0);
    } finally {
      child.kill('SIGKILL');
    }
  }, 20_000);
});
