import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AppError } from '@mono/errors';

/** What the edge knows about one request as it crosses the pipeline. */
export interface EdgeContext {
  readonly req: IncomingMessage;
  readonly res: ServerResponse;
  /** process.hrtime.bigint() when the request reached the pipeline. */
  readonly startedAt: bigint;
  requestId: string;
  /** The status the client got (499 when it left first). */
  status: number;
  /** Response body bytes passed to the client. */
  bytesSent: number;
  upstream: string | undefined;
  /** ms from sending to the gateway until its response head arrived. */
  upstreamMs: number | undefined;
  error: AppError | undefined;
}

export function createContext(req: IncomingMessage, res: ServerResponse): EdgeContext {
  return {
    req,
    res,
    startedAt: process.hrtime.bigint(),
    requestId: '',
    status: 0,
    bytesSent: 0,
    upstream: undefined,
    upstreamMs: undefined,
    error: undefined,
  };
}
