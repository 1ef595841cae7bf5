import { toAppError } from '@mono/errors';
import { grpcStatusName } from '@mono/telemetry';
import type { Logger } from '@mono/telemetry';
import type { GatewayContext } from './context';

/** Fails the call with what a step threw (GW_ERR_INTERNAL when it is not from the catalogue) and ends the request. */
export function failRequest(ctx: GatewayContext, err: unknown, log: Logger): void {
  const appError = toAppError(err, 'GW_ERR_INTERNAL');
  if (appError.httpStatus >= 500) log.error({ err, code: appError.code }, 'gateway failed a request');
  ctx.call.fail(appError);
  ctx.ended(appError.httpStatus, grpcStatusName(appError.grpcStatus));
  ctx.finish();
}
