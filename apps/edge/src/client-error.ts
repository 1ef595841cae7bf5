import { IncomingMessage, ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import { AppError, type ErrorCode } from '@mono/errors';
import type { Stage } from './compose';
import type { EdgeConfig } from './config';
import { createContext, type EdgeContext } from './context';
import { EdgeResponse } from './edge-response';
import { respondProblem } from './respond-problem';

interface ParserError extends Error {
  code?: string;
  rawPacket?: Buffer;
}

/** The request line of a packet the parser gave up on: what the access log and the span can still say. */
const REQUEST_LINE = /^([!#$%&'*+\-.^_`|~0-9A-Za-z]{1,32}) (\S+)(?: HTTP\/(\d)\.(\d)\r?)?$/;
const LOGGED_TARGET = 2_048;
/**
 * Rejections answered per turn of the event loop. Node finds every connection whose header section is too slow in
 * one sweep a second, and emits their errors in one go: a thousand slow clients opened together would have their
 * thousand 408s (each with its span and access line) block the loop for ~200 ms. Answered a few at a time, with I/O
 * between the turns, requests on other connections go on.
 */
const REJECTIONS_PER_TURN = 32;

/**
 * The last stage for requests Node's parser rejects: answers the error the handler found (the rejection pipeline in
 * pipeline.ts runs request-id, trace-request and access-log before it, so the answer has its X-Request-Id, problem
 * body with trace id, span with error.type and access line like any other).
 */
export function clientError(): Stage {
  return async function clientErrorStage(ctx) {
    respondProblem(ctx, ctx.error ?? new AppError('EDGE_ERR_BAD_REQUEST', 'the request is malformed'));
  };
}

/**
 * Node's `clientError` listener. A request whose head the parser refused never reached the pipeline: it runs the
 * rejection pipeline on a response of its own (408 when the header section was too slow, 414 for a request line over
 * the header limit, 431 for a header section over it, 400 for anything malformed), and the connection closes. A
 * request already in the pipeline whose body broke its framing (a bad chunk) or was too slow: its exchange with a
 * gateway is cancelled, so that the application's input fails, and the client gets 400 (408) if no head was sent. A
 * broken request pipelined behind a complete one is answered once the complete one's response is out. Rejections are
 * answered at most `REJECTIONS_PER_TURN` a turn of the event loop.
 */
export function clientErrorHandler(
  reject: (ctx: EdgeContext) => Promise<void>,
  config: Pick<EdgeConfig, 'maxHeaderBytes' | 'headerTimeoutMs'>,
): (err: ParserError, socket: Socket) => void {
  const queued: Array<() => void> = [];
  const answerSome = () => {
    for (const answer of queued.splice(0, REJECTIONS_PER_TURN)) answer();
    if (queued.length > 0) setImmediate(answerSome);
  };
  const later = (answer: () => void) => {
    if (queued.push(answer) === 1) setImmediate(answerSome);
  };
  return function onClientError(err, socket) {
    if (err.code === 'ECONNRESET' || !socket.writable) {
      socket.destroy();
      return;
    }
    const error = new AppError(codeFor(err, config.maxHeaderBytes), err.message);
    const current = (socket as Socket & { _httpMessage?: ServerResponse | null })._httpMessage;
    const ctx = current instanceof EdgeResponse ? current.context : undefined;
    if (ctx !== undefined && !ctx.req.complete) {
      if (ctx.exchange) ctx.exchange.requestFailed(error);
      else respondProblem(ctx, error);
      return;
    }
    // The error is in a request after the one being answered (pipelined): that answer goes out first.
    const rejectHead = () => {
      if (!socket.writable) socket.destroy();
      else void reject(rejected(err, error, socket, config.headerTimeoutMs)).catch(() => socket.destroy());
    };
    if (current && !current.writableFinished) current.once('finish', () => later(rejectHead));
    else later(rejectHead);
  };
}

/** A request and response of their own for a rejected head, on the connection, which closes after the answer. */
function rejected(err: ParserError, error: AppError, socket: Socket, headerTimeoutMs: number): EdgeContext {
  const req = new IncomingMessage(socket);
  const line = requestLine(err.rawPacket);
  req.method = line?.[1] ?? '';
  req.url = line?.[2] === undefined ? '' : line[2].slice(0, LOGGED_TARGET);
  req.httpVersionMajor = Number(line?.[3] ?? 1);
  req.httpVersionMinor = Number(line?.[4] ?? 1);
  req.httpVersion = `${req.httpVersionMajor}.${req.httpVersionMinor}`;
  const res = new ServerResponse(req);
  res.shouldKeepAlive = false;
  res.assignSocket(socket);
  res.once('finish', () => {
    res.detachSocket(socket);
    socket.destroySoon();
  });
  const now = process.hrtime.bigint();
  const waited = error.code === 'EDGE_ERR_REQUEST_TIMEOUT' ? BigInt(headerTimeoutMs) * 1_000_000n : 0n;
  const ctx = createContext(req, res, now - waited);
  ctx.error = error;
  return ctx;
}

function requestLine(packet: Buffer | undefined): RegExpExecArray | null {
  if (packet === undefined) return null;
  const end = packet.indexOf('\n');
  return REQUEST_LINE.exec(packet.subarray(0, end === -1 ? Math.min(packet.length, 8_300) : end).toString('latin1'));
}

function codeFor(err: ParserError, maxHeaderBytes: number): ErrorCode {
  switch (err.code) {
    case 'ERR_HTTP_REQUEST_TIMEOUT':
      return 'EDGE_ERR_REQUEST_TIMEOUT';
    case 'HPE_HEADER_OVERFLOW':
      return requestLineTooLong(err.rawPacket, maxHeaderBytes) ? 'EDGE_ERR_URI_TOO_LONG' : 'EDGE_ERR_HEADERS_TOO_LARGE';
    default:
      return 'EDGE_ERR_BAD_REQUEST';
  }
}

/** Whether the request line alone did not fit: the first line of the packet the parser gave up on is too long. */
function requestLineTooLong(packet: Buffer | undefined, maxHeaderBytes: number): boolean {
  if (packet === undefined) return false;
  const end = packet.indexOf('\r\n');
  return (end === -1 ? packet.length : end) >= maxHeaderBytes;
}
