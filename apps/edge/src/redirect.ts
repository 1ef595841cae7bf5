import type { Stage } from './compose';
import type { LocationConfig } from './config';
import type { EdgeContext } from './context';

/**
 * Answers a redirect location itself (nginx's `return 301 https://$host$request_uri;`): its status and a Location
 * in which `$scheme`, `$host` and `$request_uri` are replaced. The request-target is put in as received, still
 * percent-encoded, so nothing in it can become a line of the response (Node refuses CR and LF in a field value).
 */
export function redirect(): Stage {
  return function redirectStage(ctx, next) {
    const target = (ctx.location as LocationConfig).redirect;
    if (target === undefined) return next();
    ctx.status = target.status;
    ctx.res.writeHead(target.status, {
      Location: expand(target.to, ctx),
      'Content-Length': 0,
    });
    ctx.res.end();
    return Promise.resolve();
  };
}

function expand(template: string, ctx: EdgeContext): string {
  if (!template.includes('$')) return template;
  const socket = ctx.req.socket;
  const scheme = 'encrypted' in socket && socket.encrypted ? 'https' : 'http';
  return template.replace(/\$(request_uri|host|scheme)/g, (_, name: string) =>
    name === 'host' ? ctx.host || (socket.localAddress ?? '') : name === 'scheme' ? scheme : (ctx.req.url ?? '/'),
  );
}
