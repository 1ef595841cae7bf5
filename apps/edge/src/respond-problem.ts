import type { Socket } from 'node:net';
import { PROBLEM_CONTENT_TYPE, toProblem, type AppError } from '@mono/errors';
import type { EdgeContext } from './context';

/** Statuses after which the rest of the request may still be on the wire: the connection closes. */
const CLOSE_AFTER = new Set([400, 408, 413, 414, 417, 431, 501]);

/** On a socket whose framing can no longer be trusted; set only there, never per request. */
const CLOSING = Symbol('edge.closing');
type Marked = Socket & { [CLOSING]?: true };

/**
 * Whether a connection's framing can no longer be trusted: an answer that closes it went out or is on its way. A
 * request Node parsed after it on the same connection (pipelined) is never served: the bytes after a broken request
 * are not a request.
 */
export function closing(socket: Socket): boolean {
  return (socket as Marked)[CLOSING] === true;
}

/**
 * Marks the connection as closing at once, before the answer is written: Node parses a pipelined request and hands it
 * to the pipeline in the same tick as the broken one, before any answer could mark it.
 */
export function markClosing(ctx: EdgeContext): void {
  (ctx.req.socket as Marked)[CLOSING] = true;
}

/**
 * Answers with the error as application/problem+json, or, when the response head is already out and a status can
 * no longer change, aborts the connection.
 */
export function respondProblem(ctx: EdgeContext, err: AppError): void {
  const { res } = ctx;
  ctx.error = err;
  if (res.headersSent || res.destroyed) {
    res.destroy();
    return;
  }
  const body = JSON.stringify(toProblem(err, { requestId: ctx.requestId, traceId: ctx.traceId || undefined }));
  res.statusCode = err.httpStatus;
  res.statusMessage = err.title;
  res.setHeader('Content-Type', PROBLEM_CONTENT_TYPE);
  res.setHeader('Content-Length', Buffer.byteLength(body));
  res.setHeader('Cache-Control', 'no-store');
  if (err.httpStatus === 503) res.setHeader('Retry-After', '1');
  if (CLOSE_AFTER.has(err.httpStatus)) {
    res.setHeader('Connection', 'close');
    markClosing(ctx);
  }
  ctx.status = err.httpStatus;
  ctx.bytesSent = Buffer.byteLength(body);
  res.end(body);
}
