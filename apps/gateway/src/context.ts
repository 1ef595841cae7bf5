import type { Context, Span } from '@opentelemetry/api';
import type { Environ, HttpRequest } from '@mono/contracts';
import type { ServerCall } from '@mono/transport';
import type { Ticket } from './admission';

/** What the gateway knows about one request as it crosses the pipeline; each step fills in its part. */
export class GatewayContext {
  readonly call: ServerCall<HttpRequest>;
  /** The environ for the framework (environ). */
  environ: Environ | undefined = undefined;
  /** The request's INTERNAL span, or the call's own when nothing below it is recorded (trace-invoke). */
  span: Span | undefined = undefined;
  /** The context the framework is called in (trace-invoke). */
  active: Context;
  /** Its slot among GATEWAY_MAX_CONCURRENCY (admit). */
  ticket: Ticket | undefined = undefined;
  /** ms the framework may take; 0: no deadline (deadline). */
  timeoutMs = 0;
  #finished = false;

  constructor(call: ServerCall<HttpRequest>) {
    this.call = call;
    this.active = call.context;
  }

  /** The request is over on both sides: its slot goes to the next one waiting, its span ends. Runs once. */
  finish(): void {
    if (this.#finished) return;
    this.#finished = true;
    this.ticket?.release();
    if (this.span?.isRecording()) this.span.end();
  }
}
