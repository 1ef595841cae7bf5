import { randomUUID } from 'node:crypto';
import type { Stage } from './compose';

export const REQUEST_ID_HEADER = 'X-Request-Id';

/** Gives the request its id (nginx's $request_id: 32 hex digits), sent back in X-Request-Id. */
export function requestId(): Stage {
  return async function requestIdStage(ctx, next) {
    ctx.requestId = randomUUID().replaceAll('-', '');
    ctx.res.setHeader(REQUEST_ID_HEADER, ctx.requestId);
    await next();
  };
}
