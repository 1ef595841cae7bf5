import type { Environ, HttpRequest } from '@mono/contracts';
import type { Logger } from '@mono/telemetry';
import type { MuxClient, ServerCall } from '@mono/transport';
import { admit } from './admit';
import type { Admission } from './admission';
import { compose } from './compose';
import type { GatewayConfig } from './config';
import { GatewayContext } from './context';
import { deadline } from './deadline';
import { environ } from './environ';
import { failRequest } from './fail-request';
import { invoke } from './invoke';
import { traceInvoke } from './trace-invoke';

export interface PipelineDeps {
  framework: MuxClient<Environ>;
  admission: Admission;
  log: Logger;
  counter?: { requests: number };
}

/**
 * The gateway's request pipeline, in order (README.md draws it with the statuses each step can produce):
 *
 *   environ       SCRIPT_NAME/PATH_INFO and the CGI variables         → 400 bad target, 404 no mount
 *   trace-invoke  the INTERNAL span `gateway invoke` (time queued)
 *   admit         a slot among GATEWAY_MAX_CONCURRENCY, or the queue   → 503 queue full
 *   deadline      the framework gets what is left, minus a margin      → 504
 *   invoke        to the framework, bodies streamed both ways         → 502 framework unreachable, its errors as sent
 *
 * A step that throws fails the call with the error's catalogue code (GW_ERR_INTERNAL, 500, if it has none).
 */
export function createPipeline(config: Readonly<GatewayConfig>, { framework, admission, log, counter }: PipelineDeps) {
  const run = compose([
    environ(config.mounts),
    traceInvoke(),
    admit(admission, log),
    deadline(config),
    invoke(framework),
  ]);
  return function gatewayPipeline(call: ServerCall<HttpRequest>): void {
    if (counter) counter.requests += 1;
    const ctx = new GatewayContext(call);
    try {
      run(ctx);
    } catch (err) {
      failRequest(ctx, err, log);
    }
  };
}
