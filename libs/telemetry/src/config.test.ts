import { ConfigError } from '@mono/config';
import { describe, expect, it } from 'vitest';
import { loadTelemetryConfig } from './config';

describe('loadTelemetryConfig', () => {
  it('should default to W3C propagation, OTLP over http/protobuf and the SDK at info', () => {
    expect(loadTelemetryConfig({})).toMatchObject({
      OTEL_PROPAGATORS: ['tracecontext', 'baggage'],
      OTEL_TRACES_EXPORTER: ['otlp'],
      OTEL_EXPORTER_OTLP_PROTOCOL: 'http/protobuf',
      OTEL_LOG_LEVEL: 'info',
      OTEL_ATTRIBUTE_COUNT_LIMIT: 128,
      OTEL_BSP_EXPORT_TIMEOUT: 30_000,
      MONO_TRACE_BUFFER_MAX_SPANS: 65_536,
      MONO_TRACE_BUFFER_MAX_BYTES: 16 * 1024 * 1024,
    });
  });

  it('should read OTEL_LOG_LEVEL in any case and OTEL_SEMCONV_STABILITY_OPT_IN as a list', () => {
    const config = loadTelemetryConfig({ OTEL_LOG_LEVEL: 'DEBUG', OTEL_SEMCONV_STABILITY_OPT_IN: 'http, rpc/dup' });
    expect(config.OTEL_LOG_LEVEL).toBe('debug');
    expect(config.OTEL_SEMCONV_STABILITY_OPT_IN).toContain('rpc/dup');
  });

  it('should name every wrong value at once', () => {
    const load = () =>
      loadTelemetryConfig({
        OTEL_PROPAGATORS: 'tracecontext,xray',
        OTEL_EXPORTER_OTLP_PROTOCOL: 'http',
        OTEL_EXPORTER_OTLP_ENDPOINT: 'localhost:4318',
        OTEL_RESOURCE_ATTRIBUTES: 'deployment.environment',
        OTEL_LOG_LEVEL: 'loud',
      });
    expect(load).toThrow(ConfigError);
    const problems = (() => {
      try {
        load();
        return [];
      } catch (err) {
        return (err as ConfigError).problems.map((p) => p.split(/[:.]/)[0]);
      }
    })();
    expect(problems.sort()).toEqual([
      'OTEL_EXPORTER_OTLP_ENDPOINT',
      'OTEL_EXPORTER_OTLP_PROTOCOL',
      'OTEL_LOG_LEVEL',
      'OTEL_PROPAGATORS',
      'OTEL_RESOURCE_ATTRIBUTES',
    ]);
  });
});
