import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AppError } from '@mono/errors';
import type { RequestLimits } from '@mono/transport';
import type { LocationConfig } from './config';

/** What the edge knows about one request as it crosses the pipeline. */
export interface EdgeContext {
  readonly req: IncomingMessage;
  readonly res: ServerResponse;
  /** process.hrtime.bigint() when the request reached the pipeline. */
  readonly startedAt: bigint;
  requestId: string;
  /** The connection's peer is a trusted proxy (request-id): its X-Forwarded-*, Forwarded and X-Request-Id hold. */
  trusted: boolean;
  /** The request's host: an absolute-form target's authority, else the Host field; "" without one (framing). */
  host: string;
  /** The trace this request belongs to (32 hex digits), also in X-Trace-Id. */
  traceId: string;
  /** The status the client got (499 when it left first). */
  status: number;
  /** Response body bytes passed to the client. */
  bytesSent: number;
  /** The location that serves it (locate). */
  location: LocationConfig | undefined;
  /** What it is held to: the location's body limit, or the smaller limits its gateways announced (limits). */
  limits: RequestLimits | undefined;
  upstream: string | undefined;
  /** The client's address when a trusted proxy named it (realip); else the connection's peer is. */
  client: string | undefined;
  /** ms from sending to the gateway until its response head arrived. */
  upstreamMs: number | undefined;
  error: AppError | undefined;
  /** The exchange with a gateway, while one runs: told when the rest of the request turns out malformed (proxy). */
  exchange: { requestFailed(err: AppError): void } | undefined;
}

export function createContext(
  req: IncomingMessage,
  res: ServerResponse,
  startedAt = process.hrtime.bigint(),
): EdgeContext {
  return {
    req,
    res,
    startedAt,
    requestId: '',
    trusted: false,
    host: '',
    traceId: '',
    status: 0,
    bytesSent: 0,
    location: undefined,
    limits: undefined,
    upstream: undefined,
    client: undefined,
    upstreamMs: undefined,
    error: undefined,
    exchange: undefined,
  };
}
