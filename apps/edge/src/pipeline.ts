import type { IncomingMessage, ServerResponse } from 'node:http';
import { AppError, toAppError } from '@mono/errors';
import type { Logger } from '@mono/telemetry';
import { accessLog } from './access-log';
import type { Balancer } from './balancer';
import { compose } from './compose';
import type { EdgeConfig } from './config';
import { createContext } from './context';
import { errorsToStatus } from './errors-to-status';
import { health } from './health';
import { limits } from './limits';
import { proxy } from './proxy';
import { requestId } from './request-id';
import { respondProblem } from './respond-problem';
import { traceRequest } from './trace-request';

/**
 * The edge's request pipeline, in order (README.md draws it with the statuses each stage can produce):
 *
 *   request-id        X-Request-Id
 *   trace-request     the HTTP SERVER span, X-Trace-Id; everything below runs in its context
 *   access-log        one line when the request is over, with trace_id
 *   errors-to-status  a thrown error becomes its status and problem+json; no answer at all → 500
 *   health            EDGE_HEALTH_PATH answered here                  → 200, 503 while draining
 *   limits            declared body over EDGE_MAX_BODY_BYTES          → 413
 *   proxy             to a gateway and back                            → 413 502 504, the app's status, 499 logged
 *
 * Requests the HTTP parser rejects never get here (client-error.ts: 400 408 414 431).
 */
export interface RequestCounter {
  requests: number;
}

export function createPipeline(
  config: Readonly<EdgeConfig>,
  balancer: Balancer,
  log: Logger,
  isDraining = () => false,
  counter: RequestCounter = { requests: 0 },
) {
  const run = compose([
    requestId(),
    traceRequest(config),
    ...(config.accessLog ? [accessLog(log, config)] : []),
    errorsToStatus(log),
    health(config.healthPath, isDraining),
    limits(config),
    proxy(balancer, config),
  ]);
  return function edgePipeline(req: IncomingMessage, res: ServerResponse): void {
    counter.requests += 1;
    const ctx = createContext(req, res);
    run(ctx).catch((err: unknown) => {
      const appError = toAppError(err, 'EDGE_ERR_INTERNAL');
      if (!(err instanceof AppError)) log.error({ err, requestId: ctx.requestId }, 'edge failed a request');
      respondProblem(ctx, appError);
    });
  };
}
