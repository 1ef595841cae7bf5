import { randomUUID } from 'node:crypto';
import { context, diag, propagation, trace } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { setGlobalErrorHandler } from '@opentelemetry/core';
import { registerInstrumentations, type Instrumentation } from '@opentelemetry/instrumentation';
import { defaultResource, detectResources, envDetector, resourceFromAttributes } from '@opentelemetry/resources';
import {
  AlwaysOffSampler,
  AlwaysOnSampler,
  BatchSpanProcessor,
  ParentBasedSampler,
  TraceIdRatioBasedSampler,
  TracerProvider,
  type Sampler,
  type SpanLimits,
  type SpanProcessor,
} from '@opentelemetry/sdk-trace';
import { ATTR_SERVICE_INSTANCE_ID, ATTR_SERVICE_NAME, ATTR_SERVICE_VERSION } from '@opentelemetry/semantic-conventions';
import { BufferingExporter } from './buffering-exporter';
import type { TelemetryConfig } from './config';
import { createExporters } from './create-exporters';
import { createPropagator } from './create-propagator';
import { createDiagLogger, DIAG_LEVELS } from './diag-logger';
import { EncodeSpanOnEnd } from './encode-span-on-end';
import { ErrorTypeProcessor } from './error-type-processor';
import { setHopSpanSink, type HopSpanLimits } from './hop-tracer';
import { createLogger, type Logger } from './logger';
import type { MetricsConfig } from './metrics-config';
import { setRpcSemconvDup } from './rpc-attributes';
import { setSamplingFacts } from './sampling';
import { startMetrics } from './start-metrics';

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
  /** Where the SDK's own messages and export outages are logged; by default the service's JSON log on stdout. */
  log?: Logger;
}

/**
 * Starts OpenTelemetry for a service from the standard OTEL_* variables (config.ts lists them): propagators from
 * OTEL_PROPAGATORS, async-local context, a sampler from OTEL_TRACES_SAMPLER, span limits, the default resource
 * (telemetry.sdk.*) with the service's name and OTEL_RESOURCE_ATTRIBUTES, batched export to each exporter of
 * OTEL_TRACES_EXPORTER through a buffer that keeps spans while the collector is down, and the SDK's diagnostics in
 * the service's log at OTEL_LOG_LEVEL. It must run before the service loads what the instrumentations patch, so each
 * app bundles it as `dist/telemetry.cjs` and is started with `--require` (tools/run/service.sh).
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
  log = createLogger(serviceName, 'info'),
}: TelemetryOptions): void {
  context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
  propagation.setGlobalPropagator(createPropagator(config.OTEL_PROPAGATORS));
  setRpcSemconvDup(config.OTEL_SEMCONV_STABILITY_OPT_IN.includes('rpc/dup'));
  if (config.OTEL_SDK_DISABLED) {
    setHopSpanSink(undefined);
    return;
  }
  reportSdkErrors(log, config);
  const resource = createResource(serviceName, version);
  if (metrics) startMetrics({ resource, config: metrics });
  const spanProcessors: SpanProcessor[] = [new ErrorTypeProcessor()];
  const batchSize = Math.min(config.OTEL_BSP_MAX_EXPORT_BATCH_SIZE, config.OTEL_BSP_MAX_QUEUE_SIZE);
  for (const { name, exporter, remote, encodedSpans } of createExporters(config)) {
    const buffered = remote
      ? new BufferingExporter(exporter, {
          log: log.child({ exporter: name }),
          maxSpans: config.MONO_TRACE_BUFFER_MAX_SPANS,
          maxBytes: config.MONO_TRACE_BUFFER_MAX_BYTES,
          batchSize,
        })
      : exporter;
    const batch = new BatchSpanProcessor({
      exporter: buffered,
      scheduledDelayMillis: config.OTEL_BSP_SCHEDULE_DELAY,
      maxQueueSize: config.OTEL_BSP_MAX_QUEUE_SIZE,
      maxExportBatchSize: batchSize,
      exportTimeoutMillis: config.OTEL_BSP_EXPORT_TIMEOUT,
    });
    spanProcessors.push(encodedSpans ? new EncodeSpanOnEnd(batch) : batch);
  }
  const limits = spanLimits(config);
  const sampler = createSampler(config);
  const provider = new TracerProvider({ resource, sampler, spanLimits: limits, spanProcessors });
  // Roots, and hop spans below a sampled parent, skip the SDK's tracer where its sampler would sample every child of
  // a sampled parent (hop-tracer.ts).
  setHopSpanSink(
    SAMPLES_SAMPLED_CHILDREN.has(config.OTEL_TRACES_SAMPLER)
      ? { provider, resource, limits, processors: spanProcessors, sampler }
      : undefined,
  );
  // Below an unsampled parent nothing is ever recorded with these samplers; the unsampled paths read this (sampling.ts).
  const propagators = new Set(config.OTEL_PROPAGATORS);
  setSamplingFacts({
    parentBased: config.OTEL_TRACES_SAMPLER.startsWith('parentbased_') || config.OTEL_TRACES_SAMPLER === 'always_off',
    off: config.OTEL_TRACES_SAMPLER === 'always_off',
    w3c:
      propagators.has('tracecontext') &&
      [...propagators].every((name) => name === 'tracecontext' || name === 'baggage'),
  });
  trace.setGlobalTracerProvider(provider);
  // With always_off nothing is ever recorded, and Express's instrumentation would still wrap every layer of every
  // request in a context of its own (~10 µs a request in the framework).
  if (config.OTEL_TRACES_SAMPLER === 'always_off') return;
  registerInstrumentations({ tracerProvider: provider, instrumentations: instrumentations() });
}

/** The SDK's diagnostics and the errors it hands to the global error handler, as lines of the service's log. */
function reportSdkErrors(log: Logger, config: Readonly<TelemetryConfig>): void {
  const level = DIAG_LEVELS[config.OTEL_LOG_LEVEL];
  const sdkLog = log.child({}, { level: PINO_LEVELS[config.OTEL_LOG_LEVEL] });
  diag.setLogger(createDiagLogger(sdkLog), { logLevel: level, suppressOverrideMessage: true });
  const errors = createDiagLogger(sdkLog);
  setGlobalErrorHandler((err) => {
    const message = typeof err === 'string' ? err : (err as { message?: string }).message;
    errors.warn(`opentelemetry: ${message ?? 'error'}`, err instanceof Error ? err : undefined);
  });
}

const PINO_LEVELS = {
  none: 'silent',
  error: 'error',
  warn: 'warn',
  info: 'info',
  debug: 'debug',
  verbose: 'trace',
  all: 'trace',
} as const satisfies Record<TelemetryConfig['OTEL_LOG_LEVEL'], string>;

/**
 * The SDK's default resource (service.name fallback, telemetry.sdk.language/name/version), then the service's name,
 * version and a fresh instance id, then OTEL_RESOURCE_ATTRIBUTES and OTEL_SERVICE_NAME, each overriding the one
 * before.
 */
function createResource(serviceName: string, version: string) {
  return defaultResource()
    .merge(
      resourceFromAttributes({
        [ATTR_SERVICE_NAME]: serviceName,
        [ATTR_SERVICE_VERSION]: version,
        [ATTR_SERVICE_INSTANCE_ID]: randomUUID(),
      }),
    )
    .merge(detectResources({ detectors: [envDetector] }));
}

/** The samplers that sample every child of a sampled parent. */
const SAMPLES_SAMPLED_CHILDREN = new Set<TelemetryConfig['OTEL_TRACES_SAMPLER']>([
  'always_on',
  'parentbased_always_on',
  'parentbased_always_off',
  'parentbased_traceidratio',
]);

function spanLimits(config: Readonly<TelemetryConfig>): HopSpanLimits & SpanLimits {
  return {
    attributeValueLengthLimit:
      config.OTEL_SPAN_ATTRIBUTE_VALUE_LENGTH_LIMIT ?? config.OTEL_ATTRIBUTE_VALUE_LENGTH_LIMIT ?? Infinity,
    attributeCountLimit: config.OTEL_SPAN_ATTRIBUTE_COUNT_LIMIT ?? config.OTEL_ATTRIBUTE_COUNT_LIMIT,
    eventCountLimit: config.OTEL_SPAN_EVENT_COUNT_LIMIT,
    linkCountLimit: config.OTEL_SPAN_LINK_COUNT_LIMIT,
    attributePerEventCountLimit: config.OTEL_EVENT_ATTRIBUTE_COUNT_LIMIT ?? config.OTEL_ATTRIBUTE_COUNT_LIMIT,
    attributePerLinkCountLimit: config.OTEL_LINK_ATTRIBUTE_COUNT_LIMIT ?? config.OTEL_ATTRIBUTE_COUNT_LIMIT,
  };
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
