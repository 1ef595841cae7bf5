import type { IncomingMessage, ServerResponse } from 'node:http';

type Handler = (req: IncomingMessage, res: ServerResponse) => void;
type Text = () => Promise<string>;

/** Global: the SDK starts in the telemetry bundle, the admin listener runs in the service's own bundle. */
const HANDLER = Symbol.for('mono.telemetry.prometheusHandler');
const TEXT = Symbol.for('mono.telemetry.prometheusText');

export function setPrometheusHandler(handler: Handler | undefined, text?: Text): void {
  (globalThis as Record<symbol, unknown>)[HANDLER] = handler;
  (globalThis as Record<symbol, unknown>)[TEXT] = text;
}

/** Serves the metrics in Prometheus' text format; undefined when OTEL_METRICS_EXPORTER is not `prometheus`. */
export function prometheusHandler(): Handler | undefined {
  return (globalThis as Record<symbol, unknown>)[HANDLER] as Handler | undefined;
}

/**
 * The metrics in Prometheus' text format, as `prometheusHandler` serves them, for a process that hands them to another
 * (a framework worker to its master); undefined when OTEL_METRICS_EXPORTER is not `prometheus`.
 *
 * @example
 * const text = await prometheusText()?.();
 */
export function prometheusText(): Text | undefined {
  return (globalThis as Record<symbol, unknown>)[TEXT] as Text | undefined;
}
