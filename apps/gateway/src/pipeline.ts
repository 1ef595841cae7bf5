import type { ForwardedRequest } from '@mono/contracts';
import { compose } from '@mono/runtime';
import type { Logger } from '@mono/telemetry';
import type { ServerCall } from '@mono/transport';
import { admit } from './admit';
import type { GatewayConfig } from './config';
import { GatewayContext } from './context';
import { deadline } from './deadline';
import { environ } from './environ';
import { failRequest } from './fail-request';
import type { GatewayMetrics } from './gateway-metrics';
import type { GatewayStats, Mount } from './gateway-stats';
import { invoke } from './invoke';
import { limits } from './limits';
import { traceInvoke } from './trace-invoke';

export interface PipelineDeps {
  mounts: readonly Mount[];
  stats: GatewayStats;
  metrics: GatewayMetrics;
  log: Logger;
  /** Whether the gateway takes requests yet: its pools have had a serving framework. */
  ready?: () => boolean;
}

/**
 * The gateway's request pipeline, in order (README.md draws it with the statuses each step can produce):
 *
 *   environ       SCRIPT_NAME/PATH_INFO, the CGI variables, the mount   → 400 bad target, 404 no mount
 *   limits        the mount's head and body limits (a body counted as it arrives) → 431, 413
 *   trace-invoke  the INTERNAL span `gateway invoke` (time queued)
 *   admit         a slot among the mount's, or its queue                → 503 not ready, queue full or waited too long
 *   deadline      the framework gets what is left, minus a margin       → 504
 *   invoke        to the mount's framework pool, bodies both ways       → 502 no framework, its errors as sent
 *
 * A step that throws fails the call with the error's catalogue code (GW_ERR_INTERNAL, 500, if it has none).
 */
export function createPipeline(
  config: Readonly<GatewayConfig>,
  { mounts, stats, metrics, log, ready = () => true }: PipelineDeps,
) {
  const run = compose([environ(mounts), limits(), traceInvoke(), admit(log, ready), deadline(config), invoke(config)]);
  return function gatewayPipeline(call: ServerCall<ForwardedRequest>): void {
    stats.requests += 1;
    const ctx = new GatewayContext(call, stats, metrics);
    try {
      run(ctx);
    } catch (err) {
      failRequest(ctx, err, log);
    }
  };
}
