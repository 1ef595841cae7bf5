import type { Context, Span } from '@opentelemetry/api';
import type { AppError } from '@mono/errors';
import { GrpcStatus } from '@mono/errors';
import { grpcStatusName } from '@mono/telemetry';
import type { ForwardedEnviron, ForwardedRequest } from '@mono/contracts';
import type { ServerCall } from '@mono/transport';
import type { Ticket } from './admission';
import type { GatewayMetrics } from './gateway-metrics';
import type { GatewayStats, Mount, Outcome } from './gateway-stats';

/** What the gateway knows about one request as it crosses the pipeline; each step fills in its part. */
export class GatewayContext {
  readonly call: ServerCall<ForwardedRequest>;
  /** performance.now() when the request reached the gateway. */
  readonly startedAt = performance.now();
  /** Its mount: path, framework pool, admission (environ). */
  mount: Mount | undefined = undefined;
  /** The status it ended with (the framework's, or its error's), or 'cancelled'. */
  outcome: Outcome = 'cancelled';
  /** gRPC status name of how it ended, for metrics. */
  grpcStatus = 'CANCELLED';
  /** The environ for the framework (environ). */
  environ: ForwardedEnviron | undefined = undefined;
  /** The request's INTERNAL span, or the call's own when nothing below it is recorded (trace-invoke). */
  span: Span | undefined = undefined;
  /** The context the framework is called in (trace-invoke). */
  active: Context;
  /** Its slot among GATEWAY_MAX_CONCURRENCY (admit). */
  ticket: Ticket | undefined = undefined;
  /** ms it waited in the mount's queue for that slot (admit). */
  queuedMs = 0;
  /** performance.now() when it was sent to a framework (invoke). */
  forwardedAt = 0;
  /** ms the framework has to send the response head; 0: no limit (deadline). */
  timeoutMs = 0;
  /** The longest gap between two body chunks the framework's call may have; 0: no limit (deadline). */
  idleTimeoutMs = 0;
  /** Cancels a maximum-duration timer (GATEWAY_MAX_DURATION_MS), when one runs (invoke). */
  timer: NodeJS.Timeout | undefined = undefined;
  readonly #stats: GatewayStats;
  readonly #metrics: GatewayMetrics;
  #finished = false;

  constructor(call: ServerCall<ForwardedRequest>, stats: GatewayStats, metrics: GatewayMetrics) {
    this.call = call;
    this.active = call.context;
    this.#stats = stats;
    this.#metrics = metrics;
  }

  /** The request goes to `mount` (environ). */
  mounted(mount: Mount): void {
    this.mount = mount;
    this.#stats.arrived(mount);
  }

  /** The request ended with `status` (an HTTP status), seen by the gateway as `grpcStatus`. */
  ended(status: number, grpcStatus: string): void {
    this.outcome = status;
    this.grpcStatus = grpcStatus;
  }

  /**
   * The call was aborted: its client cancelled it (counted as cancelled), or the gateway ended it — its body crossed
   * a limit, it was idle or late (counted by the error's status).
   */
  aborted(reason: AppError): void {
    if (reason.grpcStatus !== GrpcStatus.CANCELLED) this.ended(reason.httpStatus, grpcStatusName(reason.grpcStatus));
    this.finish();
  }

  /**
   * The request is over on both sides: its slot goes to the next one waiting, its span ends, it is counted and
   * measured. Runs once.
   */
  finish(): void {
    if (this.#finished) return;
    this.#finished = true;
    if (this.timer) clearTimeout(this.timer);
    this.ticket?.release();
    if (this.span?.isRecording()) this.span.end();
    const ms = performance.now() - this.startedAt;
    this.#stats.finished(this.outcome, this.mount, ms);
    this.#metrics.done(this.mount?.path ?? '', this.grpcStatus, ms / 1_000);
  }
}
