import { randomUUID } from 'node:crypto';
import { context, propagation, trace } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import {
  CompositePropagator,
  setGlobalErrorHandler,
  W3CBaggagePropagator,
  W3CTraceContextPropagator,
} from '@opentelemetry/core';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-proto';
import { registerInstrumentations, type Instrumentation } from '@opentelemetry/instrumentation';
import { detectResources, envDetector, resourceFromAttributes } from '@opentelemetry/resources';
import {
  AlwaysOffSampler,
  AlwaysOnSampler,
  BatchSpanProcessor,
  ConsoleSpanExporter,
  ParentBasedSampler,
  TraceIdRatioBasedSampler,
  TracerProvider,
  type Sampler,
  type SpanExporter,
  type SpanProcessor,
} from '@opentelemetry/sdk-trace';
import { ATTR_SERVICE_NAME, ATTR_SERVICE_VERSION } from '@opentelemetry/semantic-conventions';
import type { TelemetryConfig } from './config';
import type { MetricsConfig } from './metrics-config';
import { startMetrics } from './start-metrics';
import { ErrorTypeProcessor } from './error-type-processor';
import { createLogger } from './logger';
import { ReportingExporter } from './reporting-exporter';
import { setParentBasedSampling } from './sampling';

export interface TelemetryOptions {
  serviceName: 'edge' | 'gateway' | 'framework';
  version: string;
  config: Readonly<TelemetryConfig>;
  /**
   * Makes the instrumentations to register before the service loads what they patch (Express for the framework).
   * A factory: an instrumentation patches its module as soon as it is constructed.
   */
  instrumentations?: () => Instrumentation[];
  /** Starts metrics too, with the same resource (start-metrics.ts). */
  metrics?: Readonly<MetricsConfig>;
}

/**
 * Starts OpenTelemetry for a service: W3C trace context and baggage, async-local context, a sampler from
 * OTEL_TRACES_SAMPLER, batched OTLP export. It must run before the service loads what the instrumentations patch,
 * so each app bundles it as `dist/telemetry.cjs` and is started with `--require` (tools/run/service.sh).
 *
 * @example
 * startTelemetry({ serviceName: 'edge', version, config: loadTelemetryConfig(process.env) });
 */
export function startTelemetry({
  serviceName,
  version,
  config,
  instrumentations = () => [],
  metrics,
}: TelemetryOptions): void {
  context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
  propagation.setGlobalPropagator(
    new CompositePropagator({ propagators: [new W3CTraceContextPropagator(), new W3CBaggagePropagator()] }),
  );
  if (config.OTEL_SDK_DISABLED) return;
  const log = createLogger(serviceName, 'info');
  setGlobalErrorHandler((err) => log.debug({ err }, 'opentelemetry'));
  const resource = resourceFromAttributes({
    [ATTR_SERVICE_NAME]: config.OTEL_SERVICE_NAME ?? serviceName,
    [ATTR_SERVICE_VERSION]: version,
    'service.instance.id': randomUUID(),
  }).merge(detectResources({ detectors: [envDetector] }));
  if (metrics) startMetrics({ resource, config: metrics });
  const spanProcessors: SpanProcessor[] = [new ErrorTypeProcessor()];
  const exporter = createExporter(config);
  if (exporter) {
    spanProcessors.push(
      new BatchSpanProcessor({
        exporter: new ReportingExporter(exporter, log),
        scheduledDelayMillis: config.OTEL_BSP_SCHEDULE_DELAY,
        maxQueueSize: config.OTEL_BSP_MAX_QUEUE_SIZE,
        maxExportBatchSize: Math.min(config.OTEL_BSP_MAX_EXPORT_BATCH_SIZE, config.OTEL_BSP_MAX_QUEUE_SIZE),
        exportTimeoutMillis: config.OTEL_BSP_EXPORT_TIMEOUT,
      }),
    );
  }
  const provider = new TracerProvider({ resource, sampler: createSampler(config), spanProcessors });
  // Below an unsampled parent nothing is ever recorded with these samplers (sampling.ts).
  setParentBasedSampling(
    config.OTEL_TRACES_SAMPLER.startsWith('parentbased_') || config.OTEL_TRACES_SAMPLER === 'always_off',
  );
  trace.setGlobalTracerProvider(provider);
  // With always_off nothing is ever recorded, and Express's instrumentation would still wrap every layer of every
  // request in a context of its own (~10 µs a request in the framework).
  if (config.OTEL_TRACES_SAMPLER === 'always_off') return;
  registerInstrumentations({ tracerProvider: provider, instrumentations: instrumentations() });
}

function createSampler(config: Readonly<TelemetryConfig>): Sampler {
  const ratio = new TraceIdRatioBasedSampler(config.OTEL_TRACES_SAMPLER_ARG);
  switch (config.OTEL_TRACES_SAMPLER) {
    case 'always_on':
      return new AlwaysOnSampler();
    case 'always_off':
      return new AlwaysOffSampler();
    case 'traceidratio':
      return ratio;
    case 'parentbased_always_off':
      return new ParentBasedSampler({ root: new AlwaysOffSampler() });
    case 'parentbased_traceidratio':
      return new ParentBasedSampler({ root: ratio });
    default:
      return new ParentBasedSampler({ root: new AlwaysOnSampler() });
  }
}

function createExporter(config: Readonly<TelemetryConfig>): SpanExporter | undefined {
  if (config.OTEL_TRACES_EXPORTER === 'none') return undefined;
  if (config.OTEL_TRACES_EXPORTER === 'console') return new ConsoleSpanExporter();
  return new OTLPTraceExporter();
}
