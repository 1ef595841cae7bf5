import { readdirSync, readFileSync } from 'node:fs';
import { get } from 'node:http';
import { availableParallelism } from 'node:os';
import { connect, createServer, type Server, type Socket } from 'node:net';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { send, startStack, type ServiceProcess, type Stack } from '@mono/testing';

/**
 * Within this of SIGTERM/SIGINT an idle service has exited and closed its port: the 2 s in which `nx serve` must
 * stop, less what Nx needs to reap each task's process tree after it. Flushing spans to a collector that never
 * answers takes 500 ms of it (shutdownTelemetry's cap).
 */
const IDLE_EXIT_MS = 1_500;

/** A trace collector that accepts connections and never answers: the worst case for flushing spans at exit. */
let silentCollector: Server;
const held = new Set<Socket>();

beforeAll(async () => {
  silentCollector = createServer((socket) => {
    held.add(socket);
    socket.on('close', () => held.delete(socket));
  });
  await new Promise<void>((resolve) => silentCollector.listen(0, '127.0.0.1', resolve));
});
afterAll(() => {
  for (const socket of held) socket.destroy();
  silentCollector?.close();
});

let stack: Stack | undefined;
afterEach(async () => {
  await stack?.stop();
  stack = undefined;
});

/** Processes whose parent is `pid`, from /proc. */
function childrenOf(pid: number): number[] {
  const children: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      if (Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]) === pid) children.push(Number(entry));
    } catch {
      // gone meanwhile
    }
  }
  return children;
}

function refused(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      resolve(false);
    });
    socket.once('error', () => resolve(true));
  });
}

/** Signals a service and resolves with its exit code and the ms it took to exit. */
async function stopTimed(
  service: ServiceProcess,
  signal: NodeJS.Signals,
): Promise<{ code: number | null; ms: number }> {
  const started = performance.now();
  service.signal(signal);
  const code = await service.exited;
  return { code, ms: performance.now() - started };
}

describe('stopping a service', () => {
  it('should start each service as one process, the framework as a master and its worker, the edge as its workers (one per CPU), with no other child a process-tree kill would wait for', async () => {
    stack = await startStack();
    const edge = stack.edge;
    const count = availableParallelism();
    await edge.waitForLog(() => edge.logs.filter((line) => line['msg'] === 'edge worker serving').length === count - 1);
    const edgeWorkers = edge.logs.filter((line) => line['msg'] === 'edge worker serving').map((line) => line['pid']);
    expect(childrenOf(edge.pid).sort(), 'the edge').toEqual(edgeWorkers.sort());
    for (const pid of edgeWorkers) expect(childrenOf(pid as number), 'an edge worker').toEqual([]);
    expect(childrenOf(stack.gateway.pid), 'the gateway').toEqual([]);
    const workers = childrenOf(stack.framework.pid);
    expect(workers, 'the framework master').toHaveLength(1);
    const listening = stack.framework.logs.find((line) => line['msg'] === 'framework listening');
    expect(workers).toEqual([listening?.['pid']]);
    expect(childrenOf(workers[0] as number), "the framework's worker").toEqual([]);
  });

  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    it(`should exit 0 within ${IDLE_EXIT_MS} ms of ${signal} with nothing in flight, its port closed, even with a collector that never answers`, async () => {
      stack = await startStack({
        common: {
          OTEL_TRACES_EXPORTER: 'otlp',
          OTEL_EXPORTER_OTLP_ENDPOINT: `http://127.0.0.1:${(silentCollector.address() as { port: number }).port}`,
          OTEL_BSP_SCHEDULE_DELAY: '1',
        },
      });
      // Spans to flush: every service recorded some, and their export hangs on the silent collector.
      expect((await send(`${stack.url}/hello`)).status).toBe(200);
      const services = [stack.edge, stack.gateway, stack.framework];
      const stops = await Promise.all(services.map((service) => stopTimed(service, signal)));
      for (const [i, service] of services.entries()) {
        const { code, ms } = stops[i] as { code: number | null; ms: number };
        expect(code, service.name).toBe(0);
        expect(ms, service.name).toBeLessThan(IDLE_EXIT_MS);
        expect(await refused(service.port), `${service.name}'s port ${service.port}`).toBe(true);
      }
    });
  }

  it('should let a request in flight finish, then exit without waiting for the client to close its connection', async () => {
    stack = await startStack();
    const services = [stack.edge, stack.gateway, stack.framework];
    // Over a keep-alive connection (the global agent's), which the client keeps open after the response.
    const request = openStream(`${stack.url}/stream?n=2&ms=1000`);
    // The first chunk has reached the client: the request is in flight in every service.
    await request.firstChunk;
    for (const service of services) service.signal('SIGTERM');
    const exits = services.map((service) => service.exited.then((code) => ({ code, at: performance.now() })));
    // Every byte arrives: no service stopped before its part of the response was done, and each then exits cleanly.
    const response = await request.done;
    expect(response).toEqual({ status: 200, body: 'chunk 1 of 2\nchunk 2 of 2\n', endedAt: expect.any(Number) });
    for (const [i, exit] of (await Promise.all(exits)).entries()) {
      expect(exit.code, services[i]?.name).toBe(0);
      expect(exit.at - response.endedAt, services[i]?.name).toBeLessThan(IDLE_EXIT_MS);
    }
  });
});

interface Streamed {
  status: number;
  body: string;
  /** performance.now() when the body ended. */
  endedAt: number;
}

/** A GET whose body is read as it arrives: resolves `firstChunk` on the first byte, `done` at the end. */
function openStream(url: string): { firstChunk: Promise<void>; done: Promise<Streamed> } {
  let arrived: () => void = () => {};
  const firstChunk = new Promise<void>((resolve) => (arrived = resolve));
  const done = new Promise<Streamed>((resolve, reject) => {
    get(url, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => {
        body += chunk;
        arrived();
      });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body, endedAt: performance.now() }));
      res.on('error', reject);
    }).on('error', reject);
  });
  return { firstChunk, done };
}
