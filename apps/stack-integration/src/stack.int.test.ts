import { createHash, randomBytes } from 'node:crypto';
import { Readable } from 'node:stream';
import { setTimeout as sleep } from 'node:timers/promises';
import { jaegerApi, send, startContainerStack, type ContainerStack, type JaegerApi } from '@mono/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const MiB = 1024 * 1024;
let stack: ContainerStack;
let jaeger: JaegerApi;

beforeAll(async () => {
  stack = await startContainerStack();
  jaeger = jaegerApi(stack.jaegerUrl);
}, 180_000);
afterAll(async () => {
  await stack?.stop();
});

/** Requests /hello until it answers 200; resolves with the ms that took. */
async function untilHello(limitMs: number): Promise<number> {
  const started = performance.now();
  while (performance.now() - started < limitMs) {
    const res = await send(`${stack.url}/hello`).catch(() => undefined);
    if (res?.status === 200) return performance.now() - started;
    await sleep(25);
  }
  return Infinity;
}

describe('the images on one network, through the edge container', () => {
  it('should answer /hello', async () => {
    const res = await send(`${stack.url}/hello`);
    expect(res.status).toBe(200);
    expect(res.body.toString()).toBe('Hello World!');
  });

  it('should echo 50 MB unchanged', async () => {
    const payload = randomBytes(50 * MiB);
    const body = Readable.from(
      (function* () {
        for (let at = 0; at < payload.length; at += 256 * 1024) yield payload.subarray(at, at + 256 * 1024);
      })(),
    );
    const res = await send(`${stack.url}/echo`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/octet-stream', 'Content-Length': String(payload.length) },
      body,
    });
    expect(res.status).toBe(200);
    expect(createHash('sha256').update(res.body).digest('hex')).toBe(
      createHash('sha256').update(payload).digest('hex'),
    );
  });

  it('should deliver /stream in pieces as they are produced', async () => {
    const res = await send(`${stack.url}/stream?n=4&ms=300`);
    expect(res.body.toString().trim().split('\n')).toHaveLength(4);
    expect((res.chunkTimes.at(-1) as number) - (res.chunkTimes[0] as number)).toBeGreaterThan(600);
  });

  it("should put the request's trace, with spans from all three services, in the Jaeger container", async () => {
    const res = await send(`${stack.url}/hello`);
    const trace = await jaeger.completeTrace(String(res.headers['x-trace-id']), 7);
    const services = new Set(trace.spans.map((s) => trace.processes[s.processID]?.serviceName));
    expect(services).toEqual(new Set(['edge', 'gateway', 'framework']));
  });

  it('should answer 502 with the trace id while the framework is stopped, and 200 within 2 s of it being healthy again', async () => {
    await stack.stopContainer(stack.framework);
    const down = await send(`${stack.url}/hello`);
    expect(down.status).toBe(502);
    const problem = JSON.parse(down.body.toString()) as Record<string, unknown>;
    expect(problem).toMatchObject({
      status: 502,
      traceId: down.headers['x-trace-id'],
      requestId: down.headers['x-request-id'],
    });
    expect(problem['traceId']).toMatch(/^[0-9a-f]{32}$/);
    await stack.startContainer(stack.framework);
    const ms = await untilHello(5_000);
    console.info(`framework healthy again → first 200 after ${Math.round(ms)} ms`);
    expect(ms).toBeLessThan(2_000);
  });

  it('should recover by itself within 2 s when the gateway container restarts', async () => {
    await stack.gateway.restart({ timeout: 5_000 });
    const restarted = performance.now();
    await stack.waitHealthy(stack.gateway);
    const healthy = performance.now();
    const ms = await untilHello(5_000);
    console.info(
      `gateway restarted → healthy after ${Math.round(healthy - restarted)} ms → first 200 after ${Math.round(healthy - restarted + ms)} ms`,
    );
    expect(ms).toBeLessThan(2_000);
  });
});
