import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AppError } from '@mono/errors';
import type { LocationConfig } from './config';

/** What the edge knows about one request as it crosses the pipeline. */
export interface EdgeContext {
  readonly req: IncomingMessage;
  readonly res: ServerResponse;
  /** process.hrtime.bigint() when the request reached the pipeline. */
  readonly startedAt: bigint;
  requestId: string;
  /** The trace this request belongs to (32 hex digits), also in X-Trace-Id. */
  traceId: string;
  /** The status the client got (499 when it left first). */
  status: number;
  /** Response body bytes passed to the client. */
  bytesSent: number;
  /** The location that serves it (locate). */
  location: LocationConfig | undefined;
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
    traceId: '',
    status: 0,
    bytesSent: 0,
    location: undefined,
    upstream: undefined,
    upstreamMs: undefined,
    error: undefined,
  };
}
