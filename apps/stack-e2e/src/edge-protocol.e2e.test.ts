import { request } from 'node:http';
import { connect } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startStack, type Stack } from '@mono/testing';

// The stack as shipped (infra/config/edge.yaml), with 127.0.0.2 as a trusted proxy in front of the edge: a client
// that connects from 127.0.0.1 is untrusted, one from 127.0.0.2 is the proxy.
let stack: Stack;
beforeAll(async () => {
  stack = await startStack({ edge: { EDGE_TRUSTED_PROXIES: '127.0.0.2' } });
});
afterAll(async () => {
  await stack?.stop();
});

interface Reply {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

function get(path: string, headers: Record<string, string>, localAddress = '127.0.0.1'): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = request(`${stack.url}${path}`, { headers, localAddress, agent: false }, (res) => {
      let body = '';
      res.on('data', (chunk: Buffer) => (body += chunk.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

/** Bytes written as they are to a new connection; everything the edge sent until it closed the connection (each
 * request here makes it close: Connection: close, or a framing error). */
function raw(bytes: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect(stack.edge.port, '127.0.0.1');
    let received = '';
    socket.on('data', (chunk: Buffer) => (received += chunk.toString('latin1')));
    socket.on('close', () => resolve(received));
    socket.on('error', reject);
    socket.write(bytes);
  });
}

type Environ = Record<string, unknown> & { headers: Array<[string, string]> };

const HOP_BY_HOP = {
  Connection: 'close, X-Secret',
  'X-Secret': 'hidden',
  'Keep-Alive': 'timeout=5',
  TE: 'trailers',
  Trailer: 'X-T',
  Upgrade: 'websocket',
  'Proxy-Connection': 'keep-alive',
  'Proxy-Authorization': 'Basic eDp5',
};

describe('the edge in front of the stack', () => {
  it('should let no hop-by-hop field reach the application, and not believe an untrusted X-Forwarded-For', async () => {
    const fields = Object.entries(HOP_BY_HOP)
      .map(([name, value]) => `${name}: ${value}\r\n`)
      .join('');
    const answer = await raw(
      `GET /environ HTTP/1.1\r\nHost: localhost\r\n${fields}X-Forwarded-For: 203.0.113.9\r\nX-Request-Id: forged\r\n\r\n`,
    );
    expect(answer).toMatch(/^HTTP\/1\.1 200 OK\r\n/);
    const environ = JSON.parse(answer.slice(answer.indexOf('\r\n\r\n') + 4)) as Environ;
    const names = environ.headers.map(([name]) => name.toLowerCase());
    for (const name of Object.keys(HOP_BY_HOP)) expect(names).not.toContain(name.toLowerCase());
    expect(environ['REMOTE_ADDR']).toBe('127.0.0.1');
    expect(environ['HTTP_X_FORWARDED_FOR']).toBe('127.0.0.1');
    expect(environ['REQUEST_ID']).toMatch(/^[0-9a-f]{32}$/);
    expect(answer).toContain(`\r\nX-Request-Id: ${String(environ['REQUEST_ID'])}\r\n`);
  });

  it("should take REMOTE_ADDR, the scheme and the request id from a trusted proxy's fields", async () => {
    const res = await get(
      '/environ',
      { 'X-Forwarded-For': '203.0.113.9', 'X-Forwarded-Proto': 'https', 'X-Request-Id': 'from-the-proxy' },
      '127.0.0.2',
    );
    const environ = JSON.parse(res.body) as Environ;
    expect(environ['REMOTE_ADDR']).toBe('203.0.113.9');
    expect(environ['tsgi.url_scheme']).toBe('https');
    expect(environ['HTTP_X_FORWARDED_FOR']).toBe('203.0.113.9, 127.0.0.2');
    expect(environ['REQUEST_ID']).toBe('from-the-proxy');
    expect(res.headers['x-request-id']).toBe('from-the-proxy');
  });

  it("should give the application an absolute-form target's authority as its host", async () => {
    const answer = await raw(
      `GET http://localhost:${stack.edge.port}/environ?x=1 HTTP/1.1\r\nHost: evil.test\r\nConnection: close\r\n\r\n`,
    );
    const environ = JSON.parse(answer.slice(answer.indexOf('\r\n\r\n') + 4)) as Environ;
    expect(environ['SERVER_NAME']).toBe('localhost');
    expect(environ['HTTP_HOST']).toBe(`localhost:${stack.edge.port}`);
    expect(environ['PATH_INFO']).toBe('/environ');
    expect(environ['QUERY_STRING']).toBe('x=1');
  });

  it('should answer 421 for a host it does not serve', async () => {
    const res = await get('/hello', { Host: 'evil.test' });
    expect(res.status).toBe(421);
    expect(res.headers['x-request-id']).toMatch(/^[0-9a-f]{32}$/);
  });

  it('should show a trusted client the time of every layer until the head in Server-Timing', async () => {
    const res = await get('/hello', {});
    expect(res.status).toBe(200);
    const metrics = String(res.headers['server-timing'])
      .split(', ')
      .map((metric) => metric.split(';dur='));
    expect(metrics.map(([name]) => name)).toEqual(['edge', 'gw-queue', 'gw', 'fw', 'app']);
    for (const [, dur] of metrics) expect(Number(dur)).toBeGreaterThanOrEqual(0);
  });

  it('should answer ambiguous framing once, with its request id, and serve nothing pipelined behind it', async () => {
    const answer = await raw(
      'GET /hello HTTP/1.1\r\nHost: localhost\r\nHost: evil.test\r\n\r\nGET /hello HTTP/1.1\r\nHost: localhost\r\n\r\n',
    );
    expect(answer.match(/^HTTP\/1\.1 /gm)).toHaveLength(1);
    expect(answer).toMatch(/^HTTP\/1\.1 400 Bad Request\r\n/);
    expect(answer).toMatch(/\r\nX-Request-Id: [0-9a-f]{32}\r\n/i);
    expect(answer).not.toContain('Hello World!');
  });

  it('should answer a request without Host, and one the parser refuses, with its own problem and request id', async () => {
    for (const bytes of ['GET /hello HTTP/1.1\r\n\r\n', 'GET /hello HTTP/1.1\r\nHost: localhost\r\nX: \x01\r\n\r\n']) {
      const answer = await raw(bytes);
      expect(answer).toMatch(/^HTTP\/1\.1 400 Bad Request\r\n/);
      expect(answer).toMatch(/\r\nX-Request-Id: [0-9a-f]{32}\r\n/i);
      expect(answer).toContain('"code":"EDGE_ERR_BAD_REQUEST"');
    }
  });
});
