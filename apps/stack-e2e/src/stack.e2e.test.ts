import { createHash, randomBytes } from 'node:crypto';
import { createServer } from 'node:net';
import { Readable } from 'node:stream';
import { setTimeout as sleep } from 'node:timers/promises';
import { checkHealth } from '@mono/transport';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runFailing, send, startStack, type Stack } from '@mono/testing';

const MiB = 1024 * 1024;
let stack: Stack;

beforeAll(async () => {
  stack = await startStack({ gateway: { GATEWAY_MOUNTS: '/,/mounted' } });
});
afterAll(async () => {
  await stack?.stop();
});

describe('the stack through the edge, three processes', () => {
  it('should answer GET /hello with Hello World! from three distinct processes, each reporting SERVING', async () => {
    const res = await send(`${stack.url}/hello`);
    expect(res.status).toBe(200);
    expect(res.body.toString()).toBe('Hello World!');
    expect(new Set([stack.edge.pid, stack.gateway.pid, stack.framework.pid]).size).toBe(3);
    expect(await checkHealth(`127.0.0.1:${stack.gateway.port}`)).toBe('SERVING');
    expect(await checkHealth(`127.0.0.1:${stack.framework.port}`)).toBe('SERVING');
  });

  it('should echo 100 MB unchanged while no service grows past 150 MiB', async () => {
    const payload = randomBytes(100 * MiB);
    const peaks = { edge: 0, gateway: 0, framework: 0 };
    const sampler = setInterval(() => {
      for (const service of [stack.edge, stack.gateway, stack.framework]) {
        peaks[service.name] = Math.max(peaks[service.name], service.rss());
      }
    }, 25);
    const body = Readable.from(
      (function* () {
        for (let offset = 0; offset < payload.length; offset += 256 * 1024)
          yield payload.subarray(offset, offset + 256 * 1024);
      })(),
    );
    try {
      const res = await send(`${stack.url}/echo`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/octet-stream', 'Content-Length': String(payload.length) },
        body,
      });
      expect(res.status).toBe(200);
      expect(res.headers['content-type']).toBe('application/octet-stream');
      expect(createHash('sha256').update(res.body).digest('hex')).toBe(
        createHash('sha256').update(payload).digest('hex'),
      );
    } finally {
      clearInterval(sampler);
    }
    console.info(
      `peak RSS during 100 MB echo (MiB): ${JSON.stringify(Object.fromEntries(Object.entries(peaks).map(([k, v]) => [k, Math.round(v / MiB)])))}`,
    );
    for (const [name, peak] of Object.entries(peaks)) expect(peak, name).toBeLessThan(150 * MiB);
  });

  it('should deliver /stream chunks as they are produced', async () => {
    const res = await send(`${stack.url}/stream?n=5&ms=400`);
    expect(res.status).toBe(200);
    expect(res.body.toString().trim().split('\n')).toHaveLength(5);
    const first = res.chunkTimes[0] as number;
    const last = res.chunkTimes.at(-1) as number;
    expect(last - first).toBeGreaterThan(1_000);
  });

  it('should stop waiting in /slow when the client goes away', async () => {
    await expect(send(`${stack.url}/slow?ms=5000`, { abortAfterMs: 200 })).rejects.toThrow();
    const cancelled = /^slow request cancelled after (\d+) ms of 5000$/;
    const line = await stack.framework.waitForLog(
      (l) => l['stream'] === 'tsgi.errors' && cancelled.test(String(l['msg'])),
      2_000,
    );
    expect(Number(cancelled.exec(String(line['msg']))?.[1])).toBeLessThan(1_000);
  });

  it('should answer /slow after it waited', async () => {
    const res = await send(`${stack.url}/slow?ms=100`);
    expect(res.status).toBe(200);
    expect(res.body.toString()).toBe('waited 100 ms');
  });

  it('should answer /boom with a generic 500, without a stack trace', async () => {
    const res = await send(`${stack.url}/boom`);
    expect(res.status).toBe(500);
    expect(res.body.toString()).toBe('Internal Server Error');
    expect(res.body.toString()).not.toMatch(/at .*\.ts:\d+/);
  });

  it("should answer an unknown route with Express's 404", async () => {
    const res = await send(`${stack.url}/no/such/route`);
    expect(res.status).toBe(404);
    expect(res.body.toString()).toContain('Cannot GET /no/such/route');
  });

  it('should show the environ PEP 3333 defines, with raw headers in order and repeats joined', async () => {
    const res = await send(`${stack.url}/environ?a=%20b&a=c`, { headers: { 'X-Rep': ['first', 'second'] } });
    const environ = JSON.parse(res.body.toString()) as Record<string, unknown>;
    expect(`${environ['SCRIPT_NAME']}${environ['PATH_INFO']}`).toBe('/environ');
    expect(environ['QUERY_STRING']).toBe('a=%20b&a=c');
    expect(environ['HTTP_X_REP']).toBe('first, second');
    expect((environ['headers'] as string[][]).filter(([name]) => name?.toLowerCase() === 'x-rep')).toEqual([
      ['X-Rep', 'first'],
      ['X-Rep', 'second'],
    ]);
    expect(environ).toMatchObject({
      REQUEST_METHOD: 'GET',
      SERVER_PROTOCOL: 'HTTP/1.1',
      REMOTE_ADDR: '127.0.0.1',
      'tsgi.url_scheme': 'http',
      'tsgi.version': [1, 0],
    });
    for (const key of ['CONTENT_TYPE', 'CONTENT_LENGTH', 'SERVER_NAME', 'SERVER_PORT', 'REMOTE_PORT'])
      expect(environ).toHaveProperty(key);
  });

  it('should split a mounted path into SCRIPT_NAME and PATH_INFO', async () => {
    const environ = JSON.parse((await send(`${stack.url}/mounted/environ`)).body.toString()) as Record<string, unknown>;
    expect(environ).toMatchObject({ SCRIPT_NAME: '/mounted', PATH_INFO: '/environ', REQUEST_URI: '/mounted/environ' });
  });

  it('should answer 502 within 1 s when the framework dies, and 200 within 2 s of it coming back', async () => {
    stack.framework.signal('SIGKILL');
    await stack.framework.exited;
    const started = performance.now();
    const down = await send(`${stack.url}/hello`);
    expect(down.status).toBe(502);
    expect(performance.now() - started).toBeLessThan(1_000);
    expect(down.headers['content-type']).toBe('application/problem+json');
    expect(JSON.parse(down.body.toString())).toMatchObject({ status: 502, requestId: down.headers['x-request-id'] });

    await stack.restartFramework();
    const back = performance.now();
    // The gateway's channel reconnects on gRPC's backoff (100 ms to 1 s), which nothing outside the gateway can
    // observe before a request gets through: a poll, not a wait for something that already has an event.
    let status = 0;
    while (performance.now() - back < 3_000) {
      status = (await send(`${stack.url}/hello`)).status;
      if (status === 200) break;
      await sleep(25);
    }
    expect(status).toBe(200);
    expect(performance.now() - back).toBeLessThan(2_000);
  });
});

describe('start-up', () => {
  it('should name the address when a port is already taken', async () => {
    const blocker = createServer();
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
    const port = (blocker.address() as { port: number }).port;
    try {
      const edge = await runFailing('edge', { EDGE_PORT: String(port) });
      expect(edge.code).toBe(1);
      expect(edge.stderr).toContain(`edge: cannot listen on 127.0.0.1:${port}: the address is already in use`);
      const gateway = await runFailing('gateway', { GATEWAY_PORT: String(port) });
      expect(gateway.code).toBe(1);
      expect(gateway.stderr).toContain(`gateway: cannot listen on 127.0.0.1:${port}: the address is already in use`);
    } finally {
      blocker.close();
    }
  });

  it('should list every configuration problem at once and exit 2', async () => {
    const result = await runFailing('framework', { FRAMEWORK_PORT: 'http', FRAMEWORK_MULTIPROCESS: 'sometimes' });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('framework: invalid configuration');
    expect(result.stderr).toContain('FRAMEWORK_PORT');
    expect(result.stderr).toContain('FRAMEWORK_MULTIPROCESS');
  });
});
