import { AppError } from '@mono/errors';
import type { Step } from '@mono/runtime';
import type { GatewayConfig } from './config';
import type { GatewayContext } from './context';

type DeadlineConfig = Pick<GatewayConfig, 'timeoutMs' | 'idleTimeoutMs' | 'deadlineMarginMs'>;

/** Idle limits are checked about once a second: a margin this wide lets the framework's fire first. */
const IDLE_MARGIN_MS = 1_000;

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
    ctx.idleTimeoutMs = idleTimeout(ctx.call.idleTimeoutMs, config);
    next(ctx);
  };
}

/** The framework's idle limit: the edge's, less a margin so that the innermost layer notices first; 0: none. */
function idleTimeout(received: number, config: DeadlineConfig): number {
  const limits = [received > 0 ? received - IDLE_MARGIN_MS : 0, config.idleTimeoutMs].filter((ms) => ms > 0);
  return limits.length === 0 ? 0 : Math.max(1, Math.min(...limits));
}

/** ms the framework may take; 0 when there is no deadline at all, negative when nothing is left. */
function frameworkTimeout(remainingMs: number, config: DeadlineConfig): number {
  const left = Math.min(remainingMs - config.deadlineMarginMs, config.timeoutMs || Infinity);
  if (left === Infinity) return 0;
  return left >= 1 ? Math.floor(left) : -1;
}
