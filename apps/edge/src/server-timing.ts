import type { HeadTiming } from '@mono/contracts';

/**
 * The Server-Timing value for a response head (W3C Server Timing): the edge's own time until the head, then the
 * parts the layers below reported with it — the gateway's queue and own time, the framework's and the application's
 * (ResponseHead.timing) — in milliseconds. Each is a layer's own time, without what it waited for below; what is left
 * of the total is the time on the wire between them. A streamed body's time is in the trace only.
 *
 * @example
 * serverTiming(0.42, { gatewayQueueUs: 0, gatewayUs: 30, frameworkUs: 20, appUs: 1250 })
 * // 'edge;dur=0.42, gw-queue;dur=0, gw;dur=0.03, fw;dur=0.02, app;dur=1.25'
 */
export function serverTiming(edgeMs: number, below: HeadTiming | undefined): string {
  const edge = `edge;dur=${round(edgeMs)}`;
  if (below === undefined) return edge;
  return (
    `${edge}, gw-queue;dur=${round(below.gatewayQueueUs / 1_000)}, gw;dur=${round(below.gatewayUs / 1_000)}, ` +
    `fw;dur=${round(below.frameworkUs / 1_000)}, app;dur=${round(below.appUs / 1_000)}`
  );
}

function round(ms: number): number {
  return Math.round(Math.max(ms, 0) * 1_000) / 1_000;
}
