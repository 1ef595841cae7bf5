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
});
