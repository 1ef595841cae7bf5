import type { IncomingMessage, ServerResponse } from 'node:http';
import { metrics } from '@opentelemetry/api';
import { OTLPMetricExporter } from '@opentelemetry/exporter-metrics-otlp-proto';
import { PrometheusExporter, PrometheusSerializer } from '@opentelemetry/exporter-prometheus';
import type { Resource } from '@opentelemetry/resources';
import {
  ConsoleMetricExporter,
  MeterProvider,
  PeriodicExportingMetricReader,
  type IMetricReader,
} from '@opentelemetry/sdk-metrics';
import { enableDurationHistograms } from './duration-histogram';
import { HistogramProducer } from './histogram-producer';
import type { MetricsConfig } from './metrics-config';
import { setPrometheusHandler } from './prometheus-handler';

/**
 * Starts OpenTelemetry metrics for a service with the reader OTEL_METRICS_EXPORTER names. With `prometheus` nothing is
 * pushed: the service's admin listener serves the text format at `/metrics` (prometheusHandler()).
 *
 * @example
 * startMetrics({ resource, config: loadMetricsConfig(process.env) });
 */
export function startMetrics({ resource, config }: { resource: Resource; config: Readonly<MetricsConfig> }): void {
  const reader = createReader(config);
  if (reader === undefined) return;
  metrics.setGlobalMeterProvider(new MeterProvider({ resource, readers: [reader] }));
}

function createReader(config: Readonly<MetricsConfig>): IMetricReader | undefined {
  if (config.OTEL_METRICS_EXPORTER === 'none') return undefined;
  const metricProducers = [new HistogramProducer(enableDurationHistograms())];
  switch (config.OTEL_METRICS_EXPORTER) {
    case 'prometheus': {
      const exporter = new PrometheusExporter({ preventServerStart: true, metricProducers });
      // The exporter's own defaults (no prefix, no timestamps): the same text as its handler serves.
      const serializer = new PrometheusSerializer();
      setPrometheusHandler(
        (req: IncomingMessage, res: ServerResponse) => exporter.getMetricsRequestHandler(req, res),
        async () => serializer.serialize((await exporter.collect()).resourceMetrics),
      );
      return exporter;
    }
    default:
      return new PeriodicExportingMetricReader({
        metricProducers,
        exporter: config.OTEL_METRICS_EXPORTER === 'otlp' ? new OTLPMetricExporter() : new ConsoleMetricExporter(),
        exportIntervalMillis: config.OTEL_METRIC_EXPORT_INTERVAL,
        exportTimeoutMillis: Math.min(config.OTEL_METRIC_EXPORT_TIMEOUT, config.OTEL_METRIC_EXPORT_INTERVAL),
      });
  }
}
