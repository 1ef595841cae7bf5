import type { AppError } from './app-error';

/** An RFC 9457 problem document, as the edge renders every error it answers itself. */
export interface Problem {
  type: 'about:blank';
  status: number;
  title: string;
  detail: string;
  code: string;
  requestId: string;
  traceId?: string;
}

export const PROBLEM_CONTENT_TYPE = 'application/problem+json';

/**
 * @example
 * res.writeHead(err.httpStatus, { 'content-type': PROBLEM_CONTENT_TYPE }).end(JSON.stringify(toProblem(err, ids)));
 */
export function toProblem(err: AppError, ids: { requestId: string; traceId?: string | undefined }): Problem {
  const problem: Problem = {
    type: 'about:blank',
    status: err.httpStatus,
    title: err.title,
    detail: err.message,
    code: err.code,
    requestId: ids.requestId,
  };
  if (ids.traceId) problem.traceId = ids.traceId;
  return problem;
}
