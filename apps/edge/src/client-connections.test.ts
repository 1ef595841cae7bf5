import { once } from 'node:events';
import { createServer as createHttpServer } from 'node:http';
import { connect, createServer as createNetServer, type AddressInfo, type Socket } from 'node:net';
import { gatewayBoundary, type HttpRequest } from '@mono/contracts';
import { createLogger } from '@mono/telemetry';
import { echoHandler, startTestServer, type TestServer } from '@mono/transport/testing';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { buildEdge, type Edge } from './app';
import { ClientConnections, releaseFreeParsers } from './client-connections';
import { loadEdgeConfig } from './config';

let stub: TestServer;
const edges: Edge[] = [];
const sockets: Socket[] = [];
const fronts: Array<() => void> = [];

beforeAll(async () => {
  stub = await startTestServer<HttpRequest>(echoHandler, { boundary: gatewayBoundary });
});
afterEach(async () => {
  for (const socket of sockets.splice(0)) socket.destroy();
  for (const edge of edges.splice(0)) await edge.shutdown();
  for (const close of fronts.splice(0)) close();
});
afterAll(() => stub?.stop());

async function edgeWith(env: Record<string, string> = {}): Promise<{ edge: Edge; port: number }> {
  const config = loadEdgeConfig({ EDGE_PORT: '0', EDGE_GATEWAYS: stub.address, EDGE_ACCESS_LOG: 'false', ...env });
  const edge = buildEdge(config, { log: createLogger('edge', 'silent') });
  edges.push(edge);
  const port = await edge.listen();
  await vi.waitFor(() => expect(edge.state.ready).toBe(true));
  return { edge, port };
}

/** A connection that collects what it receives; `next(n)` resolves once `n` responses (by status line) arrived. */
async function client(port: number) {
  const socket = connect(port, '127.0.0.1');
  sockets.push(socket);
  await once(socket, 'connect');
  let received = '';
  const waiters: Array<[number, () => void]> = [];
  socket.on('data', (chunk: Buffer) => {
    received += chunk.toString('latin1');
    const count = received.split('HTTP/1.1 ').length - 1;
    for (const [n, wake] of waiters) if (count >= n) wake();
  });
  const closed = once(socket, 'close');
  return {
    socket,
    closed,
    get received() {
      return received;
    },
    responses: (n: number) =>
      new Promise<void>((resolve) => {
        waiters.push([n, resolve]);
        if (received.split('HTTP/1.1 ').length - 1 >= n) resolve();
      }),
  };
}

const get = (path: string) => `GET ${path} HTTP/1.1\r\nHost: localhost\r\n\r\n`;

describe('ClientConnections', () => {
  it('should park an idle keep-alive connection and serve its next request, pipelined ones included', async () => {
    const { edge, port } = await edgeWith();
    const c = await client(port);
    expect(edge.state.connections()).toMatchObject({ open: 1, parked: 1 });
    c.socket.write(get('/one'));
    await c.responses(1);
    await vi.waitFor(() => expect(edge.state.connections().parked).toBe(1), 5_000);
    c.socket.write(get('/two') + get('/three'));
    await c.responses(3);
    expect(c.received.match(/X-Path: \/\w+/g)).toEqual(['X-Path: /one', 'X-Path: /two', 'X-Path: /three']);
    await vi.waitFor(() => expect(edge.state.connections().parked).toBe(1), 5_000);
    c.socket.write('POST /four HTTP/1.1\r\nHost: localhost\r\nContent-Length: 5\r\n\r\nhello');
    await c.responses(4);
    expect(c.received).toMatch(/X-Path: \/four[^]*\r\n5\r\nhello\r\n0\r\n\r\n$/);
  });

  it("should empty Node's pool of free parsers when asked, closing each, and parse the next request with a new one", async () => {
    const { edge, port } = await edgeWith();
    const c = await client(port);
    c.socket.write(get('/one'));
    await c.responses(1);
    await vi.waitFor(() => expect(edge.state.connections().parked).toBe(1), 5_000);
    const pool = (process.getBuiltinModule('_http_common') as { parsers: { list: Array<{ close(): void }> } }).parsers
      .list;
    expect(pool.length, "the parked connection's parser went back to Node's pool").toBeGreaterThan(0);
    // Closed, not only dropped: a parser's native state lives until it is closed.
    const closes = pool.map((parser) => vi.spyOn(parser, 'close'));
    releaseFreeParsers();
    expect(pool).toHaveLength(0);
    for (const close of closes) expect(close).toHaveBeenCalledOnce();
    c.socket.write(get('/two'));
    await c.responses(2);
    expect(c.received.match(/X-Path: \/\w+/g)).toEqual(['X-Path: /one', 'X-Path: /two']);
  });

  it('should answer 408 to a connection that sends its header section too slowly, parked or not', async () => {
    const { edge, port } = await edgeWith({ EDGE_HEADER_TIMEOUT_MS: '1500' });
    const fresh = await client(port);
    fresh.socket.write('GET /slow HTTP/1.1\r\nHost: local');
    const used = await client(port);
    used.socket.write(get('/first'));
    await used.responses(1);
    await vi.waitFor(() => expect(edge.state.connections().parked).toBe(1), 5_000);
    used.socket.write('GET /second HTTP/1.1\r\nHo');
    const started = performance.now();
    await Promise.all([fresh.closed, used.closed]);
    expect(fresh.received).toMatch(/^HTTP\/1\.1 408 /);
    expect(used.received).toMatch(/HTTP\/1\.1 408 /);
    expect(performance.now() - started).toBeGreaterThan(1_000);
  });

  it('should close a connection that sends nothing within the header timeout', async () => {
    const { port } = await edgeWith({ EDGE_HEADER_TIMEOUT_MS: '500' });
    const silent = await client(port);
    await silent.closed;
    expect(silent.received).toBe('');
  });

  it('should close a parked keep-alive connection after the keep-alive timeout', async () => {
    const { edge, port } = await edgeWith({ EDGE_KEEPALIVE_TIMEOUT_MS: '1500' });
    const c = await client(port);
    c.socket.write(get('/once'));
    await c.responses(1);
    await vi.waitFor(() => expect(edge.state.connections().parked).toBe(1), 5_000);
    await c.closed;
    await vi.waitFor(() => expect(edge.state.connections().open).toBe(0));
  });

  it('should refuse connections past maxConnections at once, and keep serving the open ones', async () => {
    const { edge, port } = await edgeWith({ EDGE_MAX_CONNECTIONS: '3' });
    const open = await Promise.all([client(port), client(port), client(port)]);
    await vi.waitFor(() => expect(edge.state.connections().open).toBe(3));
    const refused = await client(port);
    await refused.closed;
    expect(refused.received).toBe('');
    for (const [i, c] of open.entries()) c.socket.write(get(`/still-${i}`));
    await Promise.all(open.map((c) => c.responses(1)));
    for (const c of open) expect(c.received).toMatch(/^HTTP\/1\.1 200 /);
  });

  it('should close parked connections at once when it drains, and let a busy one finish', async () => {
    const { edge, port } = await edgeWith();
    const idle = await client(port);
    const busy = await client(port);
    busy.socket.write('POST /up HTTP/1.1\r\nHost: localhost\r\nContent-Length: 4\r\n\r\nab');
    await vi.waitFor(() => expect(edge.state.connections().parked).toBe(1));
    const stopped = edge.shutdown();
    edges.splice(edges.indexOf(edge), 1);
    await idle.closed;
    busy.socket.write('cd');
    await Promise.all([busy.closed, stopped]);
    expect(busy.received).toMatch(/^HTTP\/1\.1 200 OK[^]*\r\n\r\n2\r\nab\r\n2\r\ncd\r\n0\r\n\r\n$/);
  });
});

/** ClientConnections in front of a plain Node server answering "ok", on a port of its own; closed after the test. */
async function front(options: { keepAliveTimeoutMs: number; parkAfterMs: number }) {
  const http = createHttpServer((_req, res) => res.end('ok'));
  const connections = new ClientConnections(http, { firstRequestTimeoutMs: 60_000, ...options });
  const listener = createNetServer((socket) => connections.accept(socket));
  listener.listen(0, '127.0.0.1');
  await once(listener, 'listening');
  fronts.push(() => {
    connections.closeAll();
    listener.close();
  });
  return { connections, port: (listener.address() as AddressInfo).port };
}

/** A connection that sends two requests, the second once the first is answered. */
async function twoRequests(port: number) {
  const c = await client(port);
  for (const n of [1, 2]) {
    c.socket.write(get('/'));
    await c.responses(n);
  }
  return c;
}

/** A connection taken back after its first response and handed its second: what each front's first ones do. */
async function rehearse(port: number): Promise<void> {
  const first = await twoRequests(port);
  first.socket.end();
  await first.closed;
}

describe('ClientConnections, parking', () => {
  it('should take back the first connections after their first response until one has been handed again', async () => {
    const { connections, port } = await front({ keepAliveTimeoutMs: 60_000, parkAfterMs: 60_000 });
    const first = await client(port);
    first.socket.write(get('/'));
    await first.responses(1);
    await vi.waitFor(() => expect(connections.parked).toBe(1), 5_000);
    first.socket.write(get('/'));
    await first.responses(2);
    expect(connections.hands, 'handed, taken back, handed again').toBe(2);
    // From now on a connection stays with Node's server until it is idle (60 s here): one hand for two requests.
    await twoRequests(port);
    expect(connections.hands).toBe(3);
    expect(connections.parked).toBe(0);
  });

  it('should give up rehearsing after 16 connections that never came back', async () => {
    const { connections, port } = await front({ keepAliveTimeoutMs: 60_000, parkAfterMs: 60_000 });
    for (let n = 1; n <= 16; n += 1) {
      const once = await client(port);
      once.socket.write(get('/'));
      await once.responses(1);
      await vi.waitFor(() => expect(connections.parked).toBe(n), 5_000);
    }
    // The seventeenth stays with Node's server: its second request needs no second hand.
    await twoRequests(port);
    expect(connections.hands).toBe(17);
    expect(connections.parked).toBe(16);
  });

  it('should never park a connection whose header section is still arriving', async () => {
    const { connections, port } = await front({ keepAliveTimeoutMs: 60_000, parkAfterMs: 50 });
    await rehearse(port);
    const slow = await client(port);
    slow.socket.write('GET /slow HTTP/1.1\r\nHost: localhost\r\n');
    // A witness that is parked, comes back and is parked again: several sweeps ran meanwhile.
    const witness = await client(port);
    for (const n of [1, 2]) {
      witness.socket.write(get('/'));
      await witness.responses(n);
      await vi.waitFor(() => expect(connections.parked).toBe(1), 5_000);
    }
    slow.socket.write('\r\n');
    await slow.responses(1);
    expect(slow.received).toMatch(/^HTTP\/1.1 200 /);
  });
});

describe('ClientConnections, draining', () => {
  it.each([
    ['parked', 50],
    ["idle in Node's server", 60_000],
  ])(
    'should close a connection %s with a FIN first, so that a request crossing the close meets no reset',
    async (_, parkAfterMs) => {
      const { connections, port } = await front({ keepAliveTimeoutMs: 60_000, parkAfterMs });
      await rehearse(port);
      const crossing = await client(port);
      crossing.socket.write(get('/'));
      await crossing.responses(1);
      if (parkAfterMs === 50) await vi.waitFor(() => expect(connections.parked).toBe(1), 5_000);
      else expect(connections.parked).toBe(0);
      const errors: Error[] = [];
      crossing.socket.on('error', (err) => errors.push(err));
      const ended = once(crossing.socket, 'end');
      // A request that reaches the edge's socket in the very turn it drains, before the edge read it: closing a socket
      // with unread bytes sends a reset, where the client would read its request's end as a failure, not as a close.
      crossing.socket.write(get('/late'));
      connections.closeIdle();
      await ended;
      crossing.socket.end();
      await crossing.closed;
      expect(errors).toEqual([]);
      await vi.waitFor(() => expect(connections.open).toBe(0));
      expect(crossing.received.split('HTTP/1.1 ').length - 1).toBe(1);
    },
  );
});

describe('ClientConnections under many clients', () => {
  it('should park a flood of new clients after their first response, but keep ones that come back until idle', async () => {
    const { connections, port } = await front({ keepAliveTimeoutMs: 120_000, parkAfterMs: 60_000 });
    await rehearse(port);
    const clients = await Promise.all(Array.from({ length: 600 }, () => client(port)));
    const wave = async (n: number) => {
      for (const c of clients) c.socket.write(get('/'));
      await Promise.all(clients.map((c) => c.responses(n)));
    };
    await wave(1);
    expect(connections.hands).toBe(602);
    // Past 512 at once, those were parked after their first response: each is handed once more.
    await wave(2);
    const handsAfterTwo = connections.hands;
    expect(handsAfterTwo).toBeGreaterThan(602);
    await wave(3);
    await wave(4);
    expect(connections.hands, 'connections that came back were parked and handed again').toBe(handsAfterTwo);
    expect(connections.parked).toBe(0);
  });
});
