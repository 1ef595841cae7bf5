import type { IncomingMessage } from 'node:http';
import type { Header, HttpRequest } from '@mono/contracts';

/**
 * A Node request as the stack's edge hands it to the gateway (`mono.gateway.v1.HttpRequest`): the request-target as
 * received, the raw header fields with repeats, both ends of the connection, and whether a chunked body follows.
 *
 * @example
 * const environ = buildEnviron(httpRequestOf(req, requestId), mounts);
 */
export function httpRequestOf(req: IncomingMessage, requestId: string): HttpRequest {
  const raw = req.rawHeaders;
  const headers: Header[] = new Array(raw.length / 2);
  for (let i = 0; i < raw.length; i += 2) headers[i / 2] = { name: raw[i] as string, value: raw[i + 1] as string };
  const socket = req.socket;
  return {
    method: req.method ?? 'GET',
    target: req.url ?? '/',
    protocol: `HTTP/${req.httpVersion}`,
    scheme: 'encrypted' in socket && socket.encrypted ? 'https' : 'http',
    headers,
    client: { address: socket.remoteAddress ?? '', port: socket.remotePort ?? 0 },
    server: { address: socket.localAddress ?? '', port: socket.localPort ?? 0 },
    requestId,
    bodyLengthUnknown: req.headers['transfer-encoding'] !== undefined,
  };
}
