import { AppError } from '@mono/errors';
import type { Step } from './compose';
import type { GatewayConfig } from './config';
import type { GatewayContext } from './context';

type DeadlineConfig = Pick<GatewayConfig, 'timeoutMs' | 'deadlineMarginMs'>;

/**
 * Gives the framework what is left of the edge's deadline minus GATEWAY_DEADLINE_MARGIN_MS, capped by
 * GATEWAY_TIMEOUT_MS; with nothing left it fails the call at once with GW_ERR_DEADLINE_EXCEEDED (504).
 */
export function deadline(config: DeadlineConfig): Step<GatewayContext> {
  return function deadlineStep(ctx, next) {
    const timeoutMs = frameworkTimeout(ctx.call.remainingMs(), config);
    if (timeoutMs < 0) {
      ctx.call.fail(new AppError('GW_ERR_DEADLINE_EXCEEDED', 'no time left for the framework'));
      ctx.finish();
      return;
    }
    ctx.timeoutMs = timeoutMs;
    next(ctx);
  };
}

/** ms the framework may take; 0 when there is no deadline at all, negative when nothing is left. */
function frameworkTimeout(remainingMs: number, config: DeadlineConfig): number {
  const left = Math.min(remainingMs - config.deadlineMarginMs, config.timeoutMs || Infinity);
  if (left === Infinity) return 0;
  return left >= 1 ? Math.floor(left) : -1;
}
