import { count, flag, loadConfig, type Env } from '@mono/config';
import * as v from 'valibot';

/**
 * The standard OpenTelemetry variables this SDK setup reads (OTEL_EXPORTER_OTLP_* are read by the exporter
 * itself). The batch processor's defaults are sized for tens of thousands of spans a second, not the spec's 2048
 * queue and 5 s delay, so that no span is dropped at full load.
 */
export const telemetryEnvSchema = v.object({
  OTEL_SDK_DISABLED: flag(false, 'true: no SDK, every span is a no-op'),
  OTEL_SERVICE_NAME: v.pipe(v.optional(v.string()), v.description('Overrides service.name (edge, gateway, framework)')),
  OTEL_TRACES_EXPORTER: v.pipe(
    v.optional(v.picklist(['otlp', 'console', 'none']), 'otlp'),
    v.description(
      'otlp (http/protobuf to OTEL_EXPORTER_OTLP_ENDPOINT, default http://localhost:4318), console or none',
    ),
  ),
  OTEL_TRACES_SAMPLER: v.pipe(
    v.optional(
      v.picklist([
        'always_on',
        'always_off',
        'traceidratio',
        'parentbased_always_on',
        'parentbased_always_off',
        'parentbased_traceidratio',
      ]),
      'parentbased_always_on',
    ),
    v.description('Head sampler'),
  ),
  OTEL_TRACES_SAMPLER_ARG: v.pipe(
    v.optional(v.pipe(v.string(), v.transform(Number), v.number(), v.minValue(0), v.maxValue(1)), '1'),
    v.description('Ratio for the traceidratio samplers'),
  ),
  OTEL_BSP_SCHEDULE_DELAY: count(500, 'ms between two exports of the batch span processor'),
  OTEL_BSP_MAX_QUEUE_SIZE: count(131_072, 'Spans the batch processor may hold; beyond it spans are dropped', {
    min: 1,
  }),
  OTEL_BSP_MAX_EXPORT_BATCH_SIZE: count(8_192, 'Spans per export', { min: 1 }),
  OTEL_BSP_EXPORT_TIMEOUT: count(10_000, 'ms an export may take'),
});

export type TelemetryConfig = v.InferOutput<typeof telemetryEnvSchema>;

export function loadTelemetryConfig(env: Env): Readonly<TelemetryConfig> {
  return loadConfig('telemetry', telemetryEnvSchema, env);
}
