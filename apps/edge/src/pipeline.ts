import type { IncomingMessage, ServerResponse } from 'node:http';
import { AppError, toAppError } from '@mono/errors';
import type { Logger } from '@mono/telemetry';
import { accessLog } from './access-log';
import { compose } from './compose';
import type { EdgeConfig } from './config';
import { createContext } from './context';
import type { EdgeMetrics } from './edge-metrics';
import type { EdgeState } from './edge-state';
import { errorsToStatus } from './errors-to-status';
import { health } from './health';
import { limits } from './limits';
import { locate } from './locate';
import { proxy } from './proxy';
import { requestId } from './request-id';
import { respondProblem } from './respond-problem';
import { traceRequest } from './trace-request';

export interface PipelineDeps {
  state: EdgeState;
  log: Logger;
  metrics?: EdgeMetrics | undefined;
}

/**
 * The edge's request pipeline, in order (README.md draws it with the statuses each stage can produce):
 *
 *   request-id        X-Request-Id
 *   trace-request     the HTTP SERVER span, X-Trace-Id; everything below runs in its context
 *   access-log        one line when the request is over, with trace_id
 *   errors-to-status  a thrown error becomes its status and problem+json; no answer at all → 500
 *   health            EDGE_HEALTH_PATH answered here                  → 200, 503 while draining
 *   locate            the location: exact, else the longest prefix    → 404 none
 *   limits            declared body over the location's limit         → 413
 *   proxy             to a gateway of the location's pool and back    → 413 502 503 504, the app's status, 499 logged
 *
 * Requests the HTTP parser rejects never get here (client-error.ts: 400 408 414 431).
 */
export function createPipeline(config: Readonly<EdgeConfig>, { state, log, metrics }: PipelineDeps) {
  const run = compose([
    requestId(),
    traceRequest(config),
    ...(config.accessLog ? [accessLog(log, config)] : []),
    errorsToStatus(log),
    health(config.healthPath, state),
    locate(config.locations),
    limits(),
    proxy(state),
  ]);
  return function edgePipeline(req: IncomingMessage, res: ServerResponse): void {
    state.requests += 1;
    state.inFlight += 1;
    const ctx = createContext(req, res);
    const done = () => {
      state.finished(ctx.status);
      metrics?.done(req.method, ctx.status, Number(process.hrtime.bigint() - ctx.startedAt) / 1e9);
    };
    run(ctx).then(done, (err: unknown) => {
      const appError = toAppError(err, 'EDGE_ERR_INTERNAL');
      if (!(err instanceof AppError)) log.error({ err, requestId: ctx.requestId }, 'edge failed a request');
      respondProblem(ctx, appError);
      done();
    });
  };
}
