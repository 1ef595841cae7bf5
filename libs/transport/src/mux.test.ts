import { createHash, randomBytes } from 'node:crypto';
import { frameworkBoundary, type Environ } from '@mono/contracts';
import { AppError } from '@mono/errors';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { frameworkHopErrors } from './hop-errors';
import { BULK_BODY_BYTES, INITIAL_WINDOW } from './internal/limits';
import { MuxClient } from './mux-client';
import type { ServerCall } from './server-call';
import { echoHandler, environ, recordingSink, signal, startTestServer, testClient, type TestServer } from './testing';

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

/**
 * Sends requests until one succeeds: what a caller does while an upstream restarts. The channel's reconnection is not
 * an event the transport reports, so this polls, every 50 ms up to `timeout`.
 */
function succeeds(c: MuxClient<Environ>, path = '/', timeout = 3_000) {
  return vi.waitFor(
    async () => {
      const outcome = await request(c, path).outcome;
      expect(outcome.head?.status).toBe(200);
      return outcome;
    },
    { timeout, interval: 50 },
  );
}

function request(
  c: MuxClient<Environ>,
  path = '/',
  {
    body,
    timeoutMs = 0,
    idleMs = 0,
    bodyBytes,
  }: { body?: Buffer[]; timeoutMs?: number; idleMs?: number; bodyBytes?: number } = {},
) {
  const recording = recordingSink();
  const call = c.call(environ(path), { headTimeoutMs: timeoutMs, idleTimeoutMs: idleMs, bodyBytes }, recording.sink);
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

  it('should carry requests with bodies over BULK_BODY_BYTES or of unknown size on a second stream, the rest on the first', async () => {
    const server = await serve(echoHandler);
    const c = client(server.address);
    const sha = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex');
    const small = await request(c, '/small', { body: [Buffer.from('x')], bodyBytes: 1 }).outcome;
    const atTheLine = await request(c, '/line', { body: [randomBytes(BULK_BODY_BYTES)], bodyBytes: BULK_BODY_BYTES })
      .outcome;
    expect([small.body.toString(), atTheLine.body.length]).toEqual(['x', BULK_BODY_BYTES]);
    expect(server.service.streams).toBe(1);

    const large = randomBytes(3 << 20);
    const unsized = randomBytes(BULK_BODY_BYTES + 1);
    const outcomes = await Promise.all([
      request(c, '/large', { body: [large], bodyBytes: large.length }).outcome,
      request(c, '/unsized', { body: [unsized], bodyBytes: Infinity }).outcome,
      request(c, '/beside').outcome,
    ]);
    expect(outcomes.map((o) => sha(o.body))).toEqual([sha(large), sha(unsized), sha(Buffer.alloc(0))]);
    expect(server.service.streams).toBe(2);

    await server.service.drain();
    expect(server.service.streams).toBe(0);
  });

  it('should stream a body larger than gRPC message limits unchanged', async () => {
    const server = await serve(echoHandler);
    const payload = randomBytes(12 << 20);
    const chunks = Array.from({ length: 12 }, (_, i) => payload.subarray(i << 20, (i + 1) << 20));
    const c = client(server.address);
    const recording = recordingSink();
    const call = c.call(environ(), { headTimeoutMs: 0, idleTimeoutMs: 0 }, recording.sink);
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
    const filled = signal();
    const all = signal();
    const upload = signal<ServerCall<Environ>>();
    const srv = await serve((call) => {
      if (call.head.pathInfo !== '/upload') return echoHandler(call);
      upload.resolve(call);
      call.body.attach({
        data: (chunk) => {
          received += chunk.byteLength;
          if (received === INITIAL_WINDOW) filled.resolve();
          if (received === (INITIAL_WINDOW / 2) * 3) all.resolve();
        },
        end: () => {},
        error: () => {},
      });
    });
    const c = client(srv.address);
    const recording = recordingSink();
    const call = c.call(environ('/upload'), { headTimeoutMs: 0, idleTimeoutMs: 0 }, recording.sink);
    const accepted = [0, 1, 2].map(() => call.write(new Uint8Array(INITIAL_WINDOW / 2)));
    const drained = signal();
    call.ondrain = drained.resolve;
    expect(accepted).toEqual([true, false, false]);
    await filled.promise;
    // A request on the same stream, answered: every frame the client wrote before it has reached the server.
    expect((await request(c, '/ping').outcome).head?.status).toBe(200);
    expect(received).toBe(INITIAL_WINDOW);
    expect(call.done).toBe(false); // not failed for overrunning the window either
    (await upload.promise).body.consumed(received);
    await Promise.all([all.promise, drained.promise]);
    expect(received).toBe((INITIAL_WINDOW / 2) * 3);
    call.cancel();
  });

  it('should report every body byte each side sends and receives to its onBodyBytes', async () => {
    let serverBytes = 0;
    let clientBytes = 0;
    const server = await startTestServer(echoHandler, { onBodyBytes: (n) => (serverBytes += n) });
    cleanups.push(() => server.stop());
    const c = new MuxClient<Environ>(server.address, frameworkBoundary, {
      errors: frameworkHopErrors.client,
      onBodyBytes: (n) => (clientBytes += n),
    });
    cleanups.push(() => c.close());
    const body = [randomBytes(300_000), randomBytes(5)];
    expect((await request(c, '/', { body }).outcome).body.length).toBe(300_005);
    expect([clientBytes, serverBytes]).toEqual([600_010, 600_010]);
  });

  it('should end a request whose deadline passes, on both sides', async () => {
    const serverAbort = signal<AppError>();
    const server = await serve((call) => {
      if (call.head.pathInfo === '/warm') echoHandler(call);
      else call.onabort = serverAbort.resolve;
    });
    const c = client(server.address);
    // The stream is up before the clock starts: the server's timer runs from arrival, the client's backstop from send.
    expect((await request(c, '/warm').outcome).head?.status).toBe(200);
    const started = Date.now();
    const { error } = await request(c, '/', { timeoutMs: 150 }).outcome;
    expect(Date.now() - started).toBeLessThan(1_000);
    expect(['FW_ERR_DEADLINE_EXCEEDED', 'GW_ERR_DEADLINE_EXCEEDED']).toContain(error?.code);
    expect((await serverAbort.promise).code).toBe('FW_ERR_DEADLINE_EXCEEDED');
  });

  it('should tell the server when the client cancels', async () => {
    const arrived = signal<ServerCall<Environ>>();
    const aborted = signal<AppError>();
    const server = await serve((call) => {
      call.onabort = aborted.resolve;
      arrived.resolve(call);
    });
    const { call } = request(client(server.address));
    const serverCall = await arrived.promise;
    call.cancel();
    expect((await aborted.promise).code).toBe('TRANSPORT_ERR_CANCELLED');
    expect(serverCall.signal.aborted).toBe(true);
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
    const arrived = signal();
    const hang = await serve(() => arrived.resolve());
    const c = client(hang.address);
    const inFlight = request(c).outcome;
    await arrived.promise;
    hang.stop();
    expect((await inFlight).error?.code).toBe('GW_ERR_FRAMEWORK_UNAVAILABLE');
    await serve(echoHandler, hang.port);
    const back = Date.now();
    await succeeds(c, '/again');
    expect(Date.now() - back).toBeLessThan(2_000);
  });

  it('should report the upstream unreachable once, however many requests fail, and reachable again once', async () => {
    const server = await serve(echoHandler);
    const events: boolean[] = [];
    const c = new MuxClient<Environ>(server.address, frameworkBoundary, {
      errors: frameworkHopErrors.client,
      onAvailability: (available) => events.push(available),
    });
    cleanups.push(() => c.close());
    expect((await request(c).outcome).head?.status).toBe(200);
    server.stop();
    for (let i = 0; i < 5; i += 1) expect((await request(c).outcome).error?.code).toBe('GW_ERR_FRAMEWORK_UNAVAILABLE');
    await serve(echoHandler, server.port);
    await succeeds(c);
    expect(events).toEqual([true, false, true]);
  });

  it('should let requests in flight finish while draining, and refuse new ones', async () => {
    const arrived = signal<ServerCall<Environ>>();
    const server = await serve(arrived.resolve);
    const c = client(server.address);
    const first = request(c).outcome;
    const call = await arrived.promise;
    const drained = server.service.drain();
    const second = await request(c).outcome;
    expect(second.error?.code).toBe('FW_ERR_SHUTTING_DOWN');
    call.respond({ status: 200, reason: 'OK', headers: [] });
    call.end();
    expect((await first).head?.status).toBe(200);
    await drained;
  });

  it('should serve the requests that crossed the goaway when draining to be replaced, and open a new stream after it', async () => {
    const server = await serve(echoHandler);
    const c = client(server.address);
    await succeeds(c, '/first');
    const drained = server.service.drain({ crossing: 'serve' });
    // Sent before the client hears the goaway: on the draining stream, served there.
    const crossing = await request(c, '/crossing').outcome;
    expect(crossing.error).toBeUndefined();
    expect(crossing.head?.status).toBe(200);
    await drained;
    // The stream ended once its calls were done; the next request goes on a new one, served too.
    expect((await request(c, '/after').outcome).head?.status).toBe(200);
  });
});
