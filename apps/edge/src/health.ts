import type { IncomingMessage } from 'node:http';
import type { Stage } from './compose';

/**
 * Answers the edge's own health check (nginx's `location = /health { return 200; }`) at EDGE_HEALTH_PATH without
 * a hop: 200 while serving, 503 once draining. The container's HEALTHCHECK asks it. While the edge drains, every
 * other request is still served, and its response closes the connection (`Connection: close`, as nginx and Envoy
 * do when they drain), so that keep-alive clients reconnect to an instance that stays.
 */
export function health(path: string, state: { readonly draining: boolean }): Stage {
  return function healthStage(ctx, next) {
    const draining = state.draining;
    if (!isHealthCheck(ctx.req, path)) {
      if (draining) ctx.res.shouldKeepAlive = false;
      return next();
    }
    const body = JSON.stringify({ status: draining ? 'draining' : 'serving' });
    ctx.status = draining ? 503 : 200;
    ctx.bytesSent = body.length;
    ctx.res.writeHead(ctx.status, {
      'Content-Type': 'application/json',
      'Content-Length': body.length,
      'Cache-Control': 'no-store',
    });
    ctx.res.end(body);
    return DONE;
  };
}

const DONE = Promise.resolve();

/**
 * Whether the request is a health check the edge answers itself. With EDGE_HEALTH_QUIET (the default) such requests
 * make no span and no access-log line (nginx: `access_log off;` in the health location): a probe every few seconds
 * would otherwise fill Jaeger and the log.
 */
export function isHealthCheck(req: IncomingMessage, path: string): boolean {
  return req.url === path && (req.method === 'GET' || req.method === 'HEAD');
}
