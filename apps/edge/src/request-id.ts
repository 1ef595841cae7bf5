import { randomHex } from '@mono/telemetry';
import type { ClientTrust } from './client-trust';
import type { Stage } from './compose';
import { addOwnField } from './edge-response';

export const REQUEST_ID_HEADER = 'X-Request-Id';

/** An id a proxy may hand on: visible ASCII without spaces, as long as a UUID or a trace id and then some. */
const FOREIGN_ID = /^[\x21-\x7e]{1,128}$/;

/**
 * Gives the request its id (nginx's $request_id: 32 hex digits), sent back in X-Request-Id; a trusted proxy's
 * X-Request-Id is kept (so one id follows the request through every layer), anyone else's is replaced.
 */
export function requestId(trust: ClientTrust): Stage {
  return function requestIdStage(ctx, next) {
    ctx.trusted = trust.proxy(ctx.req.socket);
    const incoming = ctx.trusted ? ctx.req.headers['x-request-id'] : undefined;
    ctx.requestId = typeof incoming === 'string' && FOREIGN_ID.test(incoming) ? incoming : randomHex(16);
    addOwnField(ctx.res, REQUEST_ID_HEADER, ctx.requestId);
    return next();
  };
}
