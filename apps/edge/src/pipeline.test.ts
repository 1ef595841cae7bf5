import { once } from 'node:events';
import { request, type IncomingMessage } from 'node:http';
import { connect } from 'node:net';
import { gunzipSync } from 'node:zlib';
import { gatewayBoundary, type HttpRequest } from '@mono/contracts';
import { AppError } from '@mono/errors';
import { createLogger } from '@mono/telemetry';
import type { ServerCall } from '@mono/transport';
import { echoHandler, startTestServer, type TestServer } from '@mono/transport/testing';
import { inject } from 'light-my-request';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { buildEdge, type Edge } from './app';
import { loadEdgeConfig } from './config';

const log = createLogger('edge', 'silent');
const cleanups: Array<() => unknown> = [];
afterEach(async () => {
  while (cleanups.length > 0) await cleanups.pop()?.();
});

async function gateway(handler: (call: ServerCall<HttpRequest>) => void): Promise<TestServer> {
  const server = await startTestServer(handler, { boundary: gatewayBoundary });
  cleanups.push(() => server.stop());
  return server;
}

/** An edge over `addresses`, its pools connected; by default once the stack behind it has served. */
async function edgeOver(addresses: string[], env: Record<string, string> = {}, { ready = true } = {}): Promise<Edge> {
  const config = loadEdgeConfig({ EDGE_GATEWAYS: addresses.join(','), EDGE_ACCESS_LOG: 'false', ...env });
  const built = buildEdge(config, { log });
  cleanups.push(() => built.shutdown());
  await built.connect();
  if (ready) await vi.waitFor(() => expect(built.state.ready).toBe(true));
  return built;
}

async function edge(addresses: string[], env: Record<string, string> = {}) {
  return (await edgeOver(addresses, env)).handler;
}

describe('edge pipeline', () => {
  it('should forward the request as received and stream the response back with X-Request-Id', async () => {
    let seen: HttpRequest | undefined;
    const stub = await gateway((call) => {
      seen = call.head;
      echoHandler(call);
    });
    const res = await inject(await edge([stub.address]), {
      method: 'POST',
      url: '/echo?a=1',
      headers: { 'x-rep': ['one', 'two'], 'content-type': 'text/plain' },
      payload: 'hello',
    });
    expect(res.statusCode).toBe(200);
    expect(res.body).toBe('hello');
    expect(res.headers['x-request-id']).toMatch(/^[0-9a-f]{32}$/);
    expect(seen?.target).toBe('/echo?a=1');
    expect(seen?.requestId).toBe(res.headers['x-request-id']);
    expect(seen?.headers.filter((h) => h.name.toLowerCase() === 'x-rep').map((h) => h.value)).toEqual(['one', 'two']);
  });

  it('should refuse a declared body over EDGE_MAX_BODY_BYTES with 413 without asking a gateway', async () => {
    let asked = false;
    const stub = await gateway(() => (asked = true));
    const res = await inject(await edge([stub.address], { EDGE_MAX_BODY_BYTES: '4' }), {
      method: 'POST',
      url: '/',
      payload: 'too long',
    });
    expect(res.statusCode).toBe(413);
    expect(res.headers['content-type']).toBe('application/problem+json');
    expect(res.json()).toMatchObject({
      status: 413,
      code: 'EDGE_ERR_BODY_TOO_LARGE',
      requestId: res.headers['x-request-id'],
    });
    expect(asked).toBe(false);
  });

  it('should answer 503 + Retry-After, never 502, until the stack behind it has served', async () => {
    const { handler } = await edgeOver(['127.0.0.1:1'], {}, { ready: false });
    const res = await inject(handler, { url: '/hello' });
    expect(res.statusCode).toBe(503);
    expect(res.headers['retry-after']).toBe('1');
    expect(res.json()).toMatchObject({ code: 'EDGE_ERR_NOT_READY' });
  });

  it('should answer 502 problem+json at once when no gateway can be reached any more', async () => {
    const stub = await gateway(echoHandler);
    const pipeline = await edge([stub.address]);
    stub.stop();
    const started = Date.now();
    const res = await inject(pipeline, { url: '/hello' });
    expect(res.statusCode).toBe(502);
    expect(res.json()).toMatchObject({ status: 502, code: 'EDGE_ERR_GATEWAY_UNAVAILABLE' });
    expect(Date.now() - started).toBeLessThan(1_000);
  });

  it('should try the next gateway when one cannot be reached', async () => {
    const dead = await gateway(echoHandler);
    dead.stop();
    const alive = await gateway(echoHandler);
    const pipeline = await edge([dead.address, alive.address]);
    const statuses = [];
    for (let i = 0; i < 4; i += 1) statuses.push((await inject(pipeline, { url: `/r${i}` })).statusCode);
    expect(statuses).toEqual([200, 200, 200, 200]);
  });

  it('should answer 504 when the response head does not come within EDGE_UPSTREAM_HEAD_TIMEOUT_MS', async () => {
    const stub = await gateway(() => {});
    const res = await inject(await edge([stub.address], { EDGE_UPSTREAM_HEAD_TIMEOUT_MS: '150' }), { url: '/slow' });
    expect(res.statusCode).toBe(504);
  });

  it('should map a failure from below through the catalogue (503 with Retry-After)', async () => {
    const stub = await gateway((call) => call.fail(new AppError('GW_ERR_OVERLOADED', 'full')));
    const res = await inject(await edge([stub.address]), { url: '/' });
    expect(res.statusCode).toBe(503);
    expect(res.headers['retry-after']).toBe('1');
    expect(res.json()).toMatchObject({ code: 'GW_ERR_OVERLOADED', detail: 'full' });
  });
});

describe('edge server', () => {
  async function listen(addresses: string[], env: Record<string, string> = {}) {
    const config = loadEdgeConfig({
      EDGE_PORT: '0',
      EDGE_GATEWAYS: addresses.join(','),
      EDGE_ACCESS_LOG: 'false',
      ...env,
    });
    const server = buildEdge(config, { log });
    const port = await server.listen();
    cleanups.push(() => server.shutdown());
    return { port, server };
  }

  function raw(port: number, request: string): Promise<string> {
    return new Promise((resolve, reject) => {
      const socket = connect(port, '127.0.0.1', () => socket.write(request));
      let data = '';
      socket.on('data', (chunk) => (data += chunk.toString()));
      socket.on('close', () => resolve(data));
      socket.on('error', reject);
    });
  }

  it.each([
    [
      'a header section over EDGE_MAX_HEADER_BYTES',
      `GET / HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(3000)}\r\n\r\n`,
      431,
    ],
    ['a request line over EDGE_MAX_HEADER_BYTES', `GET /${'a'.repeat(3000)} HTTP/1.1\r\nHost: x\r\n\r\n`, 414],
    ['a malformed request', 'NOT HTTP AT ALL\r\n\r\n', 400],
  ])('should answer %s with problem+json', async (_case, request, status) => {
    const { port } = await listen(['127.0.0.1:1'], { EDGE_MAX_HEADER_BYTES: '2048' });
    const response = await raw(port, request);
    expect(response.split('\r\n')[0]).toMatch(new RegExp(`^HTTP/1.1 ${status} `));
    expect(response).toContain('Content-Type: application/problem+json');
    expect(response).toContain('Connection: close');
  });

  it.each([
    ['up to the size sent with the head as text', 1024, undefined],
    ['past it', 1025, undefined],
    ['up to it, to a client that accepts gzip, too short to compress', 1000, 'gzip'],
    ['up to it, compressed', 1024, 'gzip'],
  ])('should send a last chunk %s byte for byte', async (_case, size, accepts) => {
    const body = Buffer.from(Array.from({ length: size }, (_, i) => (i * 7 + 0x80) & 0xff));
    const stub = await gateway((call) => {
      call.respond({
        status: 200,
        reason: 'OK',
        headers: [
          { name: 'Content-Type', value: 'text/plain' },
          { name: 'Content-Length', value: String(size) },
        ],
      });
      call.write(body);
      call.end();
    });
    const { port, server } = await listen([stub.address]);
    await vi.waitFor(() => expect(server.state.ready).toBe(true));
    const headers = accepts === undefined ? {} : { 'Accept-Encoding': accepts };
    const req = request({ port, host: '127.0.0.1', path: '/', headers, agent: false }).end();
    const [res] = (await once(req, 'response')) as [IncomingMessage];
    const chunks: Buffer[] = [];
    for await (const chunk of res) chunks.push(chunk as Buffer);
    const received = Buffer.concat(chunks);
    expect(res.statusCode).toBe(200);
    const encoding = res.headers['content-encoding'];
    expect(encoding).toBe(size >= 1024 ? accepts : undefined);
    if (encoding === undefined) expect(res.headers['content-length']).toBe(String(size));
    expect((encoding === 'gzip' ? gunzipSync(received) : received).equals(body)).toBe(true);
  });

  it('should abort the connection when the upstream fails after the head was sent', async () => {
    let failUpstream!: () => void;
    const stub = await gateway((call) => {
      call.respond({ status: 200, reason: 'OK', headers: [] });
      call.write(Buffer.from('partial'));
      failUpstream = () => call.fail(new AppError('FW_ERR_APPLICATION_FAILED'));
    });
    const { port, server } = await listen([stub.address]);
    await vi.waitFor(() => expect(server.state.ready).toBe(true));
    const socket = connect(port, '127.0.0.1', () => socket.write('GET / HTTP/1.1\r\nHost: x\r\n\r\n'));
    let response = '';
    socket.on('data', (chunk) => {
      response += chunk.toString();
      if (response.includes('partial')) failUpstream();
    });
    await once(socket, 'close');
    expect(response).toMatch(/^HTTP\/1.1 200 OK/);
    expect(response).toContain('partial');
    expect(response).not.toMatch(/\r\n0\r\n\r\n$/);
  });

  it('should serve what arrives while it drains with Connection: close, answer its health 503, then stop', async () => {
    let held: ServerCall<HttpRequest> | undefined;
    let forwarded!: (target: string) => void;
    const arrivals: string[] = [];
    const arrived = (target: string) =>
      new Promise<void>((resolve) => {
        forwarded = (t) => {
          arrivals.push(t);
          if (t === target) resolve();
        };
      });
    const heldArrived = arrived('/held');
    const stub = await gateway((call) => {
      forwarded(call.head.target);
      if (call.head.target === '/held') held = call;
      else echoHandler(call);
    });
    const config = loadEdgeConfig({
      EDGE_PORT: '0',
      EDGE_GATEWAYS: stub.address,
      EDGE_ACCESS_LOG: 'false',
    });
    const server = buildEdge(config, { log });
    const port = await server.listen();
    await vi.waitFor(() => expect(server.state.ready).toBe(true));
    const socket = connect(port, '127.0.0.1', () => socket.write('GET /held HTTP/1.1\r\nHost: x\r\n\r\n'));
    let data = '';
    socket.on('data', (chunk) => (data += chunk.toString()));
    const closed = once(socket, 'close');
    await heldArrived;

    const stopped = server.shutdown();
    const afterArrived = arrived('/after');
    socket.write('GET /_edge/health HTTP/1.1\r\nHost: x\r\n\r\nGET /after HTTP/1.1\r\nHost: x\r\n\r\n');
    await afterArrived;
    held?.respond({ status: 200, reason: 'OK', headers: [{ name: 'Content-Length', value: '4' }] });
    held?.write(Buffer.from('held'));
    held?.end();
    await closed;
    await stopped;

    const [first, healthResponse, after] = data.split(/(?=HTTP\/1\.1 )/);
    expect(first).toMatch(/^HTTP\/1.1 200 OK\r\n[\s\S]*\r\n\r\nheld$/);
    expect(healthResponse).toMatch(/^HTTP\/1.1 503 /);
    expect(healthResponse).toContain('{"status":"draining"}');
    expect(after).toMatch(/^HTTP\/1.1 200 OK\r\n/);
    expect(after).toContain('Connection: close');
    expect(arrivals).toEqual(['/held', '/after']);
  });
});

describe('edge health', () => {
  it('should answer EDGE_HEALTH_PATH itself, without a gateway', async () => {
    const { handler } = await edgeOver(['127.0.0.1:1'], {}, { ready: false });
    const res = await inject(handler, { url: '/_edge/health' });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({ status: 'serving' });
  });

  it('should answer 503 while draining, and keep proxying other requests with Connection: close', async () => {
    const stub = await gateway(echoHandler);
    const built = await edgeOver([stub.address]);
    built.state.draining = true;
    const pipeline = built.handler;
    const health = await inject(pipeline, { url: '/_edge/health' });
    expect(health.statusCode).toBe(503);
    expect(health.headers['cache-control']).toBe('no-store');
    expect(health.json()).toEqual({ status: 'draining' });
    const proxied = await inject(pipeline, { url: '/still-served' });
    expect(proxied.statusCode).toBe(200);
    expect(proxied.headers['x-path']).toBe('/still-served');
    expect(proxied.headers['connection']).toBe('close');
  });
});
