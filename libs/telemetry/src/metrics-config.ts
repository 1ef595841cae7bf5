import { count, loadConfig, type Env } from '@mono/config';
import * as v from 'valibot';

/**
 * The standard OpenTelemetry variables for metrics. Metrics never go to Jaeger (it takes traces only): `prometheus`
 * serves them on the service's admin port (`/metrics`), `otlp` pushes them to OTEL_EXPORTER_OTLP_METRICS_ENDPOINT
 * (or the generic OTEL_EXPORTER_OTLP_ENDPOINT) — a Collector, Prometheus with its OTLP receiver, …
 */
export const metricsEnvSchema = v.object({
  OTEL_METRICS_EXPORTER: v.pipe(
    v.optional(v.picklist(['prometheus', 'otlp', 'console', 'none']), 'prometheus'),
    v.description('prometheus (text on the admin port, /metrics), otlp (http/protobuf push), console or none'),
  ),
  OTEL_METRIC_EXPORT_INTERVAL: count(60_000, 'ms between two pushes (otlp, console)', { min: 1 }),
  OTEL_METRIC_EXPORT_TIMEOUT: count(30_000, 'ms a push may take (otlp, console)', { min: 1 }),
});

export type MetricsConfig = v.InferOutput<typeof metricsEnvSchema>;

export function loadMetricsConfig(env: Env): Readonly<MetricsConfig> {
  return loadConfig('telemetry', metricsEnvSchema, env);
}
