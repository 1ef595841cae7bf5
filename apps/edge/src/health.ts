import type { Stage } from './compose';

/**
 * Answers the edge's own health check (nginx's `location = /health { return 200; }`) at EDGE_HEALTH_PATH without
 * a hop: 200 while serving, 503 once draining. The container's HEALTHCHECK asks it.
 */
export function health(path: string, isDraining: () => boolean): Stage {
  return async function healthStage(ctx, next) {
    if (ctx.req.url !== path || (ctx.req.method !== 'GET' && ctx.req.method !== 'HEAD')) {
      await next();
      return;
    }
    const draining = isDraining();
    const body = JSON.stringify({ status: draining ? 'draining' : 'serving' });
    ctx.status = draining ? 503 : 200;
    ctx.bytesSent = body.length;
    ctx.res.writeHead(ctx.status, {
      'Content-Type': 'application/json',
      'Content-Length': body.length,
      'Cache-Control': 'no-store',
    });
    ctx.res.end(body);
  };
}
