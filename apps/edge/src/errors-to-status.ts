import { AppError, toAppError } from '@mono/errors';
import type { Logger } from '@mono/telemetry';
import type { Stage } from './compose';
import { respondProblem } from './respond-problem';

/**
 * Turns whatever a later stage throws into its status and problem+json body (or an aborted connection once the
 * head is out). An error that is not an AppError is a fault of the edge: logged once here, answered 500. So is a
 * stage that neither answered nor passed the request on: the client gets a 500 instead of waiting forever.
 */
export function errorsToStatus(log: Logger): Stage {
  return async function errorsToStatusStage(ctx, next) {
    try {
      await next();
    } catch (err) {
      const appError = toAppError(err, 'EDGE_ERR_INTERNAL');
      if (appError.cause !== undefined) log.error({ err, requestId: ctx.requestId }, 'edge failed a request');
      respondProblem(ctx, appError);
      return;
    }
    if (ctx.status === 0 && !ctx.res.headersSent && !ctx.res.destroyed) {
      log.error({ requestId: ctx.requestId }, 'no edge stage answered the request');
      respondProblem(ctx, new AppError('EDGE_ERR_INTERNAL', 'no stage answered the request'));
    }
  };
}
