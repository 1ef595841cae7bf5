import type { Logger } from '@mono/telemetry';
import type { Stage } from './compose';
import type { EdgeConfig } from './config';
import type { EdgeContext } from './context';
import { isHealthCheck } from './health';

/**
 * One structured line per request once it is over: status, bytes, duration, upstream time, request id, and (it runs
 * in the request's span) trace_id and span_id. Health checks are not logged unless EDGE_HEALTH_QUIET is false.
 */
export function accessLog(log: Logger, config: Pick<EdgeConfig, 'healthPath' | 'healthQuiet'>): Stage {
  return async function accessLogStage(ctx, next) {
    if (config.healthQuiet && isHealthCheck(ctx.req, config.healthPath)) {
      await next();
      return;
    }
    try {
      await next();
    } finally {
      write(log, ctx);
    }
  };
}

function write(log: Logger, ctx: EdgeContext): void {
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
}
