import { ConsoleSpanExporter } from '@opentelemetry/sdk-trace';
import { describe, expect, it } from 'vitest';
import { loadTelemetryConfig } from './config';
import { createExporters } from './create-exporters';

const names = (env: Record<string, string>) =>
  createExporters(loadTelemetryConfig(env)).map(({ name, exporter }) => [name, exporter.constructor.name]);

describe('createExporters', () => {
  it('should make the OTLP exporter of the configured protocol, http/protobuf by default', () => {
    expect(names({})).toEqual([['otlp http/protobuf', 'OTLPExporterBase']]);
    expect(names({ OTEL_EXPORTER_OTLP_PROTOCOL: 'grpc' })).toEqual([['otlp grpc', 'OTLPTraceExporter']]);
    expect(names({ OTEL_EXPORTER_OTLP_PROTOCOL: 'grpc', OTEL_EXPORTER_OTLP_TRACES_PROTOCOL: 'http/json' })).toEqual([
      ['otlp http/json', 'OTLPTraceExporter'],
    ]);
  });

  it('should make every exporter named, and none for none', () => {
    expect(names({ OTEL_TRACES_EXPORTER: 'otlp,zipkin,console' })).toEqual([
      ['otlp http/protobuf', 'OTLPExporterBase'],
      ['zipkin', 'ZipkinExporter'],
      ['console', ConsoleSpanExporter.name],
    ]);
    expect(names({ OTEL_TRACES_EXPORTER: 'none' })).toEqual([]);
  });

  it('should have only the OTLP http/protobuf exporter take spans written as they ended', () => {
    const encoded = (env: Record<string, string>) =>
      createExporters(loadTelemetryConfig({ OTEL_TRACES_EXPORTER: 'otlp,zipkin,console', ...env })).map(
        ({ name, encodedSpans }) => [name, encodedSpans],
      );
    expect(encoded({})).toEqual([
      ['otlp http/protobuf', true],
      ['zipkin', false],
      ['console', false],
    ]);
    expect(encoded({ OTEL_EXPORTER_OTLP_PROTOCOL: 'grpc' })[0]).toEqual(['otlp grpc', false]);
    expect(encoded({ OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json' })[0]).toEqual(['otlp http/json', false]);
  });
});
