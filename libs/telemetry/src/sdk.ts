export { BufferingExporter } from './buffering-exporter';
export type { BufferingExporterOptions } from './buffering-exporter';
export { loadTelemetryConfig, telemetryEnvSchema } from './config';
export type { TelemetryConfig } from './config';
export { ErrorTypeProcessor } from './error-type-processor';
export { startTelemetry } from './start-telemetry';
export type { TelemetryOptions } from './start-telemetry';
export { loadMetricsConfig, metricsEnvSchema } from './metrics-config';
export type { MetricsConfig } from './metrics-config';
