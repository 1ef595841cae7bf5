import {
  Http2ServerRequest,
  Http2ServerResponse,
  type IncomingHttpHeaders,
  type OutgoingHttpHeaders,
} from 'node:http2';
import { encodable } from './encodable';

/** Fields HTTP/2 forbids (RFC 9113 §8.2.2): they describe one HTTP/1.1 connection. */
const CONNECTION_SPECIFIC = new Set(['connection', 'keep-alive', 'proxy-connection', 'transfer-encoding', 'upgrade']);
const RAW_HEADERS = Symbol('rawHeaders');

/**
 * An HTTP/2 request as the edge's stages read an HTTP/1.1 one (Node's compatibility request, made through
 * `Http2ServerRequest` of node:http2's server options): `Host` from `:authority` when the client sent none, and raw
 * headers without pseudo-header fields, the cookie crumbs joined into one field (RFC 9113 §8.2.3), so that the gateway
 * builds the environ of an HTTP/2 request as of any other; a body without Content-Length reads as a chunked one.
 * `httpVersion` is "2.0"; `socket` is Node's proxy of the TLS socket (`encrypted`, addresses).
 */
export class EdgeHttp2Request extends Http2ServerRequest {
  constructor(...args: ConstructorParameters<typeof Http2ServerRequest>) {
    super(...args);
    const headers = this.headers as IncomingHttpHeaders;
    if (headers.host === undefined && headers[':authority'] !== undefined) headers.host = headers[':authority'];
    // A body follows the head unless it ended the stream; without a length, it is one of unknown length, which is
    // how HTTP/1.1 says it (the edge never forwards Transfer-Encoding itself).
    if (!this.stream.endAfterHeaders && headers['content-length'] === undefined)
      headers['transfer-encoding'] = 'chunked';
  }
}

// Node's typings declare these as fields; they are accessors, replaced on the prototype.
const received = Object.getOwnPropertyDescriptor(Http2ServerRequest.prototype, 'rawHeaders')?.get as () => string[];
Object.defineProperty(EdgeHttp2Request.prototype, 'rawHeaders', {
  get(this: EdgeHttp2Request & { [RAW_HEADERS]?: string[] }) {
    return (this[RAW_HEADERS] ??= httpRawHeaders(received.call(this)));
  },
});

/**
 * An HTTP/2 response that takes what the stages write for HTTP/1.1: the reason phrase and the connection-specific
 * fields (`Connection: close` after a 413, an application's `Keep-Alive`) are left out quietly instead of warning or
 * failing the stream.
 */
export class EdgeHttp2Response extends encodable(Http2ServerResponse) {
  override setHeader(name: string, value: number | string | readonly string[]): this {
    if (!CONNECTION_SPECIFIC.has(name.toLowerCase())) super.setHeader(name, value);
    return this;
  }

  override appendHeader(name: string, value: string | string[]): this {
    if (!CONNECTION_SPECIFIC.has(name.toLowerCase())) super.appendHeader(name, value);
    return this;
  }

  override writeHead(status: number, reason?: unknown, headers?: unknown): this {
    const fields = typeof reason === 'string' ? headers : reason;
    if (Array.isArray(fields)) {
      const kept: string[] = [];
      for (let i = 0; i < fields.length; i += 2)
        if (!CONNECTION_SPECIFIC.has(String(fields[i]).toLowerCase())) kept.push(fields[i], fields[i + 1]);
      return super.writeHead(status, kept as unknown as OutgoingHttpHeaders);
    }
    if (fields !== undefined && fields !== null && typeof fields === 'object') {
      const kept: OutgoingHttpHeaders = {};
      for (const [name, value] of Object.entries(fields as OutgoingHttpHeaders))
        if (!CONNECTION_SPECIFIC.has(name.toLowerCase())) kept[name] = value;
      return super.writeHead(status, kept);
    }
    return super.writeHead(status);
  }
}

Object.defineProperty(EdgeHttp2Response.prototype, 'statusMessage', { get: () => '', set: () => {} });

function httpRawHeaders(raw: readonly string[]): string[] {
  const out: string[] = [];
  let authority: string | undefined;
  let hasHost = false;
  let cookie: string | undefined;
  for (let i = 0; i < raw.length; i += 2) {
    const name = raw[i] as string;
    const value = raw[i + 1] as string;
    if (name.startsWith(':')) {
      if (name === ':authority') authority = value;
      continue;
    }
    if (name === 'host') hasHost = true;
    if (name === 'cookie') {
      cookie = cookie === undefined ? value : `${cookie}; ${value}`;
      continue;
    }
    out.push(name, value);
  }
  if (cookie !== undefined) out.push('cookie', cookie);
  if (!hasHost && authority !== undefined) out.unshift('host', authority);
  return out;
}
