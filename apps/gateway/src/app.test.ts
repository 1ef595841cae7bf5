import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gatewayBoundary, type Environ, type HttpRequest } from '@mono/contracts';
import type { AppError } from '@mono/errors';
import { createLogger } from '@mono/telemetry';
import { checkHealth, gatewayHopErrors, MuxClient, type ServerCall } from '@mono/transport';
import { echoHandler, recordingSink, startSilentServer, startTestServer } from '@mono/transport/testing';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { buildGateway } from './app';
import { loadGatewayConfig } from './config';

const cleanups: Array<() => unknown> = [];
afterEach(async () => {
  while (cleanups.length > 0) await cleanups.pop()?.();
});

async function stack(handler: (call: ServerCall<Environ>) => void, env: Record<string, string> = {}) {
  const framework = await startTestServer(handler);
  cleanups.push(() => framework.stop());
  const config = loadGatewayConfig({
    GATEWAY_PORT: '0',
    GATEWAY_FRAMEWORK: framework.address,
    LOG_LEVEL: 'silent',
    ...env,
  });
  const gateway = buildGateway(config, { log: createLogger('gateway', 'silent') });
  const port = await gateway.listen();
  // Until its pools have a serving framework the gateway refuses requests as not accepted.
  await vi.waitFor(() => expect(gateway.ready).toBe(true));
  let stopped: Promise<void> | undefined;
  const shutdown = () => (stopped ??= gateway.shutdown());
  cleanups.push(shutdown);
  const edge = new MuxClient<HttpRequest>(`127.0.0.1:${port}`, gatewayBoundary, {
    errors: gatewayHopErrors.client,
  });
  cleanups.push(() => edge.close());
  return { framework, edge, gateway, address: `127.0.0.1:${port}`, shutdown };
}

/** A promise and the function that resolves it, for a test to wait on what a handler saw. */
function signal<T = void>(): { promise: Promise<T>; resolve: (value: T) => void } {
  let resolve!: (value: T) => void;
  const promise = new Promise<T>((r) => (resolve = r));
  return { promise, resolve };
}

function send(
  edge: MuxClient<HttpRequest>,
  target: string,
  { body = [] as string[], timeoutMs = 0, length = undefined as number | undefined } = {},
) {
  const recording = recordingSink();
  const declared = length === undefined ? [] : [{ name: 'Content-Length', value: String(length) }];
  const call = edge.call(
    {
      method: body.length > 0 ? 'POST' : 'GET',
      target,
      protocol: 'HTTP/1.1',
      scheme: 'http',
      headers: [{ name: 'Host', value: 'example.test' }, ...declared],
      client: { address: '127.0.0.1', port: 1234 },
      server: { address: '127.0.0.1', port: 8080 },
      requestId: 'r-1',
      bodyLengthUnknown: body.length > 0 && length === undefined,
    },
    { headTimeoutMs: timeoutMs, idleTimeoutMs: 0 },
    recording.sink,
  );
  recording.attach(call);
  for (const chunk of body) call.write(Buffer.from(chunk));
  call.end();
  return { call, outcome: recording.outcome };
}

describe('gateway', () => {
  it('should refuse requests as not accepted until it has had a serving framework', async () => {
    const config = loadGatewayConfig({ GATEWAY_PORT: '0', GATEWAY_FRAMEWORK: '127.0.0.1:1', LOG_LEVEL: 'silent' });
    const gateway = buildGateway(config, { log: createLogger('gateway', 'silent') });
    const port = await gateway.listen();
    cleanups.push(() => gateway.shutdown());
    const edge = new MuxClient<HttpRequest>(`127.0.0.1:${port}`, gatewayBoundary, { errors: gatewayHopErrors.client });
    cleanups.push(() => edge.close());
    const { error } = await send(edge, '/').outcome;
    expect(error).toMatchObject({ code: 'GW_ERR_NOT_READY', notAccepted: true });
    expect(await checkHealth(`127.0.0.1:${port}`)).toBe('NOT_SERVING');
  });

  it('should hand the framework the environ it built and stream the response back', async () => {
    const { edge } = await stack(echoHandler, { GATEWAY_MOUNTS: '/app,/' });
    const { head, body } = await send(edge, '/app/echo?x=1', { body: ['hello ', 'world'] }).outcome;
    expect(head?.headers).toEqual([{ name: 'X-Path', value: '/echo' }]);
    expect(body.toString()).toBe('hello world');
  });

  it('should forward a body over 64 KiB or of unknown length on a framework stream of its own, the rest on the shared one', async () => {
    const { edge, framework } = await stack(echoHandler);
    const small = await send(edge, '/small', { body: ['hello'], length: 5 }).outcome;
    const atTheLine = await send(edge, '/line', { body: ['x'.repeat(64 << 10)], length: 64 << 10 }).outcome;
    expect([small.body.toString(), atTheLine.body.length, (await send(edge, '/get').outcome).head?.status]).toEqual([
      'hello',
      64 << 10,
      200,
    ]);
    expect(framework.service.streams).toBe(1);

    const unsized = await send(edge, '/unsized', { body: ['hello'] }).outcome;
    expect(unsized.body.toString()).toBe('hello');
    expect(framework.service.streams).toBe(2);
    const large = await send(edge, '/large', { body: ['y'.repeat((64 << 10) + 1)], length: (64 << 10) + 1 }).outcome;
    expect(large.body.length).toBe((64 << 10) + 1);
    expect(framework.service.streams).toBe(2);
  });

  it("should name the mount's application to the framework, the longest mount winning", async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'gateway-mounts-')), 'gateway.yaml');
    writeFileSync(file, 'mounts: [{ path: / }, { path: /fetch, app: fetch }, { path: /plain, app: plain }]\n');
    const seen: Array<[string, string, string]> = [];
    const { edge, gateway } = await stack(
      (call) => {
        seen.push([call.head.scriptName, call.head.pathInfo, call.head.application]);
        call.respond({ status: 204, reason: 'No Content', headers: [] });
        call.end();
      },
      { GATEWAY_CONFIG: file },
    );
    for (const target of ['/environ', '/fetch/environ', '/plain/environ', '/fetchx/environ', '/fetch']) {
      expect((await send(edge, target).outcome).head?.status, target).toBe(204);
    }
    expect(seen).toEqual([
      ['', '/environ', ''],
      ['/fetch', '/environ', 'fetch'],
      ['/plain', '/environ', 'plain'],
      ['', '/fetchx/environ', ''],
      ['/fetch', '', 'fetch'],
    ]);
    const mounts = gateway.stats.snapshot().mounts;
    expect(
      mounts.map(({ path, app, requests, byStatus, inFlight }) => ({ path, app, requests, byStatus, inFlight })),
    ).toEqual([
      { path: '/fetch', app: 'fetch', requests: 2, byStatus: { '204': 2 }, inFlight: 0 },
      { path: '/plain', app: 'plain', requests: 1, byStatus: { '204': 1 }, inFlight: 0 },
      { path: '/', app: '', requests: 2, byStatus: { '204': 2 }, inFlight: 0 },
    ]);
    expect(mounts[0]?.durationMs.count).toBe(2);
  });

  it('should answer 502 at once when the framework is unreachable', async () => {
    const { framework, edge } = await stack(echoHandler);
    framework.stop();
    const started = Date.now();
    const { error } = await send(edge, '/').outcome;
    expect(error?.code).toBe('GW_ERR_FRAMEWORK_UNAVAILABLE');
    expect(Date.now() - started).toBeLessThan(1_000);
  });

  it('should refuse with 503 once every slot is busy and the queue is full', async () => {
    const { edge } = await stack(() => {}, { GATEWAY_MAX_CONCURRENCY: '1', GATEWAY_MAX_QUEUE: '1' });
    send(edge, '/first');
    send(edge, '/queued');
    const { error } = await send(edge, '/third').outcome;
    expect(error?.code).toBe('GW_ERR_OVERLOADED');
  });

  it('should give the framework less time than the edge gave the gateway, so that the framework times out first', async () => {
    const frameworkAbort = signal<AppError>();
    const { edge } = await stack((call) => {
      call.onabort = frameworkAbort.resolve;
    });
    const { error } = await send(edge, '/', { timeoutMs: 200 }).outcome;
    expect(error?.code).toBe('FW_ERR_DEADLINE_EXCEEDED');
    expect((await frameworkAbort.promise).code).toBe('FW_ERR_DEADLINE_EXCEEDED');
  });

  it('should wait for a framework that never answers until its margin less 50 ms has passed, then answer 504 itself', async () => {
    const framework = await startSilentServer();
    cleanups.push(() => framework.stop());
    const config = loadGatewayConfig({
      GATEWAY_PORT: '0',
      GATEWAY_FRAMEWORK: framework.address,
      GATEWAY_DEADLINE_MARGIN_MS: '300',
      LOG_LEVEL: 'silent',
    });
    const gateway = buildGateway(config, { log: createLogger('gateway', 'silent') });
    const port = await gateway.listen();
    cleanups.push(() => gateway.shutdown());
    await vi.waitFor(() => expect(gateway.ready).toBe(true));
    // This edge's own timer waits a second past its limit, so that only the gateway's can answer in this test.
    const edge = new MuxClient<HttpRequest>(`127.0.0.1:${port}`, gatewayBoundary, {
      errors: gatewayHopErrors.client,
      headBackstopMs: 1_000,
    });
    cleanups.push(() => edge.close());
    // The stream is up before the clock starts: a budget under the margin is refused at once, the framework not asked.
    expect((await send(edge, '/', { timeoutMs: 100 }).outcome).error?.message).toBe('no time left for the framework');
    const started = performance.now();
    const { error } = await send(edge, '/', { timeoutMs: 600 }).outcome;
    // The framework was given 600 − 300 ms, and the gateway waits 300 − 50 past that (a few ms behind the loop's clock
    // at most): the old fixed 50 ms would have answered at ~350.
    expect(error?.code).toBe('GW_ERR_DEADLINE_EXCEEDED');
    expect(performance.now() - started).toBeGreaterThan(550 - 20);
  });

  it('should cancel the framework call when the edge cancels', async () => {
    const arrived = signal();
    const frameworkAbort = signal<AppError>();
    const { edge } = await stack((call) => {
      call.onabort = frameworkAbort.resolve;
      arrived.resolve();
    });
    const { call } = send(edge, '/');
    await arrived.promise;
    call.cancel();
    expect((await frameworkAbort.promise).code).toBe('TRANSPORT_ERR_CANCELLED');
  });

  it('should let a request in flight finish on shutdown(), refusing new ones and reporting NOT_SERVING meanwhile', async () => {
    const arrived = signal<ServerCall<Environ>>();
    const { edge, address, shutdown } = await stack((call) => arrived.resolve(call));
    const inFlight = send(edge, '/in-flight');
    const held = await arrived.promise;
    let stopped = false;
    const stopping = shutdown().then(() => (stopped = true));
    expect(await checkHealth(address)).toBe('NOT_SERVING');
    expect((await send(edge, '/late').outcome).error?.code).toBe('GW_ERR_SHUTTING_DOWN');
    expect(stopped).toBe(false);
    held.respond({ status: 200, reason: 'OK', headers: [] });
    held.write(Buffer.from('finished'));
    held.end();
    const { head, body, error } = await inFlight.outcome;
    expect(error).toBeUndefined();
    expect(head?.status).toBe(200);
    expect(body.toString()).toBe('finished');
    await stopping;
  });

  it('should stop after GATEWAY_SHUTDOWN_GRACE_MS when a request does not finish, cutting its framework call', async () => {
    const arrived = signal();
    const frameworkAbort = signal<AppError>();
    const { edge, shutdown } = await stack(
      (call) => {
        call.onabort = frameworkAbort.resolve;
        arrived.resolve();
      },
      { GATEWAY_SHUTDOWN_GRACE_MS: '100' },
    );
    const inFlight = send(edge, '/never');
    await arrived.promise;
    await shutdown();
    expect((await frameworkAbort.promise).code).toBe('TRANSPORT_ERR_CANCELLED');
    // The framework call's failure and the end of the edge's stream race out of a gateway that stops: either
    // reaches the edge first, and either way the request ends.
    expect(['GW_ERR_FRAMEWORK_UNAVAILABLE', 'EDGE_ERR_GATEWAY_UNAVAILABLE']).toContain(
      (await inFlight.outcome).error?.code,
    );
  });

  it('should answer a request-target it cannot turn into an environ with 400', async () => {
    const { edge } = await stack(echoHandler);
    const { error } = await send(edge, '/bad%zz').outcome;
    expect(error?.code).toBe('GW_ERR_BAD_REQUEST');
  });
});
