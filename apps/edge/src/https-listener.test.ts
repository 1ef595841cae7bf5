import { execFile } from 'node:child_process';
import { rmSync, writeFileSync } from 'node:fs';
import { request as httpsRequest } from 'node:https';
import { connect as http2Connect, constants, type ClientHttp2Session, type IncomingHttpHeaders } from 'node:http2';
import { join } from 'node:path';
import type { TLSSocket } from 'node:tls';
import { promisify } from 'node:util';
import { gunzipSync } from 'node:zlib';
import { SpanKind } from '@opentelemetry/api';
import { gatewayBoundary, type HttpRequest } from '@mono/contracts';
import { testCertificate } from '@mono/runtime/testing';
import { createLogger } from '@mono/telemetry';
import { installTestTracing } from '@mono/telemetry/testing';
import { echoHandler, startTestServer, type TestServer } from '@mono/transport/testing';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { buildEdge, type Edge } from './app';
import { loadEdgeConfig } from './config';

const tracing = installTestTracing();
const TEXT = 'All work and no play makes Jack a dull boy.\n'.repeat(100);
const seen: HttpRequest[] = [];
/** Calls of /hang: answered never, so each stays open until the edge cancels it. */
const hanging = { started: 0, cancelled: 0 };
let stub: TestServer;
let edge: Edge;
let origin: string;
let plainPort: number;

const certificate = testCertificate();
const dir = certificate.dir;

beforeAll(async () => {
  stub = await startTestServer<HttpRequest>(
    (call) => {
      seen.push(call.head);
      if (call.head.target === '/hang') {
        hanging.started += 1;
        call.signal.addEventListener('abort', () => (hanging.cancelled += 1));
        return;
      }
      if (call.head.target.startsWith('/echo')) {
        echoHandler(call);
        return;
      }
      call.respond({
        status: 200,
        reason: 'OK',
        headers: [
          { name: 'Content-Type', value: 'text/plain' },
          { name: 'Connection', value: 'keep-alive' },
          { name: 'Keep-Alive', value: 'timeout=5' },
        ],
      });
      call.write(Buffer.from(call.head.target === '/text' ? TEXT : 'Hello World!'));
      call.end();
    },
    { boundary: gatewayBoundary },
  );
  const { cert, key } = certificate;
  writeFileSync(join(dir, 'hello.txt'), 'Hello, files!\n');
  const file = join(dir, 'edge.yaml');
  writeFileSync(
    file,
    [
      'tls: { cert: cert.pem, key: key.pem, http2: { maxConcurrentStreams: 16 } }',
      'client: { maxHeaderBytes: 4KiB }',
      'locations:',
      '  - { path: / }',
      '  - { path: /echo, limits: { body: 64KiB } }',
      '  - { path: /files/, alias: . }',
    ].join('\n'),
  );
  const config = loadEdgeConfig({
    EDGE_CONFIG: file,
    EDGE_PORT: '0',
    EDGE_TLS_PORT: '0',
    EDGE_GATEWAYS: stub.address,
    EDGE_ACCESS_LOG: 'false',
  });
  expect(config.tls).toMatchObject({ cert, key, http2: { maxConcurrentStreams: 16 } });
  edge = buildEdge(config, { log: createLogger('edge', 'silent') });
  plainPort = await edge.listen();
  origin = `https://localhost:${edge.tlsPort}`;
  await vi.waitFor(() => expect(edge.state.ready).toBe(true));
});
afterAll(async () => {
  await edge?.shutdown();
  stub?.stop();
  void tracing.uninstall();
  rmSync(dir, { recursive: true, force: true });
});

function session(): ClientHttp2Session {
  return http2Connect(origin, { rejectUnauthorized: false });
}

/** One HTTP/2 request on `client`; the response's headers and body. */
function h2(
  client: ClientHttp2Session,
  headers: Record<string, string>,
  body?: Buffer,
): Promise<{ headers: IncomingHttpHeaders; body: Buffer }> {
  return new Promise((resolve, reject) => {
    const stream = client.request(headers, { endStream: body === undefined });
    const chunks: Buffer[] = [];
    let head: IncomingHttpHeaders = {};
    stream.on('response', (h) => (head = h));
    stream.on('data', (chunk: Buffer) => chunks.push(chunk));
    stream.on('end', () => resolve({ headers: head, body: Buffer.concat(chunks) }));
    stream.on('error', reject);
    if (body !== undefined) stream.end(body);
  });
}

describe('the HTTPS listener', () => {
  it('should serve HTTP/2 by ALPN through the same pipeline, the scheme https in the request the gateway sees', async () => {
    const client = session();
    const res = await h2(client, { ':path': '/hello?x=1', cookie: 'a=1', 'x-test': 'yes' });
    client.close();
    expect(res.headers[':status']).toBe(200);
    expect(res.body.toString()).toBe('Hello World!');
    expect(res.headers['x-request-id']).toMatch(/^[0-9a-f]{32}$/);
    // The application's HTTP/1.1 connection fields stay behind: HTTP/2 forbids them.
    expect(res.headers['keep-alive']).toBeUndefined();
    const head = seen.find((r) => r.target === '/hello?x=1') as HttpRequest;
    expect(head).toMatchObject({ method: 'GET', protocol: 'HTTP/2.0', scheme: 'https' });
    expect(head.headers.filter((h) => h.name.startsWith(':'))).toEqual([]);
    expect(head.headers[0]).toEqual({ name: 'host', value: `localhost:${edge.tlsPort}` });
    expect(head.headers).toContainEqual({ name: 'x-test', value: 'yes' });
    const span = tracing
      .spans()
      .find((s) => s.kind === SpanKind.SERVER && s.attributes['mono.request.id'] === res.headers['x-request-id']);
    expect(span?.attributes).toMatchObject({
      'url.scheme': 'https',
      'network.protocol.version': '2.0',
      'server.address': 'localhost',
      'server.port': edge.tlsPort,
    });
  });

  it('should join HTTP/2 cookie crumbs into one Cookie field', async () => {
    const client = session();
    await h2(client, { ':path': '/crumbs', cookie: ['a=1', 'b=2'] as unknown as string });
    client.close();
    const head = seen.find((r) => r.target === '/crumbs') as HttpRequest;
    expect(head.headers.filter((h) => h.name === 'cookie')).toEqual([{ name: 'cookie', value: 'a=1; b=2' }]);
  });

  it('should serve HTTP/1.1 over TLS to a client that does not offer h2', async () => {
    const res = await new Promise<{ status: number; body: string; alpn: string | false }>((resolve, reject) => {
      const req = httpsRequest(`${origin}/hello`, { rejectUnauthorized: false, agent: false }, (response) => {
        let body = '';
        response.on('data', (chunk: Buffer) => (body += chunk.toString()));
        response.on('end', () =>
          resolve({
            status: response.statusCode ?? 0,
            body,
            alpn: (response.socket as TLSSocket).alpnProtocol ?? false,
          }),
        );
      });
      req.on('error', reject);
      req.end();
    });
    expect(res).toMatchObject({ status: 200, body: 'Hello World!' });
    expect(seen.at(-1)).toMatchObject({ protocol: 'HTTP/1.1', scheme: 'https' });
  });

  it('should answer curl --http2 -k (the done-when probe)', async () => {
    const { stdout } = await promisify(execFile)('curl', ['-sS', '-i', '--http2', '-k', `${origin}/hello`]);
    expect(stdout).toMatch(/^HTTP\/2 200/);
    expect(stdout).toMatch(/\r\n\r\nHello World!$/);
  });

  it('should stream an HTTP/2 request body to the gateway and back, and refuse one over the limit with 413', async () => {
    const client = session();
    const body = Buffer.alloc(40_000, 'x');
    const echoed = await h2(client, { ':method': 'POST', ':path': '/echo' }, body);
    expect(echoed.body.equals(body)).toBe(true);
    const tooLarge = await h2(
      client,
      { ':method': 'POST', ':path': '/echo', 'content-length': String(100_000) },
      Buffer.alloc(100_000),
    ).catch((err: Error) => ({ headers: { ':status': -1, err: err.message }, body: Buffer.alloc(0) }));
    client.close();
    expect(tooLarge.headers[':status']).toBe(413);
  });

  it('should compress and serve static files over HTTP/2 as over HTTP/1.1', async () => {
    const client = session();
    const text = await h2(client, { ':path': '/text', 'accept-encoding': 'gzip' });
    const file = await h2(client, { ':path': '/files/hello.txt' });
    const conditional = await h2(client, { ':path': '/files/hello.txt', 'if-none-match': String(file.headers.etag) });
    const range = await h2(client, { ':path': '/files/hello.txt', range: 'bytes=0-4' });
    client.close();
    expect(text.headers['content-encoding']).toBe('gzip');
    expect(gunzipSync(text.body).toString()).toBe(TEXT);
    expect(file.body.toString()).toBe('Hello, files!\n');
    expect(conditional.headers[':status']).toBe(304);
    expect(range.headers[':status']).toBe(206);
    expect(range.body.toString()).toBe('Hello');
  });

  it('should advertise its HTTP/2 limits and refuse a header list over client.maxHeaderBytes', async () => {
    const client = session();
    await new Promise((resolve) => client.once('remoteSettings', resolve));
    expect(client.remoteSettings).toMatchObject({
      maxConcurrentStreams: 16,
      maxHeaderListSize: 4_096,
      enablePush: false,
    });
    const before = seen.length;
    const outcome = await new Promise<string>((resolve) => {
      const stream = client.request({ ':path': '/big', 'x-big': 'y'.repeat(8_000) });
      stream.on('response', (h) => resolve(`status ${h[':status']}`));
      stream.on('error', (err: NodeJS.ErrnoException) => resolve(`error ${err.code}`));
      stream.on('close', () => resolve(`closed ${stream.rstCode}`));
      stream.end();
    });
    client.destroy();
    expect(outcome).not.toBe('status 200');
    expect(seen.length).toBe(before);
  });

  it('should close a connection that floods it with rapid resets, cancel what it started, and serve others', async () => {
    const flooder = session();
    await new Promise((resolve) => flooder.once('remoteSettings', resolve));
    const closed = new Promise<void>((resolve) => flooder.once('close', () => resolve()));
    flooder.on('error', () => {});
    let sent = 0;
    while (!flooder.closed && !flooder.destroyed && sent < 20_000) {
      const stream = flooder.request({ ':path': '/hang' });
      stream.on('error', () => {});
      stream.close(constants.NGHTTP2_CANCEL);
      sent += 1;
      if (sent % 100 === 0) await new Promise((resolve) => setImmediate(resolve));
    }
    // The edge ends the connection itself; the client only learns it when its socket closes.
    await Promise.race([closed, vi.waitFor(() => expect(edge.state.connections().http2).toBe(0), 20_000)]);
    flooder.destroy();
    // nghttp2 passed on at most the reset burst (2 × 16) plus what was in flight, and every one was cancelled.
    expect(hanging.started).toBeLessThanOrEqual(2 * 16 + 16);
    await vi.waitFor(() => expect(hanging.cancelled).toBe(hanging.started));
    const other = session();
    const res = await h2(other, { ':path': '/hello' });
    other.close();
    expect(res.headers[':status']).toBe(200);
  }, 30_000);

  it('should serve plain HTTP on its own listener beside HTTPS', async () => {
    const res = await fetch(`http://127.0.0.1:${plainPort}/hello`);
    expect(res.status).toBe(200);
    expect(seen.at(-1)).toMatchObject({ scheme: 'http', protocol: 'HTTP/1.1' });
  });
});
