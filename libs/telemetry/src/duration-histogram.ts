import type { Attributes } from '@opentelemetry/api';

/** Global: the SDK starts in the telemetry bundle, the services record in their own bundle. */
const REGISTRY = Symbol.for('mono.telemetry.durationHistograms');
/** The metrics SDK's default cardinality limit (2000 series, the overflow one included). */
const MAX_SERIES = 1999;
const OVERFLOW: Attributes = { 'otel.metric.overflow': true };

/** Seconds: the semantic conventions' advice for the buckets of request and call durations. */
export const DURATION_BUCKETS: readonly number[] = [
  0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.25, 0.5, 0.75, 1, 2.5, 5, 7.5, 10,
];

export interface DurationHistogramOptions {
  readonly description: string;
  readonly unit: string;
  /** Upper bounds of the buckets, ascending (explicit bucket boundaries). */
  readonly boundaries: readonly number[];
}

/** One attribute set's accumulation. */
export interface HistogramSeries {
  readonly attributes: Attributes;
  /** When it was first recorded, ms since the epoch. */
  readonly startMs: number;
  /** Per bucket, the last one above the highest bound. */
  readonly counts: number[];
  count: number;
  sum: number;
  min: number;
  max: number;
}

/** What the metrics SDK reads when it collects (histogram-producer.ts). */
export interface HistogramSource {
  readonly scope: string;
  readonly name: string;
  readonly options: DurationHistogramOptions;
  readonly series: Map<string, HistogramSeries>;
}

export interface DurationHistogram {
  /**
   * Records one value under the attribute set `key` names; `attributes` makes that set the first time the key is
   * seen.
   */
  record(value: number, key: string, attributes: () => Attributes): void;
}

const NOOP: DurationHistogram = { record() {} };

/**
 * A cumulative explicit-bucket histogram for the request path: a record is a Map lookup by a string key and a few
 * additions, where the SDK's instrument sorts and serialises the attributes and takes a timestamp on every record
 * (docs/adr/0019-metrics-on-the-request-path.md). The metrics SDK reads it when it collects, through the
 * MetricProducer startMetrics registers, so it is exported like any other instrument; with metrics off it records
 * nothing. Made twice with one scope and name, it is the same histogram (the first boundaries hold).
 *
 * @example
 * const duration = durationHistogram('gateway', 'rpc.server.call.duration', { description, unit: 's', boundaries });
 * duration.record(0.004, 'OK', () => ({ 'rpc.response.status_code': 'OK' }));
 */
export function durationHistogram(scope: string, name: string, options: DurationHistogramOptions): DurationHistogram {
  const registry = (globalThis as Record<symbol, unknown>)[REGISTRY] as HistogramSource[] | undefined;
  if (registry === undefined) return NOOP;
  let source = registry.find((one) => one.scope === scope && one.name === name);
  if (source === undefined) {
    // As the SDK takes explicit bucket boundaries: ascending, finite.
    const boundaries = [...new Set(options.boundaries)].filter(Number.isFinite).sort((a, b) => a - b);
    source = { scope, name, options: { ...options, boundaries }, series: new Map() };
    registry.push(source);
  }
  const boundaries = source.options.boundaries;
  const series = source.series;
  const open = (attributes: Attributes): HistogramSeries => ({
    attributes,
    startMs: Date.now(),
    counts: new Array<number>(boundaries.length + 1).fill(0),
    count: 0,
    sum: 0,
    min: Infinity,
    max: -Infinity,
  });
  return {
    record(value, key, attributes) {
      // The SDK drops what a histogram cannot hold: negative values and NaN.
      if (!(value >= 0)) return;
      let one = series.get(key);
      if (one === undefined) {
        const overflow = series.size >= MAX_SERIES;
        const at = overflow ? '\0overflow' : key;
        one = series.get(at);
        if (one === undefined) {
          one = open(overflow ? OVERFLOW : attributes());
          series.set(at, one);
        }
      }
      let bucket = 0;
      for (const bound of boundaries) {
        if (value <= bound) break;
        bucket += 1;
      }
      one.counts[bucket] = (one.counts[bucket] ?? 0) + 1;
      one.count += 1;
      one.sum += value;
      if (value < one.min) one.min = value;
      if (value > one.max) one.max = value;
    },
  };
}

/**
 * Records into the attribute set that two or three parts name (a method and a status; an application, a gRPC status
 * and an outcome), making its key and its attributes' factory again only when the parts differ from the last
 * record's. Consecutive requests nearly always repeat them; a key built for every request cost a new string and its
 * hash each time (a lone request, whose caches hold other things, ~2 µs in perf).
 *
 * @example
 * const done = recordByParts(duration, (method: string, status: number) => `${method} ${status}`, (method, status) => ({
 *   'http.request.method': method,
 *   'http.response.status_code': status,
 * }));
 * done(0.004, 'GET', 200);
 */
export function recordByParts<A, B, C = void>(
  histogram: DurationHistogram,
  key: (a: A, b: B, c: C) => string,
  attributes: (a: A, b: B, c: C) => Attributes,
): (value: number, a: A, b: B, c: C) => void {
  let lastKey: string | undefined;
  let lastAttributes: () => Attributes = () => ({});
  let lastA: A | undefined;
  let lastB: B | undefined;
  let lastC: C | undefined;
  return (value, a, b, c) => {
    if (lastKey === undefined || a !== lastA || b !== lastB || c !== lastC) {
      lastA = a;
      lastB = b;
      lastC = c;
      lastKey = key(a, b, c);
      lastAttributes = () => attributes(a, b, c);
    }
    histogram.record(value, lastKey, lastAttributes);
  };
}

/** Turns recording on for this process (startMetrics, before the services make their instruments); returns what they register. */
export function enableDurationHistograms(): readonly HistogramSource[] {
  const global = globalThis as Record<symbol, unknown>;
  global[REGISTRY] ??= [];
  return global[REGISTRY] as HistogramSource[];
}
