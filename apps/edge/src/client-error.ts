import { randomUUID } from 'node:crypto';
import type { Socket } from 'node:net';
import { AppError, PROBLEM_CONTENT_TYPE, toProblem, type ErrorCode } from '@mono/errors';
import type { Logger } from '@mono/telemetry';

interface ParserError extends Error {
  code?: string;
  rawPacket?: Buffer;
}

/**
 * Answers requests Node's parser rejects before they reach the pipeline: 408 when the header section or the
 * request is too slow, 414 for an over-long request line, 431 for a header section over EDGE_MAX_HEADER_BYTES,
 * 400 for anything malformed. Same problem+json body as every other edge error; the connection closes.
 */
export function clientErrorHandler(log: Logger, maxHeaderBytes: number): (err: ParserError, socket: Socket) => void {
  return function onClientError(err, socket) {
    if (err.code === 'ECONNRESET' || !socket.writable) {
      socket.destroy();
      return;
    }
    const error = new AppError(codeFor(err, maxHeaderBytes), err.message);
    const requestId = randomUUID().replaceAll('-', '');
    const body = JSON.stringify(toProblem(error, { requestId }));
    log.info({ status: error.httpStatus, error: error.code, requestId, client: socket.remoteAddress }, 'access');
    socket.end(
      `HTTP/1.1 ${error.httpStatus} ${error.title}\r\n` +
        `Content-Type: ${PROBLEM_CONTENT_TYPE}\r\nContent-Length: ${Buffer.byteLength(body)}\r\n` +
        `X-Request-Id: ${requestId}\r\nConnection: close\r\n\r\n${body}`,
    );
  };
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
