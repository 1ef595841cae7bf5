import type { Logger } from '@mono/telemetry';
import type { Stage } from './compose';

/** One structured line per request once it is over: status, bytes, duration, upstream time, request id. */
export function accessLog(log: Logger): Stage {
  return async function accessLogStage(ctx, next) {
    await next();
    const durationMs = Number(process.hrtime.bigint() - ctx.startedAt) / 1e6;
    log.info(
      {
        method: ctx.req.method,
        target: ctx.req.url,
        status: ctx.status,
        bytes: ctx.bytesSent,
        durationMs: Math.round(durationMs * 1000) / 1000,
        upstream: ctx.upstream,
        upstreamMs: ctx.upstreamMs === undefined ? undefined : Math.round(ctx.upstreamMs * 1000) / 1000,
        requestId: ctx.requestId,
        client: ctx.req.socket.remoteAddress,
        error: ctx.error?.code,
      },
      'access',
    );
  };
}
