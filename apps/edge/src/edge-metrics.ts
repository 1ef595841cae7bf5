import { metrics } from '@opentelemetry/api';
import { durationHistogram } from '@mono/telemetry';
import type { EdgeState } from './edge-state';

/** Seconds, the semantic conventions' advice for request durations. */
const DURATION_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.25, 0.5, 0.75, 1, 2.5, 5, 7.5, 10];
const KNOWN_METHODS = new Set(['GET', 'HEAD', 'POST', 'PUT', 'DELETE', 'CONNECT', 'OPTIONS', 'TRACE', 'PATCH']);

export interface EdgeMetrics {
  /** A request is over (http.server.request.duration). */
  done(method: string | undefined, status: number, seconds: number): void;
}

/**
 * The edge's metrics by the semantic conventions: `http.server.request.duration` by method and status, and
 * `http.server.active_requests` (read when metrics are collected). Attribute sets are made once per method and status,
 * and a duration is recorded without the SDK's per-record work (durationHistogram).
 */
export function edgeMetrics(state: EdgeState): EdgeMetrics {
  const meter = metrics.getMeter('edge');
  const duration = durationHistogram('edge', 'http.server.request.duration', {
    description: 'Duration of HTTP server requests',
    unit: 's',
    boundaries: DURATION_BUCKETS,
  });
  meter
    .createObservableUpDownCounter('http.server.active_requests', {
      description: 'Number of active HTTP server requests',
      unit: '{request}',
    })
    .addCallback((observer) => observer.observe(state.inFlight, { 'url.scheme': 'http' }));
  return {
    done(method, status, seconds) {
      const known = method !== undefined && KNOWN_METHODS.has(method) ? method : '_OTHER';
      duration.record(seconds, `${known} ${status}`, () => ({
        'http.request.method': known,
        'http.response.status_code': status,
        'url.scheme': 'http',
      }));
    },
  };
}
