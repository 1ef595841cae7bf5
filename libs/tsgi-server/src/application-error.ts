import { AppError, isAppError } from '@mono/errors';
import { InterfaceError } from '@mono/tsgi';

/**
 * What an application's failure becomes at the server: a breach of the interface's rules is
 * FW_ERR_PROTOCOL_VIOLATION (its message says which rule), anything else FW_ERR_APPLICATION_FAILED with a generic
 * message (the cause is logged, never sent).
 *
 * @example
 * output.fail = (err) => respond(toApplicationError(err));
 */
export function toApplicationError(err: unknown): AppError {
  if (isAppError(err)) return err;
  if (err instanceof InterfaceError) return new AppError('FW_ERR_PROTOCOL_VIOLATION', err.message);
  return new AppError('FW_ERR_APPLICATION_FAILED', 'the application raised an error', { cause: err });
}
