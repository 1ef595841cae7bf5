import { AppError } from '@mono/errors';
import type { Stage } from './compose';
import type { EdgeConfig } from './config';

/**
 * Refuses what the edge will not forward before anything reaches a gateway: a declared body over
 * EDGE_MAX_BODY_BYTES (413). Chunked bodies are counted as they stream (proxy).
 */
export function limits(config: Pick<EdgeConfig, 'maxBodyBytes'>): Stage {
  return async function limitsStage(ctx, next) {
    const declared = ctx.req.headers['content-length'];
    if (config.maxBodyBytes > 0 && declared !== undefined && Number(declared) > config.maxBodyBytes) {
      throw new AppError('EDGE_ERR_BODY_TOO_LARGE', `the body of ${declared} bytes exceeds ${config.maxBodyBytes}`);
    }
    await next();
  };
}
