import { Writable } from 'node:stream';
import { context, diag, propagation, ROOT_CONTEXT, trace } from '@opentelemetry/api';
import type { ReadableSpan } from '@opentelemetry/sdk-trace';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { loadTelemetryConfig } from './config';
import { createLogger } from './logger';
import { startTelemetry } from './start-telemetry';

function capture() {
  const lines: Array<Record<string, unknown>> = [];
  const stream = new Writable({
    write(chunk, _encoding, done) {
      lines.push(JSON.parse(chunk.toString()) as Record<string, unknown>);
      done();
    },
  });
  return { lines, log: createLogger('framework', 'info', stream) };
}

function start(env: Record<string, string>, instrumentations = vi.fn(() => [])) {
  const { lines, log } = capture();
  const config = loadTelemetryConfig({ OTEL_TRACES_EXPORTER: 'none', ...env });
  startTelemetry({ serviceName: 'framework', version: '1.2.3', config, instrumentations, log });
  return { lines, instrumentations };
}

afterEach(() => {
  trace.disable();
  propagation.disable();
  context.disable();
  diag.disable();
});

describe('startTelemetry', () => {
  it('makes no instrumentation when the sampler never records (always_off)', () => {
    expect(start({ OTEL_TRACES_SAMPLER: 'always_off' }).instrumentations).not.toHaveBeenCalled();
  });

  it('registers the instrumentations when spans may be recorded', () => {
    expect(start({ OTEL_TRACES_SAMPLER: 'parentbased_always_on' }).instrumentations).toHaveBeenCalledOnce();
  });

  it("should keep the SDK's default resource and let OTEL_RESOURCE_ATTRIBUTES and OTEL_SERVICE_NAME add to it", () => {
    vi.stubEnv('OTEL_RESOURCE_ATTRIBUTES', 'deployment.environment.name=test,service.name=ignored');
    vi.stubEnv('OTEL_SERVICE_NAME', 'framework-a');
    try {
      start({});
      const span = trace.getTracer('t').startSpan('s') as unknown as ReadableSpan;
      expect(span.resource.attributes).toMatchObject({
        'service.name': 'framework-a',
        'service.version': '1.2.3',
        'deployment.environment.name': 'test',
        'telemetry.sdk.language': 'nodejs',
        'telemetry.sdk.name': 'opentelemetry',
      });
      expect(span.resource.attributes['telemetry.sdk.version']).toMatch(/^\d+\.\d+\.\d+/);
      expect(span.resource.attributes['service.instance.id']).toMatch(/^[0-9a-f-]{36}$/);
    } finally {
      vi.unstubAllEnvs();
    }
  });

  it('should apply the attribute limits', () => {
    start({ OTEL_ATTRIBUTE_VALUE_LENGTH_LIMIT: '4', OTEL_SPAN_ATTRIBUTE_COUNT_LIMIT: '2' });
    const span = trace.getTracer('t').startSpan('s', { attributes: { a: 'abcdefgh', b: 1, c: 2 } });
    expect((span as unknown as ReadableSpan).attributes).toEqual({ a: 'abcd', b: 1 });
  });

  it('should propagate with the propagators OTEL_PROPAGATORS names', () => {
    start({ OTEL_PROPAGATORS: 'b3multi' });
    const carrier: Record<string, string> = {};
    const span = trace.getTracer('t').startSpan('s');
    propagation.inject(trace.setSpan(ROOT_CONTEXT, span), carrier);
    expect(Object.keys(carrier).sort()).toEqual(['x-b3-sampled', 'x-b3-spanid', 'x-b3-traceid']);
  });

  it("should write the SDK's own errors to the service's log", () => {
    const { lines } = start({ OTEL_LOG_LEVEL: 'warn' });
    diag.info('not shown');
    diag.error('shown', new Error('boom'));
    expect(lines).toEqual([expect.objectContaining({ level: 'error', msg: 'shown', component: 'opentelemetry' })]);
  });
});
