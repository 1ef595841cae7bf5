import { context } from '@opentelemetry/api';
import type { ForwardedEnviron } from '@mono/contracts';
import { AppError } from '@mono/errors';
import type { Step } from '@mono/runtime';
import { grpcStatusName } from '@mono/telemetry';
import { forwardBody, type PoolCall } from '@mono/transport';
import type { GatewayConfig } from './config';
import type { GatewayContext } from './context';
import type { Mount } from './gateway-stats';

/** RFC 9110's idempotent methods: sent to another framework instance when their stream broke before any answer. */
const IDEMPOTENT = new Set(['GET', 'HEAD', 'OPTIONS', 'TRACE', 'PUT', 'DELETE']);

/**
 * Forwards the request to a framework instance of its mount's pool and the response back: bodies flow both ways under
 * the windows of both hops, a cancel from the edge cancels the framework's call, a request an instance refused (or
 * lost, when idempotent) goes to another one (docs/adr/0006-resilience.md), and the framework's errors pass through
 * (GW_ERR_FRAMEWORK_UNAVAILABLE, 502, when none can be reached). The request is over when both sides are. The
 * response head gets the gateway's part of its time: the queue, then the gateway's own before it forwarded.
 */
export function invoke(config: Pick<GatewayConfig, 'maxDurationMs'>): Step<GatewayContext> {
  return function invokeStep(ctx) {
    const downstream = context.with(ctx.active, forward, undefined, ctx);
    if (config.maxDurationMs > 0) ctx.timer = setTimeout(harakiri, config.maxDurationMs, ctx, downstream, config);
  };
}

function forward(ctx: GatewayContext): PoolCall<ForwardedEnviron> {
  const { call } = ctx;
  const framework = (ctx.mount as Mount).pool;
  ctx.forwardedAt = performance.now();
  const response = forwardBody(
    call,
    (bytes) => downstream.ack(bytes),
    (err) => call.fail(err),
  );
  const downstream = framework.call(
    ctx.environ as ForwardedEnviron,
    {
      headTimeoutMs: ctx.timeoutMs,
      idleTimeoutMs: ctx.idleTimeoutMs,
      bodyBytes: bodyBytes(ctx.environ as ForwardedEnviron),
    },
    {
      head(head) {
        ctx.ended(head.status, 'OK');
        const timing = head.timing;
        if (timing !== undefined) {
          timing.gatewayQueueUs = Math.round(ctx.queuedMs * 1_000);
          timing.gatewayUs = Math.round((ctx.forwardedAt - ctx.startedAt - ctx.queuedMs) * 1_000);
        }
        call.respond(head);
      },
      data: response.data,
      end() {
        response.end();
        ctx.finish();
      },
      error(err) {
        ctx.ended(err.httpStatus, grpcStatusName(err.grpcStatus));
        call.fail(err);
        ctx.finish();
      },
    },
    { idempotent: IDEMPOTENT.has(call.head.method) },
  );
  const onabort = (reason: AppError): void => {
    downstream.cancel();
    ctx.aborted(reason);
  };
  call.onabort = onabort;
  call.body.attach(
    forwardBody(
      downstream,
      (bytes) => call.body.consumed(bytes),
      () => downstream.cancel(),
    ),
  );
  return downstream;
}

/** GATEWAY_MAX_DURATION_MS passed (uWSGI's harakiri): the framework's call is cancelled, the request fails. */
function harakiri(
  ctx: GatewayContext,
  downstream: PoolCall<ForwardedEnviron>,
  config: Pick<GatewayConfig, 'maxDurationMs'>,
) {
  ctx.timer = undefined;
  downstream.cancel();
  const err = new AppError('GW_ERR_MAX_DURATION', `the request ran longer than ${config.maxDurationMs} ms`);
  ctx.ended(err.httpStatus, grpcStatusName(err.grpcStatus));
  ctx.call.fail(err);
  ctx.finish();
}

/** The request body's declared size: Infinity when its length is not known (tsgi.input_terminated). */
function bodyBytes(environ: ForwardedEnviron): number {
  if (environ.inputTerminated) return Infinity;
  return environ.contentLength === '' ? 0 : Number(environ.contentLength);
}
