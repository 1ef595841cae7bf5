import { metrics } from '@opentelemetry/api';
import { ATTR_MONO_SCRIPT_NAME, DURATION_BUCKETS, durationHistogram, recordByParts } from '@mono/telemetry';
import type { Mount } from './gateway-stats';

const METHOD = 'mono.gateway.v1.GatewayService/Exchange';

/** What the gateway measures per request; the gauges are read when metrics are collected. */
export interface GatewayMetrics {
  /** A request is over: its duration per mount and outcome (rpc.server.call.duration). */
  done(mount: string, status: string, seconds: number): void;
}

/**
 * The gateway's metrics, named by the semantic conventions where they name them: `rpc.server.call.duration` per mount
 * (mono.gateway.script_name) and outcome (rpc.response.status_code), and per mount `mono.gateway.requests.in_flight`
 * and `mono.gateway.queue.depth`. The attribute sets are made once per mount and outcome, not per request, and a
 * duration is recorded without the SDK's per-record work (durationHistogram).
 */
export function gatewayMetrics(mounts: readonly Mount[]): GatewayMetrics {
  const meter = metrics.getMeter('gateway');
  const duration = durationHistogram('gateway', 'rpc.server.call.duration', {
    description: 'Duration of requests the gateway served, by mount and outcome',
    unit: 's',
    boundaries: DURATION_BUCKETS,
  });
  const inFlight = meter.createObservableGauge('mono.gateway.requests.in_flight', {
    description: "Requests in flight to the framework, per mount (bounded by the mount's limit)",
    unit: '{request}',
  });
  const queued = meter.createObservableGauge('mono.gateway.queue.depth', {
    description: 'Requests waiting for a slot, per mount',
    unit: '{request}',
  });
  meter.addBatchObservableCallback(
    (observer) => {
      for (const mount of mounts) {
        const attributes = { [ATTR_MONO_SCRIPT_NAME]: mount.path || '/' };
        observer.observe(inFlight, mount.admission.inFlight, attributes);
        observer.observe(queued, mount.admission.queued, attributes);
      }
    },
    [inFlight, queued],
  );
  const record = recordByParts(
    duration,
    (mount: string, status: string) => `${mount} ${status}`,
    (mount, status) => ({
      'rpc.system.name': 'grpc',
      'rpc.method': METHOD,
      'rpc.response.status_code': status,
      [ATTR_MONO_SCRIPT_NAME]: mount || '/',
    }),
  );
  return {
    done(mount, status, seconds) {
      record(seconds, mount, status);
    },
  };
}
