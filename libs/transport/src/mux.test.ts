import { createHash, randomBytes } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Environ } from '@mono/contracts';
import { AppError } from '@mono/errors';
import { afterEach, describe, expect, it } from 'vitest';
import { INITIAL_WINDOW } from './limits';
import { frameworkBoundary } from '@mono/contracts';
import { MuxClient } from './mux-client';
import type { ServerCall } from './server-call';
import { echoHandler, environ, recordingSink, startTestServer, testClient, type TestServer } from './testing';

const cleanups: Array<() => void> = [];
afterEach(() => {
  while (cleanups.length > 0) cleanups.pop()?.();
});

async function serve(handler: (call: ServerCall<Environ>) => void, port?: number): Promise<TestServer> {
  const server = await startTestServer(handler, { port });
  cleanups.push(() => server.stop());
  return server;
}

function client(address: string, connectTimeoutMs?: number): MuxClient<Environ> {
  const c = testClient(address, connectTimeoutMs);
  cleanups.push(() => c.close());
  return c;
}

function request(
  c: MuxClient<Environ>,
  path = '/',
  { body, timeoutMs = 0 }: { body?: Buffer[]; timeoutMs?: number } = {},
) {
  const recording = recordingSink();
  const call = c.call(environ(path), { timeoutMs }, recording.sink);
  recording.attach(call);
  for (const chunk of body ?? []) call.write(chunk);
  call.end();
  return { call, outcome: recording.outcome };
}

describe('MuxClient and the exchange service', () => {
  it('should carry a request and its body to the server and the response back', async () => {
    const server = await serve(echoHandler);
    const { outcome } = request(client(server.address), '/hello', { body: [Buffer.from('ab'), Buffer.from('cd')] });
    const { head, body, error } = await outcome;
    expect(error).toBeUndefined();
    expect(head?.status).toBe(200);
    expect(head?.headers).toEqual([{ name: 'X-Path', value: '/hello' }]);
    expect(body.toString()).toBe('abcd');
  });

  it('should multiplex concurrent requests on one stream, each answered by its own response', async () => {
    const server = await serve(echoHandler);
    const c = client(server.address);
    const outcomes = Array.from(
      { length: 200 },
      (_, i) => request(c, `/r${i}`, { body: [Buffer.from(`body ${i}`)] }).outcome,
    );
    const results = await Promise.all(outcomes);
    results.forEach((r, i) => {
      expect(r.head?.headers[0]?.value).toBe(`/r${i}`);
      expect(r.body.toString()).toBe(`body ${i}`);
    });
    expect(c.inFlight).toBe(0);
  });

  it('should stream a body larger than gRPC message limits unchanged', async () => {
    const server = await serve(echoHandler);
    const payload = randomBytes(12 << 20);
    const chunks = Array.from({ length: 12 }, (_, i) => payload.subarray(i << 20, (i + 1) << 20));
    const c = client(server.address);
    const recording = recordingSink();
    const call = c.call(environ(), { timeoutMs: 0 }, recording.sink);
    recording.attach(call);
    const queue = [...chunks];
    const pump = () => {
      while (queue.length > 0) if (!call.write(queue.shift() as Buffer)) return;
      call.end();
    };
    call.ondrain = pump;
    pump();
    const { body } = await recording.outcome;
    expect(createHash('sha256').update(body).digest('hex')).toBe(createHash('sha256').update(payload).digest('hex'));
  });

  it('should hold the sender to the window while the receiver does not consume', async () => {
    let received = 0;
    let server!: ServerCall<Environ>;
    const srv = await serve((call) => {
      server = call;
      call.body.attach({ data: (chunk) => (received += chunk.byteLength), end: () => {}, error: () => {} });
    });
    const c = client(srv.address);
    const { call } = request(c, '/', {});
    const accepted: boolean[] = [];
    const recording = recordingSink();
    const upload = c.call(environ(), { timeoutMs: 0 }, recording.sink);
    for (let i = 0; i < 3; i += 1) accepted.push(upload.write(new Uint8Array(INITIAL_WINDOW / 2)));
    let drained = false;
    upload.ondrain = () => (drained = true);
    await sleep(200);
    expect(accepted).toEqual([true, false, false]);
    expect(received).toBe(INITIAL_WINDOW);
    server.body.consumed(received);
    await sleep(100);
    expect(received).toBe((INITIAL_WINDOW / 2) * 3);
    expect(drained).toBe(true);
    call.cancel();
  });

  it('should end a request whose deadline passes, on both sides', async () => {
    let serverAbort: AppError | undefined;
    const server = await serve((call) => {
      call.onabort = (reason) => (serverAbort = reason);
    });
    const started = Date.now();
    const { error } = await request(client(server.address), '/', { timeoutMs: 150 }).outcome;
    expect(Date.now() - started).toBeLessThan(1_000);
    expect(['FW_ERR_DEADLINE_EXCEEDED', 'GW_ERR_DEADLINE_EXCEEDED']).toContain(error?.code);
    await sleep(50);
    expect(serverAbort?.code).toBe('FW_ERR_DEADLINE_EXCEEDED');
  });

  it('should tell the server when the client cancels', async () => {
    let serverCall: ServerCall<Environ> | undefined;
    let reason: AppError | undefined;
    const server = await serve((call) => {
      serverCall = call;
      call.onabort = (r) => (reason = r);
    });
    const { call } = request(client(server.address));
    await sleep(50);
    call.cancel();
    await sleep(50);
    expect(reason?.code).toBe('TRANSPORT_ERR_CANCELLED');
    expect(serverCall?.signal.aborted).toBe(true);
  });

  it('should pass a server failure through with its code', async () => {
    const server = await serve((call) => call.fail(new AppError('GW_ERR_OVERLOADED', 'full')));
    const { error } = await request(client(server.address)).outcome;
    expect(error?.code).toBe('GW_ERR_OVERLOADED');
    expect(error?.message).toBe('full');
  });

  it('should fail fast when nothing listens at the address', async () => {
    const server = await serve(echoHandler);
    const address = server.address;
    server.stop();
    const started = Date.now();
    const { error } = await request(client(address)).outcome;
    expect(error?.code).toBe('GW_ERR_FRAMEWORK_UNAVAILABLE');
    expect(Date.now() - started).toBeLessThan(1_000);
  });

  it('should fail calls in flight when the server goes away, and reconnect within 2 s once it is back', async () => {
    const hang = await serve(() => {});
    const c = client(hang.address);
    const inFlight = request(c).outcome;
    await sleep(50);
    hang.stop();
    expect((await inFlight).error?.code).toBe('GW_ERR_FRAMEWORK_UNAVAILABLE');
    await serve(echoHandler, hang.port);
    const back = Date.now();
    let outcome = await request(c, '/again').outcome;
    while (outcome.error && Date.now() - back < 3_000) {
      await sleep(50);
      outcome = await request(c, '/again').outcome;
    }
    expect(outcome.head?.status).toBe(200);
    expect(Date.now() - back).toBeLessThan(2_000);
  });

  it('should report the upstream unreachable once, however many requests fail, and reachable again once', async () => {
    const server = await serve(echoHandler);
    const events: boolean[] = [];
    const c = new MuxClient<Environ>(server.address, frameworkBoundary, {
      errors: {
        unavailable: 'GW_ERR_FRAMEWORK_UNAVAILABLE',
        deadline: 'GW_ERR_DEADLINE_EXCEEDED',
        fallback: 'GW_ERR_INTERNAL',
      },
      onAvailability: (available) => events.push(available),
    });
    cleanups.push(() => c.close());
    expect((await request(c).outcome).head?.status).toBe(200);
    server.stop();
    for (let i = 0; i < 5; i += 1) expect((await request(c).outcome).error?.code).toBe('GW_ERR_FRAMEWORK_UNAVAILABLE');
    await serve(echoHandler, server.port);
    let outcome = await request(c).outcome;
    while (outcome.error) {
      await sleep(50);
      outcome = await request(c).outcome;
    }
    expect(events).toEqual([true, false, true]);
  });

  it('should let requests in flight finish while draining, and refuse new ones', async () => {
    const calls: Array<ServerCall<Environ>> = [];
    const server = await serve((call) => calls.push(call));
    const c = client(server.address);
    const first = request(c).outcome;
    await sleep(50);
    const drained = server.service.drain();
    const second = await request(c).outcome;
    expect(second.error?.code).toBe('FW_ERR_SHUTTING_DOWN');
    calls[0]?.respond({ status: 200, reason: 'OK', headers: [] });
    calls[0]?.end();
    expect((await first).head?.status).toBe(200);
    await drained;
  });
});
