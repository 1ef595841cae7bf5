import type { Stage } from './compose';
import type { LocationConfig } from './config';
import { markClosing } from './respond-problem';
import type { UpstreamLimits } from './upstream-limits';

/**
 * Refuses what the edge will not forward before anything reaches a gateway: a declared body over the location's
 * limit (client_max_body_size) — or over the smaller one its gateways announced for themselves and their frameworks
 * (docs/adr/0014-limits-that-agree.md), named in the answer — with 413. Chunked bodies are counted against the same
 * limit as they stream, and the head the edge forwards is held to the gateways' header limit (proxy). A client that
 * waits for `100 Continue` before it sends its body (framing accepted only that Expect) gets it here, once the limits
 * passed.
 */
export function limits(upstream: UpstreamLimits): Stage {
  return function limitsStage(ctx, next) {
    const limits = upstream.of(ctx.location as LocationConfig);
    ctx.limits = limits;
    const max = limits.maxBodyBytes;
    const declared = ctx.req.headers['content-length'];
    if (max > 0 && declared !== undefined && Number(declared) > max) {
      // The connection closes after the 413: nothing pipelined behind this request is served.
      markClosing(ctx);
      throw limits.bodyTooLarge(declared);
    }
    if (ctx.req.headers.expect !== undefined) ctx.res.writeContinue();
    return next();
  };
}
