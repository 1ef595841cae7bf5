import { once } from 'node:events';
import { createServer, type Server } from 'node:net';
import { gatewayBoundary, type HttpRequest } from '@mono/contracts';
import { createLogger } from '@mono/telemetry';
import { echoHandler, startTestServer, type TestServer } from '@mono/transport/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildEdge } from './app';
import { loadEdgeConfig } from './config';

let stub: TestServer;
beforeAll(async () => {
  stub = await startTestServer<HttpRequest>(echoHandler, { boundary: gatewayBoundary });
});
afterAll(() => stub?.stop());

async function listening(): Promise<Server> {
  const server = createServer();
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return server;
}

describe('buildEdge', () => {
  it('should close a handed listening socket its configuration does not listen on, and serve from the other', async () => {
    const [plain, https] = [await listening(), await listening()];
    const config = loadEdgeConfig({ EDGE_PORT: '0', EDGE_GATEWAYS: stub.address, EDGE_ACCESS_LOG: 'false' });
    const edge = buildEdge(config, { log: createLogger('edge', 'silent') });
    // A predecessor's HTTPS socket, handed to an edge whose configuration has no TLS any more.
    await edge.listen([plain, https]);
    expect(https.listening).toBe(false);
    expect(edge.listeners).toHaveLength(1);
    expect(edge.listeners[0]?.listening).toBe(true);
    await edge.shutdown();
  });
});
