import { readFileSync } from 'node:fs';
import { Agent, get } from 'node:http';
import { connect, type Socket } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startStack, type ServiceProcess, type Stack } from '@mono/testing';

const MiB = 1 << 20;
const IDLE = 9_000;
const SLOW = 1_000;
const HEADER_TIMEOUT_MS = 10_000;

let stack: Stack;
let services: ServiceProcess[];
let before: Record<string, number>;
let p99Before: number;
const idle: Socket[] = [];

beforeAll(async () => {
  const limit = Number(/^Max open files\s+\S+\s+(\d+)/m.exec(readFileSync('/proc/self/limits', 'utf8'))?.[1]);
  // Node raises its soft limit to the hard one; the test and the edge each hold one socket per client.
  expect(limit, 'raise the hard limit of open files (ulimit -Hn) to at least 12 000').toBeGreaterThanOrEqual(12_000);
  stack = await startStack({ edge: { EDGE_HEADER_TIMEOUT_MS: String(HEADER_TIMEOUT_MS) } });
  services = [stack.edge, stack.gateway, stack.framework];
  const seen = compactions(services);
  const statsBefore = await adminStats();
  await latencies(3_000); // warm up: V8 compiles, pools connect
  // In every edge process, as the clients below reach all of them: one never warmed would count its compiling then.
  await warmEveryEdgeProcess(3_000);
  // What the warm-up's requests left behind is given back once each service is idle (as after the clients, below).
  await compacted(services, seen, 20_000, busy(statsBefore, await adminStats())).catch(() => {});
  before = await settled(services);
  p99Before = quantile(await latencies(2_000), 0.99);
});
afterAll(async () => {
  for (const socket of idle) socket.destroy();
  await stack?.stop();
});

describe('many clients, bounded memory (real sockets, the three services as processes)', () => {
  it(`should hold ${IDLE} idle keep-alive connections in at most 80 MiB more, /hello's p99 unchanged`, async () => {
    const edgeSeen = compactions([stack.edge]);
    const statsBefore = await adminStats();
    for (let opened = 0; opened < IDLE; opened += 500) {
      const wave = await Promise.all(Array.from({ length: Math.min(500, IDLE - opened) }, () => idleClient()));
      idle.push(...wave);
    }
    const stats = await adminStats();
    expect(stats.connections.open).toBeGreaterThanOrEqual(IDLE);
    const peak = current(services);
    // The burst's garbage goes once the edge is idle (libs/runtime compactWhenIdle) — in each of its processes that
    // took clients; the connections stay.
    await compacted([stack.edge], edgeSeen, 30_000, busy(statsBefore, stats));
    const during = await settled(services);
    const p99 = quantile(await latencies(2_000), 0.99);
    const growth = (during['edge'] as number) - (before['edge'] as number);
    const perConnectionKiB = (growth * 1024) / IDLE / MiB;
    report('idle', { before, peak, during, perConnectionKiB, parked: stats.connections.parked, p99Before, p99 });
    expect(growth).toBeLessThanOrEqual(80 * MiB);
    expect(perConnectionKiB).toBeLessThanOrEqual(8);
    expect(p99).toBeLessThanOrEqual(1.5 * p99Before + 3);
  });

  it('should be back within 20 % of each service size 60 s after the clients left', async () => {
    for (const socket of idle.splice(0)) socket.destroy();
    await sleep(60_000); // the done-when's own measure: a minute after they left
    const after = current(services);
    report('left', { before, after });
    for (const service of services)
      expect(after[service.name], service.name).toBeLessThanOrEqual(1.2 * (before[service.name] as number));
  });

  it(`should answer /hello in under 100 ms while ${SLOW} connections send their headers slowly, each getting 408 at the timeout`, async () => {
    const started = performance.now();
    // They arrive over a second, 100 every 100 ms (this process also measures /hello, and must not stall itself).
    const opening = (async () => {
      const outcomes: Array<Promise<{ status: number; atMs: number }>> = [];
      for (let opened = 0; opened < SLOW; opened += 100) {
        if (opened > 0) await sleep(100);
        outcomes.push(...Array.from({ length: 100 }, () => slowClient()));
      }
      return Promise.all(outcomes);
    })();
    const samples: number[] = [];
    let done = false;
    const all = opening.finally(() => (done = true));
    while (!done) {
      samples.push(...(await latencies(1)));
      await sleep(50);
    }
    const results = await all;
    const at = results.map((result) => result.atMs);
    report('slow headers', {
      samples: samples.length,
      max: Math.max(...samples),
      p99: quantile(samples, 0.99),
      answers: results.filter((result) => result.status === 408).length,
      first408: Math.min(...at),
      last408: Math.max(...at),
    });
    expect(Math.max(...samples)).toBeLessThan(100);
    for (const { status, atMs } of results) {
      expect(status).toBe(408);
      // Node checks the header timeout once a second.
      expect(atMs).toBeGreaterThanOrEqual(HEADER_TIMEOUT_MS - 100);
      expect(atMs).toBeLessThan(HEADER_TIMEOUT_MS + 3_000);
    }
    expect(performance.now() - started).toBeLessThan(HEADER_TIMEOUT_MS + 6_000);
  });
});

/** A connection that sends one request, reads its answer and stays open, idle. */
function idleClient(): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const socket = connect(stack.edge.port, '127.0.0.1', () =>
      socket.write('GET /hello HTTP/1.1\r\nHost: localhost\r\n\r\n'),
    );
    let received = '';
    const onData = (chunk: Buffer) => {
      received += chunk.toString('latin1');
      if (!received.endsWith('Hello World!')) return;
      socket.off('data', onData);
      if (!received.startsWith('HTTP/1.1 200 ')) reject(new Error(received.split('\r\n')[0]));
      else resolve(socket);
    };
    socket.on('data', onData);
    socket.on('error', reject);
  });
}

/** A connection that sends its header section a field a second, never finishing it: the status it gets, and when. */
function slowClient(): Promise<{ status: number; atMs: number }> {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const socket = connect(stack.edge.port, '127.0.0.1', () =>
      socket.write('GET /slow HTTP/1.1\r\nHost: localhost\r\n'),
    );
    const drip = setInterval(() => socket.writable && socket.write('X-Slow: 1\r\n'), 1_000);
    let received = '';
    socket.on('data', (chunk: Buffer) => (received += chunk.toString('latin1')));
    socket.on('error', () => {});
    socket.on('close', () => {
      clearInterval(drip);
      const status = Number(/^HTTP\/1\.1 (\d{3}) /.exec(received)?.[1] ?? 0);
      if (status === 0) reject(new Error(`closed without an answer after ${performance.now() - started} ms`));
      resolve({ status, atMs: performance.now() - started });
    });
  });
}

const agent = new Agent({ keepAlive: true, maxSockets: 1 });

/** `n` GET /hello one after another over one keep-alive connection: each one's ms. */
async function latencies(n: number): Promise<number[]> {
  const out: number[] = [];
  for (let i = 0; i < n; i += 1) {
    const started = performance.now();
    await new Promise<void>((resolve, reject) => {
      get({ port: stack.edge.port, path: '/hello', agent }, (res) => {
        res.resume();
        res.on('end', resolve);
      }).on('error', reject);
    });
    out.push(performance.now() - started);
  }
  return out;
}

/** Requests over several keep-alive connections until every edge process served `min`; the connections then close. */
async function warmEveryEdgeProcess(min: number): Promise<void> {
  const spread = new Agent({ keepAlive: true, maxSockets: 16 });
  const one = () =>
    new Promise<void>((resolve, reject) => {
      get({ port: stack.edge.port, path: '/hello', agent: spread }, (res) => {
        res.resume();
        res.on('end', resolve);
      }).on('error', reject);
    });
  try {
    for (let round = 0; round < 100; round += 1) {
      const { workers } = await adminStats();
      if (workers.every((w) => (w.requests ?? 0) >= min)) return;
      await Promise.all(Array.from({ length: 500 }, one));
      // Fresh connections for the next round: the kernel gives each to whichever process accepts first.
      spread.destroy();
    }
    throw new Error(
      `an edge process served fewer than ${min} requests: ${JSON.stringify((await adminStats()).workers)}`,
    );
  } finally {
    spread.destroy();
  }
}

function quantile(samples: readonly number[], q: number): number {
  const sorted = [...samples].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? 0;
}

/** Each service's memory: the PSS of all its processes (the edge's workers, the framework's master and worker). */
function current(of: readonly ServiceProcess[]): Record<string, number> {
  return Object.fromEntries(of.map((service) => [service.name, service.pss()]));
}

/**
 * Each service's resident size once it stopped moving: three readings a second apart within 1 MiB (a service that
 * was busy compacts its heap after a few idle seconds: libs/runtime compactWhenIdle).
 */
async function settled(of: readonly ServiceProcess[]): Promise<Record<string, number>> {
  const readings: Array<Record<string, number>> = [];
  for (let i = 0; i < 60; i += 1) {
    readings.push(current(of));
    const last = readings.slice(-3);
    if (
      last.length === 3 &&
      of.every(
        (s) =>
          Math.max(...last.map((r) => r[s.name] as number)) - Math.min(...last.map((r) => r[s.name] as number)) < MiB,
      )
    )
      return readings.at(-1) as Record<string, number>;
    await sleep(1_000);
  }
  throw new Error(`memory did not settle within 60 s: ${JSON.stringify(readings.slice(-3))}`);
}

const COMPACTED = 'idle: heap compacted';

/** Each service's heap compactions so far (compacted() waits for one more). */
function compactions(of: readonly ServiceProcess[]): Array<Set<Record<string, unknown>>> {
  return of.map((service) => new Set(service.logs.filter((line) => line['msg'] === COMPACTED)));
}

/**
 * Resolves once each service logged a heap compaction that is not in `seen`; for the edge, once each of the processes
 * `edge` names did (0: the primary; a worker's lines name it, `worker`).
 */
async function compacted(
  of: readonly ServiceProcess[],
  seen: ReadonlyArray<ReadonlySet<Record<string, unknown>>>,
  timeoutMs: number,
  edge: ReadonlySet<number> = new Set([0]),
): Promise<void> {
  await Promise.all(
    of.map((service, i) => {
      const fresh = (line: Record<string, unknown>) => line['msg'] === COMPACTED && !seen[i]?.has(line);
      if (service.name !== 'edge') return service.waitForLog(fresh, timeoutMs);
      const done = () => new Set(service.logs.filter(fresh).map((line) => Number(line['worker'] ?? 0)));
      return service.waitForLog(() => [...edge].every((n) => done().has(n)), timeoutMs);
    }),
  );
}

interface EdgeStats {
  connections: { open: number; parked: number };
  workers: Array<{ worker: number; requests?: number }>;
}

async function adminStats(): Promise<EdgeStats> {
  const res = await fetch(`http://127.0.0.1:${stack.edge.adminPort}/stats`);
  return (await res.json()) as EdgeStats;
}

/** The edge processes (0: the primary, else a worker's number) that served requests between two `/stats`. */
function busy(before: EdgeStats, after: EdgeStats): Set<number> {
  const served = new Map(before.workers.map((w) => [w.worker, w.requests ?? 0]));
  return new Set(after.workers.filter((w) => (w.requests ?? 0) > (served.get(w.worker) ?? 0)).map((w) => w.worker));
}

function report(what: string, figures: Record<string, unknown>): void {
  const round = (value: unknown): unknown =>
    typeof value === 'number'
      ? Math.round(value > 4 * MiB ? (value / MiB) * 10 : value * 100) / (value > 4 * MiB ? 10 : 100)
      : value !== null && typeof value === 'object'
        ? Object.fromEntries(Object.entries(value).map(([k, v]) => [k, round(v)]))
        : value;
  console.info(`${what} (MiB, ms): ${JSON.stringify(round(figures))}`);
}
