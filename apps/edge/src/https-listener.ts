import { readFileSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { constants, createServer as createHttp2Server, type Http2Session } from 'node:http2';
import { createServer as createTlsServer, type Server as TlsServer, type TLSSocket } from 'node:tls';
import type { Logger } from '@mono/telemetry';
import type { ClientConnections } from './client-connections';
import type { EdgeConfig } from './config';
import { EdgeHttp2Request, EdgeHttp2Response } from './http2-compat';

export interface HttpsListener {
  readonly server: TlsServer;
  /** HTTP/2 connections open now. */
  readonly sessions: number;
  /** Draining: every HTTP/2 connection gets GOAWAY and closes once its streams are done. */
  closeIdle(): void;
  closeAll(): void;
  drained(): Promise<void>;
}

/**
 * The HTTPS listener: TLS with the configured certificate, then by ALPN either HTTP/2 (node:http2's server, its
 * compatibility request and response adapted by http2-compat.ts) or HTTP/1.1 (the very connections and server of the
 * plain listener: the same parser limits, timeouts and parking). Both run the edge's one pipeline. HTTP/2 limits:
 * `maxConcurrentStreams` streams per connection, a header list of `client.maxHeaderBytes` (advertised in SETTINGS and
 * enforced by nghttp2), no server push, and against rapid-reset floods (CVE-2023-44487) nghttp2's limit on the rate
 * of streams a client resets — a burst of 2 × maxConcurrentStreams, then 32 a second — past which the connection is
 * closed; a reset stream's gateway call is cancelled at once (the proxy sees the response close).
 */
export function createHttpsListener(
  config: Readonly<EdgeConfig>,
  tls: NonNullable<EdgeConfig['tls']>,
  connections: ClientConnections,
  handler: (req: IncomingMessage, res: ServerResponse) => void,
  log: Logger,
): HttpsListener {
  const server = createTlsServer({
    cert: readFileSync(tls.cert),
    key: readFileSync(tls.key),
    ALPNProtocols: tls.http2 === false ? ['http/1.1'] : ['h2', 'http/1.1'],
    minVersion: 'TLSv1.2',
    handshakeTimeout: config.headerTimeoutMs,
  });
  server.maxConnections = config.maxConnections;
  server.on('tlsClientError', (err: NodeJS.ErrnoException, socket: TLSSocket) => {
    log.debug({ err: err.code ?? err.message, client: socket.remoteAddress }, 'TLS handshake failed');
    socket.destroy();
  });
  const sessions = new Set<Http2Session>();
  let drained: (() => void) | undefined;
  let closing = false;
  const http2 =
    tls.http2 === false
      ? undefined
      : createHttp2Server(
          {
            settings: {
              maxConcurrentStreams: tls.http2.maxConcurrentStreams,
              maxHeaderListSize: config.maxHeaderBytes,
              enablePush: false,
            },
            streamResetBurst: 2 * tls.http2.maxConcurrentStreams,
            streamResetRate: 32,
            Http2ServerRequest: EdgeHttp2Request,
            Http2ServerResponse: EdgeHttp2Response,
          },
          handler as unknown as Parameters<typeof createHttp2Server>[1],
        );
  if (http2 !== undefined) {
    http2.setTimeout(config.keepAliveTimeoutMs);
    http2.on('session', (session: Http2Session) => {
      sessions.add(session);
      session.once('close', () => {
        sessions.delete(session);
        if (sessions.size === 0) drained?.();
      });
      if (closing) session.close();
    });
    http2.on('sessionError', (err: NodeJS.ErrnoException, session: Http2Session) => {
      log.info({ err: err.code ?? err.message, client: session.socket?.remoteAddress }, 'HTTP/2 connection closed');
    });
  }
  server.on('secureConnection', (socket: TLSSocket) => {
    if (socket.alpnProtocol === 'h2' && http2 !== undefined) http2.emit('connection', socket);
    else connections.accept(socket);
  });
  return {
    server,
    get sessions() {
      return sessions.size;
    },
    closeIdle() {
      closing = true;
      for (const session of sessions) session.close();
    },
    closeAll() {
      for (const session of sessions) session.destroy(undefined, constants.NGHTTP2_NO_ERROR);
    },
    drained() {
      if (sessions.size === 0) return Promise.resolve();
      return new Promise((resolve) => (drained = resolve));
    },
  };
}
