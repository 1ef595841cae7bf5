import { metrics } from '@opentelemetry/api';
import { DURATION_BUCKETS, durationHistogram, KNOWN_HTTP_METHODS, recordByParts } from '@mono/telemetry';
import type { EdgeState } from './edge-state';

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
  const record = recordByParts(
    duration,
    (method: string, status: number) => `${method} ${status}`,
    (method, status) => ({
      'http.request.method': method,
      'http.response.status_code': status,
      'url.scheme': 'http',
    }),
  );
  return {
    done(method, status, seconds) {
      record(seconds, method !== undefined && KNOWN_HTTP_METHODS.has(method) ? method : '_OTHER', status);
    },
  };
}
