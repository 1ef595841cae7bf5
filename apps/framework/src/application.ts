import type { Step } from '@mono/runtime';
import { HostResponse, type Environ, type ResponseBody } from '@mono/tsgi';
import type { HostedEntry } from './application-table';
import type { FrameworkContext } from './context';

/**
 * Calls the request's application with the environ and `start_response` (the seed article's `application(env,
 * start_response)`). One that throws, or whose promise rejects, before returning a body fails the call:
 * FW_ERR_PROTOCOL_VIOLATION (500) when it broke the interface, FW_ERR_APPLICATION_FAILED (500) otherwise.
 */
export function application(): Step<FrameworkContext> {
  return function applicationStep(ctx, next) {
    const response = new HostResponse(ctx);
    ctx.response = response;
    let body: ResponseBody | Promise<ResponseBody>;
    ctx.calledAt = performance.now();
    try {
      body = (ctx.application as HostedEntry).app(ctx.environ as Environ, response.startResponse);
    } catch (err) {
      ctx.fail(err, response.headSent);
      return;
    }
    if (!isPromise(body)) {
      ctx.body = body;
      next(ctx);
      return;
    }
    body.then(
      (resolved) => {
        ctx.body = resolved;
        next(ctx);
      },
      (err: unknown) => ctx.fail(err, response.headSent),
    );
  };
}

function isPromise(body: ResponseBody | Promise<ResponseBody>): body is Promise<ResponseBody> {
  return typeof (body as Partial<Promise<ResponseBody>>).then === 'function';
}
