export { AppError, fromFailure, isAppError, toAppError, toFailure } from './app-error';
export type { FailureObject } from './app-error';
export { catalogue, isErrorCode } from './catalogue';
export type { ErrorCode, ErrorSpec } from './catalogue';
export { GrpcStatus } from './grpc-status';
export { PROBLEM_CONTENT_TYPE, toProblem } from './problem';
export type { Problem } from './problem';
