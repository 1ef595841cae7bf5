import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Header, HttpRequest } from '@mono/contracts';
import type { ServerCall } from '@mono/transport';
import { afterEach, describe, expect, it } from 'vitest';
import { describeRequest, edgeUnderTest, rawExchange } from './testing';

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  while (cleanups.length > 0) await cleanups.pop()?.();
});

async function edge(env: Record<string, string> = {}, handler?: (call: ServerCall<HttpRequest>) => void) {
  const started = await edgeUnderTest(env, handler);
  cleanups.push(() => started.stop());
  return started;
}

function configFile(text: string): string {
  const path = join(mkdtempSync(join(tmpdir(), 'edge-headers-')), 'edge.yaml');
  writeFileSync(path, text);
  return path;
}

function values(headers: readonly Header[] | undefined, name: string): string[] {
  return (headers ?? []).filter((h) => h.name.toLowerCase() === name).map((h) => h.value);
}

async function send(port: number, head: string) {
  const { responses } = await rawExchange(port, [head], { expected: 1 });
  return responses[0];
}

const HOP_BY_HOP =
  'Connection: keep-alive, X-Secret\r\nX-Secret: 1\r\nKeep-Alive: timeout=5\r\nTE: trailers\r\nTrailer: X-T\r\n' +
  'Upgrade: websocket\r\nProxy-Connection: keep-alive\r\nProxy-Authorization: Basic eDp5\r\nX-Kept: yes\r\n';

describe('toEnvelope', () => {
  it('should pass no hop-by-hop field on, and say that a chunked body of unknown length follows', async () => {
    const { port, seen } = await edge();
    const res = await send(
      port,
      `POST /x HTTP/1.1\r\nHost: localhost\r\n${HOP_BY_HOP}Transfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n`,
    );
    expect(res?.status).toBe(200);
    const names = seen[0]?.headers.map((h) => h.name.toLowerCase());
    for (const name of ['connection', 'x-secret', 'keep-alive', 'te', 'trailer', 'upgrade', 'transfer-encoding'])
      expect(names).not.toContain(name);
    expect(names).not.toContain('proxy-connection');
    expect(names).not.toContain('proxy-authorization');
    expect(values(seen[0]?.headers, 'x-kept')).toEqual(['yes']);
    expect(seen[0]?.bodyLengthUnknown).toBe(true);
    expect(JSON.parse(res?.body ?? '{}').body).toBe('hello');
  });

  it("should not believe an untrusted peer's X-Forwarded-*, Forwarded or X-Request-Id, and append its own", async () => {
    const { port, seen } = await edge();
    const res = await send(
      port,
      'GET /x HTTP/1.1\r\nHost: localhost:8080\r\nX-Forwarded-For: 203.0.113.9\r\nX-Forwarded-Proto: https\r\n' +
        'X-Forwarded-Host: evil.test\r\nForwarded: for=203.0.113.9\r\nX-Request-Id: forged\r\n\r\n',
    );
    const head = seen[0];
    expect(head?.client?.address).toBe('127.0.0.1');
    expect(head?.scheme).toBe('http');
    expect(values(head?.headers, 'x-forwarded-for')).toEqual(['127.0.0.1']);
    expect(values(head?.headers, 'x-forwarded-proto')).toEqual(['http']);
    expect(values(head?.headers, 'x-forwarded-host')).toEqual(['localhost:8080']);
    expect(values(head?.headers, 'forwarded')).toEqual(['for=127.0.0.1;host="localhost:8080";proto=http']);
    expect(res?.headers['x-request-id']).toMatch(/^[0-9a-f]{32}$/);
    expect(values(head?.headers, 'x-request-id')).toEqual([]);
    expect(head?.requestId).toBe(res?.headers['x-request-id']);
  });

  it('should find the client behind trusted proxies (realip, recursive) and keep their request id', async () => {
    const { port, seen } = await edge({ EDGE_TRUSTED_PROXIES: '127.0.0.1, 10.0.0.0/8' });
    const res = await send(
      port,
      'GET /x HTTP/1.1\r\nHost: localhost\r\nX-Forwarded-For: 198.51.100.1, 203.0.113.9, 10.1.2.3\r\n' +
        'X-Forwarded-Proto: http, https, http\r\nForwarded: for=203.0.113.9\r\nX-Request-Id: lb-4711\r\n\r\n',
    );
    const head = seen[0];
    expect(head?.client).toEqual({ address: '203.0.113.9', port: 0 });
    expect(head?.scheme).toBe('https');
    expect(values(head?.headers, 'x-forwarded-for')).toEqual(['198.51.100.1, 203.0.113.9, 10.1.2.3, 127.0.0.1']);
    expect(values(head?.headers, 'forwarded')).toEqual(['for=203.0.113.9, for=127.0.0.1;host=localhost;proto=http']);
    expect(res?.headers['x-request-id']).toBe('lb-4711');
    expect(head?.requestId).toBe('lb-4711');
  });

  it("should replace a trusted proxy's request id that could not be a header value", async () => {
    const { port, seen } = await edge({ EDGE_TRUSTED_PROXIES: '127.0.0.1' });
    const res = await send(port, 'GET /x HTTP/1.1\r\nHost: localhost\r\nX-Request-Id: two words\r\n\r\n');
    expect(res?.headers['x-request-id']).toMatch(/^[0-9a-f]{32}$/);
    expect(seen[0]?.requestId).toBe(res?.headers['x-request-id']);
  });

  it("should pass no hop-by-hop field of the application's response on", async () => {
    const { port } = await edge({}, (call) => {
      call.respond({
        status: 200,
        reason: 'OK',
        headers: [
          { name: 'Connection', value: 'X-Secret' },
          { name: 'X-Secret', value: '1' },
          { name: 'Keep-Alive', value: 'timeout=1' },
          { name: 'Upgrade', value: 'h2c' },
          { name: 'Trailer', value: 'X-T' },
          { name: 'Proxy-Authenticate', value: 'Basic' },
          { name: 'X-App', value: 'kept' },
          { name: 'Content-Length', value: '2' },
        ],
      });
      call.write(Buffer.from('ok'));
      call.end();
    });
    const res = await send(port, 'GET /x HTTP/1.1\r\nHost: localhost\r\n\r\n');
    expect(res?.headers['x-app']).toBe('kept');
    for (const name of ['x-secret', 'upgrade', 'trailer', 'proxy-authenticate'])
      expect(res?.headers[name]).toBeUndefined();
    // The edge's own connection fields, not the application's.
    expect(res?.headers['keep-alive']).toBe('timeout=75');
    expect(res?.headers['connection']).toBe('keep-alive');
  });

  it('should tell a trusted client where the time went, and nobody else', async () => {
    const timed = (call: ServerCall<HttpRequest>) => {
      call.respond({
        status: 200,
        reason: 'OK',
        headers: [{ name: 'Content-Length', value: '0' }],
        timing: { gatewayQueueUs: 1500, gatewayUs: 20, frameworkUs: 30, appUs: 250 },
      });
      call.end();
    };
    const trusted = await edge({ EDGE_TRUSTED_PROXIES: '127.0.0.0/8' }, timed);
    const res = await send(trusted.port, 'GET /x HTTP/1.1\r\nHost: localhost\r\n\r\n');
    expect(res?.headers['server-timing']).toMatch(
      /^edge;dur=\d+(\.\d+)?, gw-queue;dur=1\.5, gw;dur=0\.02, fw;dur=0\.03, app;dur=0\.25$/,
    );
    const untrusted = await edge({}, timed);
    expect((await send(untrusted.port, 'GET /x HTTP/1.1\r\nHost: localhost\r\n\r\n'))?.headers).not.toHaveProperty(
      'server-timing',
    );
  });
});

describe('locations that redirect or add headers', () => {
  const file = configFile(
    [
      'locations:',
      '  - path: /',
      '  - path: /old/',
      "    redirect: { to: 'https://$host$request_uri', status: 308 }",
      '  - path: /api/',
      '    headers:',
      '      response: { X-Frame-Options: DENY }',
      '      request: { X-Api: edge }',
      '',
    ].join('\n'),
  );

  it('should redirect with the target as received, so that nothing in it becomes a response line', async () => {
    const { port, seen } = await edge({ EDGE_CONFIG: file });
    const res = await send(port, 'GET /old/a%0d%0aSet-Cookie:%20x=1?q=%0A HTTP/1.1\r\nHost: localhost:8443\r\n\r\n');
    expect(res?.status).toBe(308);
    expect(res?.headers['location']).toBe('https://localhost:8443/old/a%0d%0aSet-Cookie:%20x=1?q=%0A');
    expect(res?.fields.map(([name]) => name)).not.toContain('set-cookie');
    expect(res?.headers['x-request-id']).toMatch(/^[0-9a-f]{32}$/);
    expect(seen).toEqual([]);
  });

  it("should add the location's response headers and replace its request headers", async () => {
    const { port, seen } = await edge({ EDGE_CONFIG: file }, describeRequest);
    const res = await send(port, 'GET /api/x HTTP/1.1\r\nHost: localhost\r\nx-api: client\r\n\r\n');
    expect(res?.headers['x-frame-options']).toBe('DENY');
    expect(values(seen[0]?.headers, 'x-api')).toEqual(['edge']);
    const other = await send(port, 'GET /x HTTP/1.1\r\nHost: localhost\r\n\r\n');
    expect(other?.headers['x-frame-options']).toBeUndefined();
  });
});
