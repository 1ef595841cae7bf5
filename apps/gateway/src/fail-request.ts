import { AppError, toAppError } from '@mono/errors';
import { grpcStatusName } from '@mono/telemetry';
import type { Logger } from '@mono/telemetry';
import type { GatewayContext } from './context';

/**
 * Fails the call with what a step threw (GW_ERR_INTERNAL when it is not from the catalogue, logged once here) and ends
 * the request.
 */
export function failRequest(ctx: GatewayContext, err: unknown, log: Logger): void {
  const appError = toAppError(err, 'GW_ERR_INTERNAL');
  // A refusal the gateway decided (overloaded, no mount, queue waited out) is counted, not logged per request.
  if (!(err instanceof AppError)) log.error({ err, code: appError.code }, 'gateway failed a request');
  ctx.call.fail(appError);
  ctx.ended(appError.httpStatus, grpcStatusName(appError.grpcStatus));
  ctx.finish();
}
