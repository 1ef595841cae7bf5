import type { IncomingMessage } from 'node:http';
import type { Header, HttpRequest } from '@mono/contracts';

/** The HTTP request as the edge received it, for the gateway: target, raw headers with repeats, both endpoints. */
export function toEnvelope(req: IncomingMessage, requestId: string): HttpRequest {
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
