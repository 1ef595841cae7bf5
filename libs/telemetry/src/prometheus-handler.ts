import type { IncomingMessage, ServerResponse } from 'node:http';

type Handler = (req: IncomingMessage, res: ServerResponse) => void;

/** Global: the SDK starts in the telemetry bundle, the admin listener runs in the service's own bundle. */
const HANDLER = Symbol.for('mono.telemetry.prometheusHandler');

export function setPrometheusHandler(handler: Handler | undefined): void {
  (globalThis as Record<symbol, unknown>)[HANDLER] = handler;
}

/** Serves the metrics in Prometheus' text format; undefined when OTEL_METRICS_EXPORTER is not `prometheus`. */
export function prometheusHandler(): Handler | undefined {
  return (globalThis as Record<symbol, unknown>)[HANDLER] as Handler | undefined;
}
