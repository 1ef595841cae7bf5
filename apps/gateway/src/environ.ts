import { buildEnviron } from '@mono/tsgi-server';
import type { Step } from './compose';
import type { GatewayContext } from './context';

/**
 * Builds the environ from the request as the edge received it: the longest mount point in GATEWAY_MOUNTS becomes
 * SCRIPT_NAME. A request-target it cannot use throws GW_ERR_BAD_REQUEST (400), no mount GW_ERR_NO_MOUNT (404).
 */
export function environ(mounts: readonly string[]): Step<GatewayContext> {
  return function environStep(ctx, next) {
    ctx.environ = buildEnviron(ctx.call.head, mounts);
    next(ctx);
  };
}
