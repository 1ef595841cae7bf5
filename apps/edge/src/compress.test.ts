import { mkdtempSync, writeFileSync } from 'node:fs';
import { request, type IncomingHttpHeaders } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { brotliDecompressSync, createGunzip, gunzipSync, zstdDecompressSync } from 'node:zlib';
import { gatewayBoundary, type HttpRequest } from '@mono/contracts';
import { createLogger } from '@mono/telemetry';
import type { ServerCall } from '@mono/transport';
import { signal, startTestServer, type TestServer } from '@mono/transport/testing';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { buildEdge, type Edge } from './app';
import { loadEdgeConfig } from './config';

const log = createLogger('edge', 'silent');
const TEXT = `${'<p>The quick brown fox jumps over the lazy dog.</p>\n'.repeat(200)}`;

type Route = Array<[string, string]>;
/** What the stub gateway answers per target: headers, then the body (TEXT unless given). */
const routes: Record<string, { headers: Route; body?: string; status?: number }> = {
  '/html': {
    headers: [
      ['Content-Type', 'text/html; charset=utf-8'],
      ['Content-Length', String(TEXT.length)],
    ],
  },
  '/etag': {
    headers: [
      ['Content-Type', 'application/json'],
      ['ETag', '"v1"'],
      ['Vary', 'Origin'],
      ['Accept-Ranges', 'bytes'],
    ],
  },
  '/small': {
    headers: [
      ['Content-Type', 'text/plain'],
      ['Content-Length', '12'],
    ],
    body: 'Hello World!',
  },
  '/two-varies': {
    headers: [
      ['Vary', 'Origin'],
      ['Content-Type', 'text/plain'],
      ['Vary', 'Cookie'],
    ],
  },
  '/png': { headers: [['Content-Type', 'image/png']] },
  '/no-transform': {
    headers: [
      ['Content-Type', 'text/plain'],
      ['Cache-Control', 'public, no-transform'],
    ],
  },
  '/encoded': {
    headers: [
      ['Content-Type', 'text/plain'],
      ['Content-Encoding', 'gzip'],
    ],
  },
  '/partial': {
    headers: [
      ['Content-Type', 'text/plain'],
      ['Content-Range', 'bytes 0-9/100'],
    ],
    status: 206,
  },
  '/redirect': {
    headers: [
      ['Content-Type', 'text/html'],
      ['Location', '/html'],
    ],
    status: 302,
  },
  '/no-type': { headers: [] },
};

let stub: TestServer;
let edge: Edge;
let port: number;
/** The /stream route's producer: each line is written when the test asks for it, not before. */
let streamCall: ServerCall<HttpRequest> | undefined;
let streamOpened = signal();

beforeAll(async () => {
  stub = await startTestServer<HttpRequest>(
    (call) => {
      const target = call.head.target;
      if (target.startsWith('/stream')) {
        call.respond({ status: 200, reason: 'OK', headers: [{ name: 'Content-Type', value: 'text/plain' }] });
        streamCall = call;
        streamOpened.resolve();
        return;
      }
      const route = routes[target] ?? { headers: [], status: 404 };
      call.respond({
        status: route.status ?? 200,
        reason: 'OK',
        headers: route.headers.map(([name, value]) => ({ name, value })),
      });
      if (call.head.method !== 'HEAD') call.write(Buffer.from(route.body ?? TEXT));
      call.end();
    },
    { boundary: gatewayBoundary },
  );
  const dir = mkdtempSync(join(tmpdir(), 'edge-compress-'));
  writeFileSync(join(dir, 'big.txt'), TEXT);
  const file = join(dir, 'edge.yaml');
  writeFileSync(
    file,
    ['compression: { maxStreams: 2 }', 'locations:', '  - { path: / }', '  - { path: /files/, alias: . }'].join('\n'),
  );
  const config = loadEdgeConfig({ EDGE_CONFIG: file, EDGE_PORT: '0', EDGE_GATEWAYS: stub.address });
  edge = buildEdge(config, { log });
  port = await edge.listen();
  await vi.waitFor(() => expect(edge.state.ready).toBe(true));
});
afterAll(async () => {
  await edge?.shutdown();
  stub?.stop();
});

interface Got {
  status: number;
  headers: IncomingHttpHeaders;
  body: Buffer;
}

function get(path: string, headers: Record<string, string> = {}, method = 'GET'): Promise<Got> {
  return new Promise((resolve, reject) => {
    const req = request({ port, path, method, headers, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }));
    });
    req.on('error', reject);
    req.end();
  });
}

describe('compress', () => {
  it('should leave a response alone, Vary included, for a request without Accept-Encoding', async () => {
    const res = await get('/html');
    expect(res.headers['content-encoding']).toBeUndefined();
    expect(res.headers['vary']).toBeUndefined();
    expect(res.headers['content-length']).toBe(String(TEXT.length));
    expect(res.body.toString()).toBe(TEXT);
  });

  it.each([
    ['gzip', gunzipSync],
    ['br', brotliDecompressSync],
    ['zstd', zstdDecompressSync],
  ])('should encode with %s a body that decodes to the original', async (coding, decode) => {
    const res = await get('/html', { 'Accept-Encoding': coding });
    expect(res.headers['content-encoding']).toBe(coding);
    expect(res.headers['vary']).toBe('Accept-Encoding');
    expect(res.headers['content-length']).toBeUndefined();
    expect(res.body.length).toBeLessThan(TEXT.length / 10);
    expect(decode(res.body).toString()).toBe(TEXT);
  });

  it("should take the client's weights first, then the edge's order (zstd, br, gzip)", async () => {
    expect((await get('/html', { 'Accept-Encoding': 'gzip, deflate, br, zstd' })).headers['content-encoding']).toBe(
      'zstd',
    );
    expect((await get('/html', { 'Accept-Encoding': 'zstd;q=0.5, gzip' })).headers['content-encoding']).toBe('gzip');
    expect((await get('/html', { 'Accept-Encoding': '*;q=0.1, br;q=0' })).headers['content-encoding']).toBe('zstd');
  });

  it('should make a strong ETag weak, keep Vary, and drop Accept-Ranges when it encodes', async () => {
    const res = await get('/etag', { 'Accept-Encoding': 'gzip' });
    expect(res.headers).toMatchObject({ etag: 'W/"v1"', vary: 'Origin, Accept-Encoding', 'content-encoding': 'gzip' });
    expect(res.headers['accept-ranges']).toBeUndefined();
  });

  it('should keep every Vary field of the response in the one it sends, with Accept-Encoding added once', async () => {
    const res = await get('/two-varies', { 'Accept-Encoding': 'gzip' });
    expect(res.headers).toMatchObject({ vary: 'Origin, Cookie, Accept-Encoding', 'content-encoding': 'gzip' });
    expect(gunzipSync(res.body).toString()).toBe(TEXT);
  });

  it('should add only Vary when the response could be encoded but the client takes no coding the edge has', async () => {
    const res = await get('/etag', { 'Accept-Encoding': 'deflate, identity' });
    expect(res.headers['content-encoding']).toBeUndefined();
    expect(res.headers).toMatchObject({ etag: '"v1"', vary: 'Origin, Accept-Encoding', 'accept-ranges': 'bytes' });
  });

  it.each([
    ['a small body', '/small'],
    ['an image', '/png'],
    ['no-transform', '/no-transform'],
    ['an encoded body', '/encoded'],
    ['a partial body', '/partial'],
    ['a redirect', '/redirect'],
    ['no Content-Type', '/no-type'],
  ])('should leave %s as it is, without Vary', async (_name, path) => {
    const direct = routes[path] as { headers: Route; body?: string };
    const res = await get(path, { 'Accept-Encoding': 'gzip, br, zstd' });
    expect(res.headers['vary']).toBeUndefined();
    for (const [name, value] of direct.headers) expect(res.headers[name.toLowerCase()]).toBe(value);
    expect(res.body.toString()).toBe(direct.body ?? TEXT);
  });

  it('should answer HEAD with the headers GET would have', async () => {
    const res = await get('/html', { 'Accept-Encoding': 'gzip' }, 'HEAD');
    expect(res.headers).toMatchObject({ 'content-encoding': 'gzip', vary: 'Accept-Encoding' });
    expect(res.headers['content-length']).toBeUndefined();
    expect(res.body.length).toBe(0);
  });

  it('should compress a static file on the fly, but not a range of it', async () => {
    const whole = await get('/files/big.txt', { 'Accept-Encoding': 'br' });
    expect(whole.headers['content-encoding']).toBe('br');
    expect(whole.headers['etag']).toMatch(/^W\//);
    expect(brotliDecompressSync(whole.body).toString()).toBe(TEXT);
    const part = await get('/files/big.txt', { 'Accept-Encoding': 'br', Range: 'bytes=0-9' });
    expect(part.status).toBe(206);
    expect(part.headers['content-encoding']).toBeUndefined();
    expect(part.body.toString()).toBe(TEXT.slice(0, 10));
  });

  it('should pass each chunk of a streamed response on as it is produced, encoded', async () => {
    streamOpened = signal();
    const lines: string[] = [];
    const arrived = new Map<number, () => void>();
    const wait = (n: number) => new Promise<void>((resolve) => arrived.set(n, resolve));
    const ended = new Promise<IncomingHttpHeaders>((resolve, reject) => {
      const req = request({ port, path: '/stream', headers: { 'Accept-Encoding': 'gzip' }, agent: false }, (res) => {
        const gunzip = createGunzip();
        res.pipe(gunzip);
        let text = '';
        gunzip.on('data', (chunk: Buffer) => {
          text += chunk.toString();
          const complete = text.split('\n').slice(0, -1);
          while (lines.length < complete.length) {
            lines.push(complete[lines.length] as string);
            arrived.get(lines.length)?.();
          }
        });
        gunzip.on('end', () => resolve(res.headers));
      });
      req.on('error', reject);
      req.end();
    });
    await streamOpened.promise;
    const call = streamCall as ServerCall<HttpRequest>;
    for (let n = 1; n <= 3; n += 1) {
      const next = wait(n);
      call.write(Buffer.from(`line ${n}\n`));
      await next; // the client has this line before the next one exists
    }
    call.end();
    const headers = await ended;
    expect(headers['content-encoding']).toBe('gzip');
    expect(lines).toEqual(['line 1', 'line 2', 'line 3']);
  });

  it('should encode at most maxStreams responses at once and send the others as they are', async () => {
    const open = async () => {
      streamOpened = signal();
      const response = new Promise<IncomingHttpHeaders>((resolve) => {
        const req = request({ port, path: '/stream', headers: { 'Accept-Encoding': 'gzip' }, agent: false }, (res) => {
          resolve(res.headers);
          res.resume();
        });
        req.end();
      });
      await streamOpened.promise;
      const call = streamCall as ServerCall<HttpRequest>;
      call.write(Buffer.from('first\n'));
      return { headers: await response, call };
    };
    const streams = [await open(), await open(), await open()];
    expect(streams.map((s) => s.headers['content-encoding'])).toEqual(['gzip', 'gzip', undefined]);
    expect(streams.map((s) => s.headers['vary'])).toEqual(['Accept-Encoding', 'Accept-Encoding', 'Accept-Encoding']);
    for (const { call } of streams) call.end();
  });
});
