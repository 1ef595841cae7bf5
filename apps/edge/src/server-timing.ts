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
  const edge = `edge;dur=${milliseconds(edgeMs * 1_000)}`;
  if (below === undefined) return edge;
  return (
    `${edge}, gw-queue;dur=${milliseconds(below.gatewayQueueUs)}, gw;dur=${milliseconds(below.gatewayUs)}, ` +
    `fw;dur=${milliseconds(below.frameworkUs)}, app;dur=${milliseconds(below.appUs)}`
  );
}

/**
 * Microseconds as milliseconds to three decimals, written as JavaScript writes the rounded number (0.68, 12, 0.005)
 * but from integers: a fraction's shortest decimal form is V8's slow path, five of them ~1 µs a request (ADR-0033).
 */
export function milliseconds(us: number): string {
  const total = Math.round(Math.max(us, 0));
  const whole = Math.floor(total / 1_000);
  const part = total - whole * 1_000;
  if (part === 0) return `${whole}`;
  if (part % 100 === 0) return `${whole}.${part / 100}`;
  if (part % 10 === 0) return `${whole}.${part < 100 ? '0' : ''}${part / 10}`;
  return `${whole}.${part < 10 ? '00' : part < 100 ? '0' : ''}${part}`;
}
