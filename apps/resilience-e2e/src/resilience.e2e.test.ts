import { join } from 'node:path';
import { checkHealth } from '@mono/transport';
import {
  freePort,
  ROOT,
  send,
  startLoad,
  startService,
  vegetaPath,
  type Exchange,
  type LoadResult,
  type ServiceName,
  type ServiceProcess,
} from '@mono/testing';
import { afterEach, describe, expect, it, vi } from 'vitest';

const CONFIG = join(ROOT, 'infra', 'config');
const COUNTING_APP = join(__dirname, 'fixtures', 'counting-app.cjs');
const MiB = 1024 * 1024;

const running: ServiceProcess[] = [];
afterEach(async () => {
  await Promise.all(running.splice(0).map((service) => service.stop()));
});

async function start(name: ServiceName, env: Record<string, string> = {}): Promise<ServiceProcess> {
  const prefix = name.toUpperCase();
  const service = await startService(name, {
    OTEL_TRACES_EXPORTER: 'none',
    [`${prefix}_CONFIG`]: join(CONFIG, `${name}.yaml`),
    [`${prefix}_PORT`]: '0',
    [`${prefix}_ADMIN`]: '127.0.0.1:0',
    ...env,
  });
  running.push(service);
  return service;
}

const address = (service: ServiceProcess) => `127.0.0.1:${service.port}`;

/** An edge in front of `gateways`, once the stack behind it served. */
async function edgeOver(gateways: ServiceProcess[], env: Record<string, string> = {}): Promise<ServiceProcess> {
  const edge = await start('edge', { EDGE_GATEWAYS: gateways.map(address).join(','), ...env });
  await edge.waitForLog((line) => line['msg'] === 'stack ready', 10_000);
  return edge;
}

async function admin(service: ServiceProcess, path: string): Promise<Response> {
  return fetch(`http://127.0.0.1:${service.adminPort}${path}`);
}

async function stats(service: ServiceProcess): Promise<Record<string, unknown>> {
  return (await (await admin(service, '/stats')).json()) as Record<string, unknown>;
}

interface Member {
  address: string;
  state: string;
  requests: number;
}

async function members(service: ServiceProcess, pool: string): Promise<Member[]> {
  const pools = (await stats(service))['pools'] as Record<string, { members: Member[] }>;
  return pools[pool]?.members ?? [];
}

/** Waits until every process of `edge` (its primary and workers) logged that `member` serves, since `since` (a log index). */
async function servingInEveryProcess(edge: ServiceProcess, member: string, since: number): Promise<void> {
  const processes = ((await stats(edge))['workers'] as unknown[]).length;
  await vi.waitFor(
    () => {
      const heard = edge.logs
        .slice(since)
        .filter((line) => line['msg'] === 'gateway serving' && line['address'] === member)
        .map((line) => line['worker'] ?? 0);
      expect(new Set(heard).size).toBe(processes);
    },
    { timeout: 5_000, interval: 20 },
  );
}

/** Runs `action` `afterMs` into a load, on the load's clock (a schedule, not a wait for something to happen). */
function after(afterMs: number, action: () => Promise<unknown>): Promise<unknown> {
  return new Promise((resolve, reject) => setTimeout(() => action().then(resolve, reject), afterMs));
}

/**
 * What a failed load saw, and what the services said of it: the edge's access lines of failed requests (with their
 * error codes) and every service's warnings and errors, so that a rare failure explains itself.
 */
function describeFailures(result: LoadResult): string {
  const said = running.flatMap((service) =>
    service.logs
      .filter(
        (line) =>
          line['level'] === 'warn' ||
          line['level'] === 'error' ||
          (line['msg'] === 'access' && Number(line['status']) >= 500),
      )
      .slice(0, 10)
      .map((line) => ({ from: `${service.name} ${service.pid}`, ...line })),
  );
  return JSON.stringify(
    { byStatus: result.byStatus, errors: result.errors, first: result.failures.slice(0, 5), said },
    null,
    1,
  );
}

const withVegeta = vegetaPath() === undefined ? describe.skip : describe;
if (vegetaPath() === undefined) {
  console.warn('resilience-e2e: SKIPPED the suites under load: vegeta is not built (bash tools/load/ensure-vegeta.sh)');
}

withVegeta('under load from a real load generator (vegeta, ~200 req/s)', () => {
  it('should fail no request when one of two gateways is killed, take it out and not try it again for 10 s', async () => {
    const framework = await start('framework');
    const gateways = [
      await start('gateway', { GATEWAY_FRAMEWORK: address(framework) }),
      await start('gateway', { GATEWAY_FRAMEWORK: address(framework) }),
    ];
    const edge = await edgeOver(gateways);
    const [doomed] = gateways as [ServiceProcess, ServiceProcess];
    const load = startLoad({ url: `http://127.0.0.1:${edge.port}/hello`, rate: 200, durationMs: 10_000 });
    let requestsAfterEjection = 0;
    // Slow requests spread over both gateways, so that the kill breaks at least one running request (a GET, which
    // the edge may send again): the retry below is then certain, not a matter of timing.
    let slow: Promise<Exchange[]> | undefined;
    await after(3_000, async () => {
      const answers = Array.from({ length: 4 }, () => send(`http://127.0.0.1:${edge.port}/slow?ms=1500`));
      // The balancer spreads them over both gateways: what runs on the doomed one is one of them (a /hello lasts ~1 ms).
      await vi.waitFor(async () => expect((await stats(doomed))['inFlight']).toBeGreaterThan(0), {
        timeout: 1_000,
        interval: 20,
      });
      doomed.signal('SIGKILL');
      slow = Promise.all(answers);
    });
    // Synchronised on the ejection itself (as /stats shows it), not on a guess of how long it takes.
    await vi.waitFor(
      async () => {
        const member = (await members(edge, 'gateways')).find((m) => m.address === address(doomed));
        expect(member?.state).toBe('ejected');
        requestsAfterEjection = member?.requests ?? -1;
      },
      { timeout: 3_000, interval: 50 },
    );
    const result = await load.done;
    expect(result.failed, describeFailures(result)).toBe(0);
    expect(result.total).toBeGreaterThanOrEqual(1_900);
    expect((await slow)?.map((answer) => answer.status)).toEqual([200, 200, 200, 200]);
    const final = await stats(edge);
    expect(final['ejections']).toBeGreaterThanOrEqual(1);
    expect(final['retries']).toBeGreaterThanOrEqual(1);
    const member = (await members(edge, 'gateways')).find((m) => m.address === address(doomed));
    expect(member?.requests, 'the dead gateway was tried again within its 10 s').toBe(requestsAfterEjection);
  });

  it('should fail no request when one of two frameworks gets SIGTERM, whose health says NOT_SERVING before it closes', async () => {
    const frameworks = [await start('framework'), await start('framework')];
    const gateway = await start('gateway', { GATEWAY_FRAMEWORK: frameworks.map(address).join(',') });
    await gateway.waitForLog((line) => line['msg'] === 'gateway serving', 10_000);
    const edge = await edgeOver([gateway]);
    const [leaving] = frameworks as [ServiceProcess, ServiceProcess];
    const load = startLoad({ url: `http://127.0.0.1:${edge.port}/hello`, rate: 200, durationMs: 8_000 });
    await after(2_000, async () => leaving.signal('SIGTERM'));
    const notServing = await gateway.waitForLog(
      (line) => line['event'] === 'not serving' && line['address'] === address(leaving),
      5_000,
    );
    const notServingAt = Date.parse(String(notServing['time']));
    await leaving.exited;
    const exitedAt = Date.now();
    const result = await load.done;
    expect(result.failed, describeFailures(result)).toBe(0);
    expect(notServingAt).toBeLessThan(exitedAt);
    await expect(checkHealth(address(leaving), { timeoutMs: 500 })).rejects.toThrow();
  });

  it('should fail no request through a rolling restart of both gateways', async () => {
    const framework = await start('framework');
    const ports = [await freePort(), await freePort()];
    const gatewayEnv = (port: number) => ({ GATEWAY_FRAMEWORK: address(framework), GATEWAY_PORT: String(port) });
    const gateways = [
      await start('gateway', gatewayEnv(ports[0] as number)),
      await start('gateway', gatewayEnv(ports[1] as number)),
    ];
    const edge = await edgeOver(gateways);
    const load = startLoad({ url: `http://127.0.0.1:${edge.port}/hello`, rate: 200, durationMs: 14_000 });
    await after(1_000, async () => {
      for (const [i, old] of gateways.entries()) {
        const since = edge.logs.length;
        old.signal('SIGTERM');
        await old.exited;
        const fresh = await start('gateway', gatewayEnv(ports[i] as number));
        await fresh.waitForLog((line) => line['msg'] === 'gateway serving', 10_000);
        // The edge uses it again once its health Watch says SERVING, in each of its processes (each watches every
        // gateway itself): then the next one may go.
        await servingInEveryProcess(edge, address(fresh), since);
      }
    });
    const result = await load.done;
    expect(result.failed, describeFailures(result)).toBe(0);
  });

  it('should answer every accepted request while the edge restarts (SIGHUP: a new edge takes the socket)', async () => {
    const framework = await start('framework');
    const gateway = await start('gateway', { GATEWAY_FRAMEWORK: address(framework) });
    const edge = await edgeOver([gateway]);
    const load = startLoad({ url: `http://127.0.0.1:${edge.port}/hello`, rate: 200, durationMs: 8_000 });
    await after(2_000, async () => edge.signal('SIGHUP'));
    const handedOver = await edge.waitForLog((line) => line['msg'] === 'edge handed over', 10_000);
    const successor = Number(handedOver['successor']);
    try {
      expect(await edge.exited).toBe(0);
      const result = await load.done;
      expect(result.failed, describeFailures(result)).toBe(0);
      expect((await send(`http://127.0.0.1:${edge.port}/hello`)).status).toBe(200);
    } finally {
      process.kill(successor, 'SIGTERM');
    }
  });
});

describe('retries that never run a request twice', () => {
  it('should answer 502 to a bodyless POST whose gateway died after receiving it, and run it once', async () => {
    const framework = await start('framework', { FRAMEWORK_APP: COUNTING_APP });
    const gateways = [
      await start('gateway', { GATEWAY_FRAMEWORK: address(framework) }),
      await start('gateway', { GATEWAY_FRAMEWORK: address(framework) }),
    ];
    const edge = await edgeOver(gateways);
    const post = send(`http://127.0.0.1:${edge.port}/work?ms=10000`, { method: 'POST' });
    await framework.waitForLog((line) => line['msg'] === 'work started', 5_000);
    // The gateway the request went through, as its own counters say: which one an edge picks first depends on
    // which gateway's health it heard of first.
    const inFlight = await Promise.all(gateways.map(async (gateway) => (await stats(gateway))['inFlight']));
    expect(inFlight.toSorted()).toEqual([0, 1]);
    gateways[inFlight.indexOf(1)]?.signal('SIGKILL');
    const response = await post;
    expect(response.status).toBe(502);
    const count = await send(`http://127.0.0.1:${edge.port}/count`);
    expect(JSON.parse(count.body.toString())).toEqual({ runs: 1 });
  });
});

describe('overload', () => {
  it('should refuse the excess over a mount of 2 in flight and 2 queued at once, in bounded memory', async () => {
    const framework = await start('framework');
    const gateway = await start('gateway', {
      GATEWAY_FRAMEWORK: address(framework),
      GATEWAY_MAX_CONCURRENCY: '2',
      GATEWAY_MAX_QUEUE: '2',
    });
    const edge = await edgeOver([gateway]);
    const burst = () =>
      Promise.all(
        Array.from({ length: 50 }, async () => {
          const started = performance.now();
          const res = await send(`http://127.0.0.1:${edge.port}/slow?ms=2000`);
          return { status: res.status, retryAfter: res.headers['retry-after'], ms: performance.now() - started };
        }),
      );
    // Once to warm up: a fresh process's first burst also pays for compiling its refusal path (~70 ms here).
    await burst();
    const before = gateway.rss();
    const outcomes = await burst();
    const shown = JSON.stringify(outcomes.map((o) => [o.status, Math.round(o.ms)]));
    // "At once": well before the 1 s a queued request waits for a slot, let alone the 2 s one in flight takes. The
    // refusals take ~30-80 ms here, seen by the client (50 new connections in this test's own busy process) and by
    // the edge's access log (arrival to answer); a fixed few tens of ms failed on a slow host.
    const atOnceMs = 250;
    const refused = outcomes.filter((o) => o.status === 503 && o.ms < atOnceMs);
    expect(refused.length, shown).toBe(46);
    for (const outcome of refused) expect(outcome.retryAfter).toBe('1');
    const answered = edge.logs.filter(
      (l) => l['msg'] === 'access' && l['status'] === 503 && l['error'] === 'GW_ERR_OVERLOADED',
    );
    expect(
      answered.slice(-46).every((l) => Number(l['durationMs']) < atOnceMs),
      shown,
    ).toBe(true);
    expect(outcomes.filter((o) => o.status === 200)).toHaveLength(2);
    // The two queued waited their 1 s for a slot and were refused then.
    expect(outcomes.filter((o) => o.status === 503 && o.ms >= 900 && o.ms < 1_900)).toHaveLength(2);
    expect(gateway.rss() - before).toBeLessThan(20 * MiB);
  });
});

describe('timeouts that let streams live', () => {
  it('should answer 504 within 1.2 s under a 1 s head limit, and the framework should log the abort', async () => {
    const framework = await start('framework');
    // The framework gets what is left of the edge's 1 s less the gateway's margin, and its 504 must then cross two
    // hops before the edge's own timer (the limit plus 50 ms). The default margin (50 ms) leaves that ~100 ms, which
    // a CI machine running other suites on its two cores overran once in ~14 runs; 300 ms leaves ~350 ms, and the
    // gateway waits 250 ms past the framework's limit before it answers for itself.
    const gateway = await start('gateway', {
      GATEWAY_FRAMEWORK: address(framework),
      GATEWAY_DEADLINE_MARGIN_MS: '300',
    });
    const edge = await edgeOver([gateway], { EDGE_UPSTREAM_HEAD_TIMEOUT_MS: '1000' });
    const started = performance.now();
    const res = await send(`http://127.0.0.1:${edge.port}/slow?ms=10000`);
    const ms = performance.now() - started;
    // Not before the framework's deadline (1 000 − 300 ms from the gateway's receipt), and well before the slow 10 s.
    expect(ms).toBeGreaterThan(650);
    expect(ms).toBeLessThan(1_200);
    expect(res.status).toBe(504);
    expect(JSON.parse(res.body.toString())).toMatchObject({ code: 'FW_ERR_DEADLINE_EXCEEDED' });
    const requestId = res.headers['x-request-id'];
    const aborted = await framework.waitForLog((line) => line['msg'] === 'request aborted', 2_000);
    expect(aborted).toMatchObject({ requestId, reason: 'FW_ERR_DEADLINE_EXCEEDED' });
  });

  it("should give the framework's 504 that came in time, not its own, when the edge was held up past its timer", async () => {
    const framework = await start('framework', { FRAMEWORK_APP: COUNTING_APP });
    // As above: with the default margin the gateway waits only 50 ms past the framework's limit for its 504, which a
    // CI machine running other suites overran (the gateway's own 504 reached the edge instead, once in seven runs);
    // what this test holds is the edge's choice between an arrived 504 and its own overdue timer.
    const gateway = await start('gateway', {
      GATEWAY_FRAMEWORK: address(framework),
      GATEWAY_DEADLINE_MARGIN_MS: '300',
    });
    const edge = await edgeOver([gateway], { EDGE_UPSTREAM_HEAD_TIMEOUT_MS: '1000' });
    const started = performance.now();
    const post = send(`http://127.0.0.1:${edge.port}/work?ms=10000`, { method: 'POST' });
    await framework.waitForLog((line) => line['msg'] === 'work started', 5_000);
    // Every edge process stops (as a long collection would stop one) while the framework's deadline fires and the
    // gateway passes its 504 on; they go on once the edge's own timer (the limit plus 50 ms) is overdue.
    const edgeProcesses = edge.pids();
    for (const pid of edgeProcesses) process.kill(pid, 'SIGSTOP');
    try {
      await framework.waitForLog((line) => line['msg'] === 'request aborted', 3_000);
      await vi.waitFor(async () => expect((await stats(gateway))['inFlight']).toBe(0), { timeout: 2_000 });
      await new Promise((resolve) => setTimeout(resolve, Math.max(0, started + 1_300 - performance.now())));
    } finally {
      for (const pid of edgeProcesses) process.kill(pid, 'SIGCONT');
    }
    const res = await post;
    expect(res.status).toBe(504);
    expect(JSON.parse(res.body.toString())).toMatchObject({ code: 'FW_ERR_DEADLINE_EXCEEDED' });
  });

  it('should complete /stream?n=70&ms=1000 (70 s, a chunk a second) with default settings', async () => {
    const framework = await start('framework');
    const gateway = await start('gateway', { GATEWAY_FRAMEWORK: address(framework) });
    const edge = await edgeOver([gateway]);
    const res = await send(`http://127.0.0.1:${edge.port}/stream?n=70&ms=1000`);
    expect(res.status).toBe(200);
    expect(res.body.toString().trim().split('\n')).toHaveLength(70);
  }, 90_000);

  it('should abort the handler within 100 ms of the client leaving, and log 499', async () => {
    const framework = await start('framework');
    const gateway = await start('gateway', { GATEWAY_FRAMEWORK: address(framework) });
    const edge = await edgeOver([gateway]);
    await expect(send(`http://127.0.0.1:${edge.port}/slow?ms=10000`, { abortAfterMs: 300 })).rejects.toThrow();
    const pattern = /^slow request cancelled after (\d+) ms of 10000$/;
    const cancelled = await framework.waitForLog((line) => pattern.test(String(line['msg'])), 2_000);
    const waited = Number(pattern.exec(String(cancelled['msg']))?.[1]);
    expect(waited - 300).toBeLessThan(100);
    const access = await edge.waitForLog((line) => line['msg'] === 'access' && line['target'] === '/slow?ms=10000');
    expect(access['status']).toBe(499);
  });
});

describe('admin listeners', () => {
  it('should answer /healthz, /readyz, /stats and Prometheus /metrics on every service, the gateway per mount', async () => {
    const framework = await start('framework');
    const gateway = await start('gateway', { GATEWAY_FRAMEWORK: address(framework) });
    const edge = await edgeOver([gateway]);
    for (const service of [edge, gateway, framework]) {
      expect((await admin(service, '/healthz')).status, service.name).toBe(200);
      expect((await admin(service, '/readyz')).status, service.name).toBe(200);
      expect(await stats(service), service.name).toHaveProperty('requests');
      const metrics = await admin(service, '/metrics');
      expect(metrics.headers.get('content-type'), service.name).toMatch(/^text\/plain/);
    }
    const count = async () => {
      const text = await (await admin(gateway, '/metrics')).text();
      const line = text
        .split('\n')
        .find((l) => l.startsWith('rpc_server_call_duration_count{') && l.includes('mono_gateway_script_name="/"'));
      return Number(line?.split(' ').at(-1) ?? 0);
    };
    const before = await count();
    for (let i = 0; i < 20; i += 1) expect((await send(`http://127.0.0.1:${edge.port}/hello`)).status).toBe(200);
    expect((await count()) - before).toBe(20);
    expect(await (await admin(edge, '/metrics')).text()).toContain('http_server_request_duration_bucket');
  });
});
