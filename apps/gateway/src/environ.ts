import type { Step } from '@mono/runtime';
import { buildEnviron } from '@mono/tsgi-server';
import type { GatewayContext } from './context';
import type { Mount } from './gateway-stats';

/**
 * Builds the environ from the request as the edge received it: the longest mount point becomes SCRIPT_NAME, the
 * mount's application the one the framework hands it to, and the request goes on with that mount (its pool, its
 * limits). A request-target it cannot use throws GW_ERR_BAD_REQUEST (400), no mount GW_ERR_NO_MOUNT (404).
 */
export function environ(mounts: readonly Mount[]): Step<GatewayContext> {
  const paths = mounts.map((mount) => mount.path);
  const byPath = new Map(mounts.map((mount) => [mount.path, mount]));
  return function environStep(ctx, next) {
    const built = buildEnviron(ctx.call.head, paths);
    const mount = byPath.get(built.scriptName) as Mount;
    built.application = mount.app;
    ctx.environ = built;
    ctx.mounted(mount);
    next(ctx);
  };
}
