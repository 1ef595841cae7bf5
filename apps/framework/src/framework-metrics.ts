import { metrics } from '@opentelemetry/api';
import { ATTR_MONO_APPLICATION, DURATION_BUCKETS, durationHistogram, recordByParts } from '@mono/telemetry';
import type { Outcome } from './application-stats';
import type { HostedEntry } from './application-table';

const METHOD = 'mono.framework.v1.FrameworkService/Exchange';

/** What the framework measures per request; the gauge is read when metrics are collected. */
export interface FrameworkMetrics {
  /** A request is over: its duration by application and outcome (rpc.server.call.duration). */
  done(application: string, outcome: Outcome, grpcStatus: string, seconds: number): void;
}

/**
 * The framework's metrics, named by the semantic conventions where they name them: `rpc.server.call.duration` by
 * application (mono.framework.application), gRPC outcome (rpc.response.status_code) and the application's HTTP
 * status (http.response.status_code, absent when the request was cancelled), and `mono.framework.requests.in_flight`
 * by application. The attribute sets are made once per application and outcome, not per request, and a duration is
 * recorded without the SDK's per-record work (durationHistogram).
 */
export function frameworkMetrics(entries: readonly HostedEntry[]): FrameworkMetrics {
  const meter = metrics.getMeter('framework');
  const duration = durationHistogram('framework', 'rpc.server.call.duration', {
    description: 'Duration of requests the framework served, by application and outcome',
    unit: 's',
    boundaries: DURATION_BUCKETS,
  });
  const inFlight = meter.createObservableGauge('mono.framework.requests.in_flight', {
    description: 'Requests an application is serving now',
    unit: '{request}',
  });
  meter.addBatchObservableCallback(
    (observer) => {
      for (const entry of entries) {
        observer.observe(inFlight, entry.stats.inFlight, { [ATTR_MONO_APPLICATION]: entry.name });
      }
    },
    [inFlight],
  );
  const record = recordByParts(
    duration,
    (application: string, grpcStatus: string, outcome: Outcome) => `${application} ${grpcStatus} ${outcome}`,
    (application, grpcStatus, outcome) => ({
      'rpc.system.name': 'grpc',
      'rpc.method': METHOD,
      'rpc.response.status_code': grpcStatus,
      [ATTR_MONO_APPLICATION]: application,
      ...(outcome === 'cancelled' ? {} : { 'http.response.status_code': outcome }),
    }),
  );
  return {
    done(application, outcome, grpcStatus, seconds) {
      record(seconds, application, grpcStatus, outcome);
    },
  };
}
