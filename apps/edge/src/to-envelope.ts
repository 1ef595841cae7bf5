import type { Header, HttpRequest } from '@mono/contracts';
import type { ClientTrust } from './client-trust';
import type { LocationConfig } from './config';
import type { EdgeContext } from './context';
import { forwardedFor, realClient } from './forwarded';
import { isHopByHop, nominatedBy } from './hop-by-hop';

/** The lengths of the names handled below (hop-by-hop, Host, the forwarding fields, X-Request-Id). */
const SPECIAL_LENGTHS: Readonly<Record<number, true>> = Object.fromEntries(
  [
    ...['connection', 'keep-alive', 'proxy-authenticate', 'proxy-authorization', 'proxy-connection', 'te'],
    ...['trailer', 'transfer-encoding', 'upgrade', 'host', 'x-forwarded-for', 'x-forwarded-proto'],
    ...['x-forwarded-host', 'forwarded', 'x-request-id'],
  ].map((name) => [name.length, true]),
);

/**
 * The request for the gateway, as nginx hands it to uwsgi: the target in origin-form; the header fields as received
 * in order, less the hop-by-hop ones and, from anyone but a trusted proxy, X-Forwarded-*, Forwarded and
 * X-Request-Id; then the location's request headers, and X-Forwarded-For, -Proto, -Host and Forwarded with this hop
 * appended. The request id travels as `requestId` (the environ's REQUEST_ID), not as a field: a trusted proxy's
 * X-Request-Id became it (request-id). The client is the connection's peer, or the one a trusted proxy names
 * (realip).
 */
export function toEnvelope(ctx: EdgeContext, trust: ClientTrust): HttpRequest {
  const { req } = ctx;
  const raw = req.rawHeaders;
  const location = ctx.location as LocationConfig;
  const socket = req.socket;
  const nominated = nominatedBy(req.headers.connection);
  const headers: Header[] = [];
  let xff: string | undefined;
  let xfp: string | undefined;
  let xfh: string | undefined;
  let forwarded: string | undefined;
  const plain = nominated === undefined && location.requestHeaders.length === 0;
  for (let i = 0; i < raw.length; i += 2) {
    const name = raw[i] as string;
    const value = raw[i + 1] as string;
    // Most fields are none of those below, which their length alone shows.
    if (plain && !SPECIAL_LENGTHS[name.length]) {
      headers.push({ name, value });
      continue;
    }
    const lower = name.toLowerCase();
    if (isHopByHop(lower, nominated)) continue;
    switch (lower) {
      case 'host':
        headers.push({ name, value: ctx.host });
        continue;
      case 'x-forwarded-for':
        if (ctx.trusted) xff = xff === undefined ? value : `${xff}, ${value}`;
        continue;
      case 'x-forwarded-proto':
        if (ctx.trusted) xfp = xfp === undefined ? value : `${xfp}, ${value}`;
        continue;
      case 'x-forwarded-host':
        if (ctx.trusted) xfh = xfh === undefined ? value : `${xfh}, ${value}`;
        continue;
      case 'forwarded':
        if (ctx.trusted) forwarded = forwarded === undefined ? value : `${forwarded}, ${value}`;
        continue;
      case 'x-request-id':
        continue;
    }
    if (location.requestHeaders.length > 0 && location.requestHeaders.some(([n]) => n.toLowerCase() === lower))
      continue;
    headers.push({ name, value });
  }
  for (const [name, value] of location.requestHeaders) headers.push({ name, value });
  const peer = socket.remoteAddress ?? '';
  const scheme = 'encrypted' in socket && socket.encrypted ? 'https' : 'http';
  const client = ctx.trusted && xff !== undefined ? realClient(xff, xfp, peer, scheme, trust) : undefined;
  headers.push(
    { name: 'X-Forwarded-For', value: xff === undefined ? peer : `${xff}, ${peer}` },
    { name: 'X-Forwarded-Proto', value: xfp === undefined ? scheme : `${xfp}, ${scheme}` },
  );
  if (ctx.host !== '')
    headers.push({ name: 'X-Forwarded-Host', value: xfh === undefined ? ctx.host : `${xfh}, ${ctx.host}` });
  const element = forwardedFor(peer, ctx.host, scheme);
  headers.push({ name: 'Forwarded', value: forwarded === undefined ? element : `${forwarded}, ${element}` });
  return {
    method: req.method ?? 'GET',
    target: req.url ?? '/',
    protocol: `HTTP/${req.httpVersion}`,
    scheme: client?.scheme ?? scheme,
    headers,
    client:
      client === undefined ? { address: peer, port: socket.remotePort ?? 0 } : { address: client.address, port: 0 },
    server: { address: socket.localAddress ?? '', port: socket.localPort ?? 0 },
    requestId: ctx.requestId,
    bodyLengthUnknown: req.headers['transfer-encoding'] !== undefined,
  };
}
