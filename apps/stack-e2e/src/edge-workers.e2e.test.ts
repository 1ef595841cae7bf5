import { Agent, get as httpGet, type ClientRequest } from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import { send, startStack, type ServiceProcess, type Stack } from '@mono/testing';

let stack: Stack | undefined;
afterEach(async () => {
  await stack?.stop();
  stack = undefined;
});

interface Stats {
  requests: number;
  byStatus: Record<string, number>;
  pools: Record<string, { members: Array<{ requests: number }> }>;
  workers: Array<{ worker: number; pid: number; state: string; requests?: number; connections?: number }>;
  respawns: number;
}

async function stats(edge: ServiceProcess, adminPort = edge.adminPort): Promise<Stats> {
  const res = await send(`http://127.0.0.1:${adminPort}/stats`);
  return JSON.parse(res.body.toString()) as Stats;
}

/** Resolves with the pid of worker `n` once it logged that it serves (the `skip` first such lines skipped). */
async function serving(edge: ServiceProcess, n: number, skip = 0): Promise<number> {
  const lines = () => edge.logs.filter((line) => line['msg'] === 'edge worker serving' && line['worker'] === n);
  await edge.waitForLog(() => lines().length > skip, 10_000);
  return Number(lines()[skip]?.['pid']);
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** Polls the edge's /stats until `check` holds. */
async function statsUntil(
  edge: ServiceProcess,
  check: (stats: Stats) => boolean,
  timeoutMs = 5_000,
  adminPort = edge.adminPort,
): Promise<Stats> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const now = await stats(edge, adminPort).catch((err: Error) => err);
    if (!(now instanceof Error) && check(now)) return now;
    if (Date.now() > until)
      throw new Error(`/stats never matched: ${now instanceof Error ? now.message : JSON.stringify(now.workers)}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** The client connections process `n` holds, as /stats says. */
function connections(s: Stats, n: number): number {
  return s.workers[n]?.connections ?? 0;
}

/** A GET on `agent`'s connections: the status, once the body was read (an error after 5 s without one). */
function get(url: string, agent: Agent): Promise<number> {
  return new Promise((resolve, reject) =>
    httpGet(url, { agent, timeout: 5_000 }, (res) => {
      res.resume().on('end', () => resolve(res.statusCode ?? 0));
    })
      .on('timeout', function (this: ClientRequest) {
        this.destroy(new Error('no answer within 5 s'));
      })
      .on('error', reject),
  );
}

/** Resolves once `pid` has exited (a process this test did not start: /proc is all there is to watch). */
async function gone(pid: number, timeoutMs = 5_000): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (alive(pid)) {
    if (Date.now() > until) throw new Error(`process ${pid} still running after ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

describe('the edge as several processes (workers)', () => {
  it('should serve from the same listening socket in its worker, and count every process in /stats and /metrics', async () => {
    stack = await startStack({ edge: { EDGE_WORKERS: '2' } });
    const edge = stack.edge;
    const worker = await serving(edge, 1);
    expect(edge.pids()).toEqual(expect.arrayContaining([edge.pid, worker]));
    // With the primary stopped, only the worker can accept: every new connection is answered all the same.
    edge.signal('SIGSTOP');
    try {
      for (let i = 0; i < 5; i++) expect((await send(`${stack.url}/hello`)).status).toBe(200);
    } finally {
      edge.signal('SIGCONT');
    }
    for (let i = 0; i < 5; i++) expect((await send(`${stack.url}/hello`)).status).toBe(200);
    const after = await stats(edge);
    expect(after.workers.map((w) => [w.worker, w.state])).toEqual([
      [0, 'serving'],
      [1, 'serving'],
    ]);
    expect(after.workers[1]?.requests).toBeGreaterThanOrEqual(5);
    expect(after.requests).toBe(after.workers.reduce((sum, w) => sum + (w.requests ?? 0), 0));
    expect(after.byStatus['200']).toBe(after.requests);
    expect(after.requests).toBeGreaterThanOrEqual(10);
    expect(after.pools['gateways']?.members[0]?.requests).toBe(after.requests);
    const metrics = (await send(`http://127.0.0.1:${edge.adminPort}/metrics`)).body.toString();
    const counts = metrics
      .split('\n')
      .filter((line) => line.startsWith('http_server_request_duration_count{'))
      .reduce((sum, line) => sum + Number(line.slice(line.lastIndexOf(' ') + 1)), 0);
    expect(counts).toBe(after.requests);
  });

  it('should say it is ready only once every process accepts: keep-alive clients connecting then are spread over them', async () => {
    stack = await startStack({ edge: { EDGE_WORKERS: '2' } });
    const edge = stack.edge;
    // startStack returned on 'stack ready'; the primary logs a worker's start as the worker tells it.
    const at = (msg: string) => edge.logs.findIndex((line) => line['msg'] === msg);
    expect(at('edge worker serving')).toBeGreaterThanOrEqual(0);
    expect(at('edge worker serving')).toBeLessThan(at('stack ready'));
    // 40 keep-alive connections at once, each kept open after its request (a client opening its pool).
    const agent = new Agent({ keepAlive: true, maxSockets: 40 });
    try {
      const statuses = await Promise.all(Array.from({ length: 40 }, () => get(`${stack?.url}/hello`, agent)));
      expect(statuses).toEqual(Array(40).fill(200));
      const held = await statsUntil(edge, (s) => connections(s, 0) + connections(s, 1) === 40);
      expect(connections(held, 0)).toBeGreaterThanOrEqual(10);
      expect(connections(held, 1)).toBeGreaterThanOrEqual(10);
    } finally {
      agent.destroy();
    }
  });

  it('should take over on SIGHUP once its own workers can accept: clients that reconnect then are spread over them', async () => {
    stack = await startStack({ edge: { EDGE_WORKERS: '2' } });
    const edge = stack.edge;
    await serving(edge, 1);
    // 40 clients, each sending one request after another on its keep-alive connection: when the old edge drains it
    // closes them, and the clients connect again, to whichever new process accepts.
    const agent = new Agent({ keepAlive: true, maxSockets: 40 });
    let loading = true;
    const url = `${stack.url}/hello`;
    const clients = Array.from({ length: 40 }, async () => {
      while (loading) await get(url, agent).catch(() => 0);
    });
    let successor: number | undefined;
    try {
      edge.signal('SIGHUP');
      successor = Number((await edge.waitForLog((line) => line['msg'] === 'edge handed over', 20_000))['successor']);
      expect(await edge.exited).toBe(0);
      // Its admin listener, on a port of its own (the test's edge asks for a free one).
      const admin = edge.logs.filter((line) => line['msg'] === 'edge admin listening').at(-1)?.['address'];
      const held = await statsUntil(
        edge,
        (s) => s.workers[0]?.pid === successor && connections(s, 0) + connections(s, 1) === 40,
        10_000,
        Number(String(admin).split(':').at(-1)),
      );
      expect(connections(held, 0)).toBeGreaterThanOrEqual(10);
      expect(connections(held, 1)).toBeGreaterThanOrEqual(10);
    } finally {
      loading = false;
      await Promise.all(clients);
      agent.destroy();
      if (successor !== undefined) {
        process.kill(successor, 'SIGTERM');
        await gone(successor, 10_000);
      }
    }
  });

  it('should pass new connections to the process holding fewer: a burst the primary alone accepts is served by both', async () => {
    stack = await startStack({ edge: { EDGE_WORKERS: '2' } });
    const edge = stack.edge;
    const worker = await serving(edge, 1);
    // The primary has heard how many connections the worker holds.
    const before = await statsUntil(edge, (s) => s.workers[1]?.connections !== undefined);
    const served = (s: Stats, n: number) => (s.workers[n]?.requests ?? 0) - (before.workers[n]?.requests ?? 0);
    process.kill(worker, 'SIGSTOP');
    let answers: Promise<Array<{ status: number }>>;
    try {
      // 40 connections at once, one request each, while only the primary can accept.
      answers = Promise.all(Array.from({ length: 40 }, () => send(`${stack?.url}/hello`)));
      await statsUntil(edge, (s) => served(s, 0) >= 15);
    } finally {
      process.kill(worker, 'SIGCONT');
    }
    expect((await answers).map((r) => r.status)).toEqual(Array(40).fill(200));
    const after = await statsUntil(edge, (s) => served(s, 0) + served(s, 1) === 40);
    // Each connection holds a request: the worker was passed about half of them, and served them once it ran again.
    expect(served(after, 1)).toBeGreaterThanOrEqual(15);
    expect(served(after, 0)).toBeGreaterThanOrEqual(15);
  });

  it('should serve the connections it passed to a worker that died before they were sent', async () => {
    stack = await startStack({ edge: { EDGE_WORKERS: '2' } });
    const edge = stack.edge;
    const worker = await serving(edge, 1);
    const before = await statsUntil(edge, (s) => s.workers[1]?.connections !== undefined);
    process.kill(worker, 'SIGSTOP');
    // Node sends one descriptor at a time: the first waits for the stopped worker's acknowledgement, the rest queue.
    const answers = Array.from({ length: 40 }, () =>
      send(`${stack?.url}/hello`, { abortAfterMs: 10_000 }).then(
        (res) => res.status,
        () => 'lost',
      ),
    );
    await statsUntil(edge, (s) => (s.workers[0]?.requests ?? 0) - (before.workers[0]?.requests ?? 0) >= 15);
    process.kill(worker, 'SIGKILL');
    const statuses = await Promise.all(answers);
    // At most the one being sent when the worker died is lost with it, as any connection of a worker that dies.
    expect(statuses.filter((status) => status === 200).length).toBeGreaterThanOrEqual(39);
    expect(statuses.filter((status) => status !== 200 && status !== 'lost')).toEqual([]);
  });

  it('should start a worker that died again, while the others answer', async () => {
    stack = await startStack({ edge: { EDGE_WORKERS: '2' } });
    const edge = stack.edge;
    const first = await serving(edge, 1);
    process.kill(first, 'SIGKILL');
    await edge.waitForLog((line) => line['msg'] === 'edge worker exited; starting it again', 5_000);
    expect((await send(`${stack.url}/hello`)).status).toBe(200);
    const second = await serving(edge, 1, 1);
    expect(second).not.toBe(first);
    expect(alive(second)).toBe(true);
    const after = await stats(edge);
    expect(after.respawns).toBe(1);
    expect(after.workers.find((w) => w.worker === 1)?.pid).toBe(second);
  });

  it('should take its workers with it on SIGTERM, and leave none behind when it is killed', async () => {
    stack = await startStack({ edge: { EDGE_WORKERS: '3' } });
    const edge = stack.edge;
    const workers = [await serving(edge, 1), await serving(edge, 2)];
    edge.signal('SIGTERM');
    expect(await edge.exited).toBe(0);
    for (const pid of workers) expect(alive(pid), `worker ${pid}`).toBe(false);
    await stack.stop();

    stack = await startStack({ edge: { EDGE_WORKERS: '2' } });
    const orphan = await serving(stack.edge, 1);
    stack.edge.signal('SIGKILL');
    await stack.edge.exited;
    // Its IPC channel closed: the worker drains and exits by itself.
    await gone(orphan);
  });
});
