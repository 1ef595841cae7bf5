import { AppError } from '@mono/errors';
import type { Stage } from './compose';
import type { LocationConfig } from './config';
import { markClosing } from './respond-problem';

/**
 * Refuses what the edge will not forward before anything reaches a gateway: a declared body over the location's
 * limit (client_max_body_size, 413). Chunked bodies are counted as they stream (proxy). A client that waits for
 * `100 Continue` before it sends its body (framing accepted only that Expect) gets it here, once the limits passed.
 */
export function limits(): Stage {
  return async function limitsStage(ctx, next) {
    const max = (ctx.location as LocationConfig).maxBodyBytes;
    const declared = ctx.req.headers['content-length'];
    if (max > 0 && declared !== undefined && Number(declared) > max) {
      // The connection closes after the 413: nothing pipelined behind this request is served.
      markClosing(ctx);
      throw new AppError('EDGE_ERR_BODY_TOO_LARGE', `the body of ${declared} bytes exceeds ${max}`);
    }
    if (ctx.req.headers.expect !== undefined) ctx.res.writeContinue();
    await next();
  };
}
