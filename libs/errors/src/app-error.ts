import { catalogue, isErrorCode, type ErrorCode } from './catalogue';
import type { GrpcStatus } from './grpc-status';

/** What crosses a hop when a request fails: the shape of mono.transport.v1.Failure. */
export interface FailureObject {
  status: number;
  code: string;
  message: string;
  /** Refused before admission: the request reached no application (mono.transport.v1.Failure.not_accepted). */
  notAccepted: boolean;
}

export interface AppErrorOptions {
  cause?: unknown;
  /**
   * The request was refused before it reached an application (draining, queue full, not ready, or a stream that
   * never became ready): the caller may send it to another instance whatever its method, like HTTP/2's REFUSED_STREAM.
   */
  notAccepted?: boolean;
}

/**
 * The one error type of the stack: a catalogue code, the gRPC status it crosses hops with and the HTTP status it
 * ends as.
 *
 * @example
 * throw new AppError('GW_ERR_OVERLOADED', 'queue full (1024 waiting)');
 */
export class AppError extends Error {
  readonly code: ErrorCode;
  readonly grpcStatus: GrpcStatus;
  readonly httpStatus: number;
  readonly title: string;
  readonly notAccepted: boolean;

  constructor(code: ErrorCode, message: string = catalogue[code].title, options?: AppErrorOptions) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'AppError';
    this.code = code;
    this.grpcStatus = catalogue[code].grpc;
    this.httpStatus = catalogue[code].http;
    this.title = catalogue[code].title;
    this.notAccepted = options?.notAccepted === true;
  }

  /**
   * The same failure as a hop that already retried passes it on: no longer "not accepted", so that the hops outside
   * do not retry it again (retries would multiply).
   */
  passedOn(): AppError {
    return this.notAccepted ? new AppError(this.code, this.message, { cause: this.cause }) : this;
  }
}

export function isAppError(value: unknown): value is AppError {
  return value instanceof AppError;
}

/** Wraps anything thrown into an AppError; unknown throwables become `fallback` with a generic message. */
export function toAppError(err: unknown, fallback: ErrorCode): AppError {
  if (isAppError(err)) return err;
  return new AppError(fallback, catalogue[fallback].title, { cause: err });
}

/** The wire form of an error (mono.transport.v1.Failure). Never carries a stack. */
export function toFailure(err: AppError): FailureObject {
  return { status: err.grpcStatus, code: err.code, message: err.message, notAccepted: err.notAccepted };
}

/** The error a Failure frame describes; a code this build does not know becomes `fallback`, keeping the message. */
export function fromFailure(
  failure: Omit<FailureObject, 'notAccepted'> & { notAccepted?: boolean },
  fallback: ErrorCode,
): AppError {
  return new AppError(isErrorCode(failure.code) ? failure.code : fallback, failure.message, {
    notAccepted: failure.notAccepted === true,
  });
}
