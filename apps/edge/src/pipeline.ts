import type { IncomingMessage, ServerResponse } from 'node:http';
import { AppError, toAppError } from '@mono/errors';
import type { Logger } from '@mono/telemetry';
import { accessLog } from './access-log';
import type { Balancer } from './balancer';
import { compose, type Stage } from './compose';
import type { EdgeConfig } from './config';
import { createContext } from './context';
import { limits } from './limits';
import { proxy } from './proxy';
import { requestId } from './request-id';
import { respondProblem } from './respond-problem';

/**
 * The edge's request pipeline, in order (README.md draws it with the statuses each stage can produce):
 *
 *   access-log   one line when the request is over
 *   request-id   X-Request-Id
 *   limits       declared body over EDGE_MAX_BODY_BYTES          → 413
 *   proxy        to a gateway and back                            → 413 502 504, the app's status, 499 logged
 *
 * Requests the HTTP parser rejects never get here (client-error.ts: 400 408 414 431).
 */
export function createPipeline(config: Readonly<EdgeConfig>, balancer: Balancer, log: Logger) {
  const stages: Stage[] = [requestId(), limits(config), proxy(balancer, config)];
  if (config.accessLog) stages.unshift(accessLog(log));
  const run = compose(stages);
  return function edgePipeline(req: IncomingMessage, res: ServerResponse): void {
    const ctx = createContext(req, res);
    run(ctx).catch((err: unknown) => {
      const appError = toAppError(err, 'EDGE_ERR_INTERNAL');
      if (!(err instanceof AppError)) log.error({ err, requestId: ctx.requestId }, 'edge failed a request');
      respondProblem(ctx, appError);
    });
  };
}
