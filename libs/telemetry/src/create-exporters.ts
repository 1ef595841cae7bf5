import type * as OtlpGrpc from '@opentelemetry/exporter-trace-otlp-grpc';
import type * as OtlpJson from '@opentelemetry/exporter-trace-otlp-http';
import type * as Zipkin from '@opentelemetry/exporter-zipkin';
import { ConsoleSpanExporter, type SpanExporter } from '@opentelemetry/sdk-trace';
import type { TelemetryConfig } from './config';
import { otlpProtoTraceExporter } from './otlp-proto-trace-exporter';

type ExporterConfig = Pick<
  TelemetryConfig,
  'OTEL_TRACES_EXPORTER' | 'OTEL_EXPORTER_OTLP_PROTOCOL' | 'OTEL_EXPORTER_OTLP_TRACES_PROTOCOL'
>;

export interface NamedExporter {
  /** otlp (with its protocol), zipkin or console. */
  readonly name: string;
  readonly exporter: SpanExporter;
  /** Whether it sends over the network (and so may find its endpoint down). */
  readonly remote: boolean;
  /** Whether it takes spans written as they ended (EncodeSpanOnEnd): the OTLP http/protobuf exporter, ours. */
  readonly encodedSpans: boolean;
}

/**
 * The exporters OTEL_TRACES_EXPORTER names; for `otlp` the one of OTEL_EXPORTER_OTLP_TRACES_PROTOCOL (else
 * OTEL_EXPORTER_OTLP_PROTOCOL): http/protobuf, http/json or grpc. Each exporter reads its endpoint, headers, timeout,
 * compression and certificates from the environment itself; http/protobuf's writes spans with our own serializer
 * (otlp-proto-trace-exporter.ts). Only the exporters named are loaded: the others' modules cost start-up time (15–35 ms
 * for all of them) and a little memory (docs/adr/0003-memory.md).
 *
 * @example
 * createExporters(loadTelemetryConfig(process.env)); // [{ name: 'otlp http/protobuf', … }]
 */
export function createExporters(config: Readonly<ExporterConfig>): NamedExporter[] {
  const names = [...new Set(config.OTEL_TRACES_EXPORTER)].filter((name) => name !== 'none');
  return names.map((name) => {
    if (name === 'console') return { name, exporter: new ConsoleSpanExporter(), remote: false, encodedSpans: false };
    if (name === 'zipkin') {
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      const zipkin = require('@opentelemetry/exporter-zipkin') as typeof Zipkin;
      return { name, exporter: new zipkin.ZipkinExporter(), remote: true, encodedSpans: false };
    }
    const protocol = config.OTEL_EXPORTER_OTLP_TRACES_PROTOCOL ?? config.OTEL_EXPORTER_OTLP_PROTOCOL;
    return {
      name: `otlp ${protocol}`,
      exporter: createOtlpExporter(protocol),
      remote: true,
      encodedSpans: protocol === 'http/protobuf',
    };
  });
}

/* eslint-disable @typescript-eslint/no-require-imports -- loaded on demand: only the configured protocol's module */
function createOtlpExporter(protocol: TelemetryConfig['OTEL_EXPORTER_OTLP_PROTOCOL']): SpanExporter {
  switch (protocol) {
    case 'grpc': {
      const { OTLPTraceExporter } = require('@opentelemetry/exporter-trace-otlp-grpc') as typeof OtlpGrpc;
      return new OTLPTraceExporter();
    }
    case 'http/json': {
      const { OTLPTraceExporter } = require('@opentelemetry/exporter-trace-otlp-http') as typeof OtlpJson;
      return new OTLPTraceExporter();
    }
    default:
      return otlpProtoTraceExporter();
  }
}
/* eslint-enable @typescript-eslint/no-require-imports */
