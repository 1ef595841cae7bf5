import type { ServerTiming } from '@mono/contracts';

/** A metric name is a token: nothing a layer below sends can add a parameter or another field. */
const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;

/**
 * The Server-Timing value for a response head (W3C Server Timing): the edge's own time until the head, then the
 * parts the layers below reported with it (gw-queue, gw, fw, app), in milliseconds. Each part is a layer's own time,
 * without what it waited for below; what is left of the total is the time on the wire between them. A streamed
 * body's time is in the trace only.
 *
 * @example
 * serverTiming(0.42, [{ name: 'app', durationUs: 1250 }]) // 'edge;dur=0.42, app;dur=1.25'
 */
export function serverTiming(edgeMs: number, below: readonly ServerTiming[]): string {
  let value = `edge;dur=${round(edgeMs)}`;
  for (const part of below) if (TOKEN.test(part.name)) value += `, ${part.name};dur=${round(part.durationUs / 1_000)}`;
  return value;
}

function round(ms: number): number {
  return Math.round(Math.max(ms, 0) * 1_000) / 1_000;
}
