import { ValueType, type HrTime } from '@opentelemetry/api';
import { emptyResource } from '@opentelemetry/resources';
import {
  AggregationTemporality,
  DataPointType,
  type CollectionResult,
  type HistogramMetricData,
  type MetricProducer,
  type ScopeMetrics,
} from '@opentelemetry/sdk-metrics';
import type { HistogramSource } from './duration-histogram';

/**
 * Hands the durationHistogram()s of this process to a metric reader as cumulative histogram data, each under the scope
 * (meter name) it was made for. The reader keeps the resource of its own SDK producer and adds these scopes.
 *
 * @example
 * new PrometheusExporter({ metricProducers: [new HistogramProducer(enableDurationHistograms())] });
 */
export class HistogramProducer implements MetricProducer {
  readonly #sources: readonly HistogramSource[];

  constructor(sources: readonly HistogramSource[]) {
    this.#sources = sources;
  }

  async collect(): Promise<CollectionResult> {
    const endTime = hrTime(Date.now());
    const scopes = new Map<string, ScopeMetrics>();
    for (const { scope, name, options, series } of this.#sources) {
      if (series.size === 0) continue;
      const metric: HistogramMetricData = {
        descriptor: { name, description: options.description, unit: options.unit, valueType: ValueType.DOUBLE },
        aggregationTemporality: AggregationTemporality.CUMULATIVE,
        dataPointType: DataPointType.HISTOGRAM,
        dataPoints: [...series.values()].map((one) => ({
          startTime: hrTime(one.startMs),
          endTime,
          attributes: one.attributes,
          value: {
            buckets: { boundaries: [...options.boundaries], counts: [...one.counts] },
            count: one.count,
            sum: one.sum,
            min: one.min,
            max: one.max,
          },
        })),
      };
      let metrics = scopes.get(scope);
      if (metrics === undefined) {
        metrics = { scope: { name: scope }, metrics: [] };
        scopes.set(scope, metrics);
      }
      metrics.metrics.push(metric);
    }
    return { resourceMetrics: { resource: emptyResource(), scopeMetrics: [...scopes.values()] }, errors: [] };
  }
}

function hrTime(ms: number): HrTime {
  const seconds = Math.floor(ms / 1000);
  return [seconds, Math.round((ms - seconds * 1000) * 1e6)];
}
