import { frameworkBoundary, type Environ } from '@mono/contracts';
import type { AppError } from '@mono/errors';
import { afterEach, describe, expect, it } from 'vitest';
import { frameworkHopErrors } from './hop-errors';
import { MuxClient } from './mux-client';
import type { ServerCall } from './server-call';
import {
  environ,
  recordingSink,
  signal,
  startSilentServer,
  startTestServer,
  testClient,
  type TestServer,
} from './testing';

const cleanups: Array<() => void> = [];
afterEach(() => {
  while (cleanups.length > 0) cleanups.pop()?.();
});

async function serve(handler: (call: ServerCall<Environ>) => void): Promise<TestServer> {
  const server = await startTestServer(handler);
  cleanups.push(() => server.stop());
  return server;
}

function client(address: string): MuxClient<Environ> {
  const c = testClient(address);
  cleanups.push(() => c.close());
  return c;
}

function send(c: MuxClient<Environ>, path: string, limits = { headTimeoutMs: 0, idleTimeoutMs: 0 }, body?: Buffer) {
  const recording = recordingSink();
  const accepted = signal();
  const call = c.call(environ(path), limits, { ...recording.sink, accepted: accepted.resolve });
  recording.attach(call);
  if (body) call.write(body);
  else call.end();
  return { call, outcome: recording.outcome, accepted: accepted.promise };
}

const OK = { status: 200, reason: 'OK', headers: [] };

describe('head and idle limits', () => {
  it('should end a request whose head is late with the server layer named', async () => {
    const aborted = signal<AppError>();
    const server = await serve((call) => {
      if (call.head.pathInfo !== '/warm') {
        call.onabort = aborted.resolve;
        return;
      }
      call.respond(OK);
      call.end();
    });
    const c = client(server.address);
    // The stream is up before the clock starts: the server's timer runs from arrival, the client's backstop from send.
    expect((await send(c, '/warm').outcome).head?.status).toBe(200);
    const { error } = await send(c, '/late', { headTimeoutMs: 100, idleTimeoutMs: 0 }).outcome;
    expect(error?.code).toBe('FW_ERR_DEADLINE_EXCEEDED');
    expect((await aborted.promise).code).toBe('FW_ERR_DEADLINE_EXCEEDED');
  });

  it("should give up on an upstream that never answers by its own timer, the backstop's time past the limit", async () => {
    const silent = await startSilentServer();
    cleanups.push(() => silent.stop());
    const waited = async (headBackstopMs?: number): Promise<{ code?: string; ms: number }> => {
      const c = new MuxClient(silent.address, frameworkBoundary, {
        errors: frameworkHopErrors.client,
        ...(headBackstopMs === undefined ? {} : { headBackstopMs }),
      });
      cleanups.push(() => c.close());
      const started = performance.now();
      const { error } = await send(c, '/late', { headTimeoutMs: 100, idleTimeoutMs: 0 }).outcome;
      return { ...(error ? { code: error.code } : {}), ms: performance.now() - started };
    };
    // Node's timers run on the loop's clock, which may be a few ms behind the moment a call is made.
    const byDefault = await waited();
    expect(byDefault.code).toBe('GW_ERR_DEADLINE_EXCEEDED');
    expect(byDefault.ms).toBeGreaterThan(100 + 50 - 10);
    expect(byDefault.ms).toBeLessThan(100 + 300 - 10);
    const wider = await waited(300);
    expect(wider.code).toBe('GW_ERR_DEADLINE_EXCEEDED');
    expect(wider.ms).toBeGreaterThan(100 + 300 - 10);
  });

  it('should let a response run past the head limit once its head was sent in time', async () => {
    const server = await serve((call) => {
      call.respond(OK);
      let n = 0;
      const tick = setInterval(() => {
        call.write(Buffer.from(`${++n}\n`));
        if (n === 6) {
          clearInterval(tick);
          call.end();
        }
      }, 50);
    });
    const { head, body, error } = await send(client(server.address), '/stream', {
      headTimeoutMs: 100,
      idleTimeoutMs: 200,
    }).outcome;
    expect(error).toBeUndefined();
    expect(head?.status).toBe(200);
    expect(body.toString().split('\n').filter(Boolean)).toHaveLength(6);
  });

  it('should end a response that goes silent for its idle limit, and abort the handler', async () => {
    const aborted = signal<AppError>();
    const server = await serve((call) => {
      call.onabort = aborted.resolve;
      call.respond(OK);
      call.write(Buffer.from('first and last'));
    });
    const started = performance.now();
    const { head, error } = await send(client(server.address), '/silent', { headTimeoutMs: 0, idleTimeoutMs: 150 })
      .outcome;
    expect(head?.status).toBe(200);
    expect(error?.code).toBe('FW_ERR_IDLE_TIMEOUT');
    expect((await aborted.promise).code).toBe('FW_ERR_IDLE_TIMEOUT');
    expect(performance.now() - started).toBeLessThan(1_000);
  });

  it('should not count the time an application takes before its head as idle', async () => {
    const server = await serve((call) =>
      setTimeout(() => {
        call.respond(OK);
        call.end();
      }, 300),
    );
    const { head, error } = await send(client(server.address), '/thinks', { headTimeoutMs: 0, idleTimeoutMs: 100 })
      .outcome;
    expect(error).toBeUndefined();
    expect(head?.status).toBe(200);
  });
});

describe('accepted and not accepted', () => {
  it('should tell a client still sending its body that the request was admitted', async () => {
    const server = await serve((call) => call.accept());
    const { accepted, call } = send(client(server.address), '/upload', undefined, Buffer.from('part one'));
    await accepted;
    call.cancel();
  });

  it('should mark calls on a stream that never became ready as not accepted', async () => {
    const server = await serve(() => {});
    const address = server.address;
    server.stop();
    const { error } = await send(client(address), '/').outcome;
    expect(error).toMatchObject({ code: 'GW_ERR_FRAMEWORK_UNAVAILABLE', notAccepted: true });
  });

  it('should mark calls that reached a server when its stream broke as accepted (not retryable for any method)', async () => {
    const arrived = signal();
    const server = await serve(() => arrived.resolve());
    const c = client(server.address);
    const inFlight = send(c, '/').outcome;
    await arrived.promise;
    server.stop();
    expect((await inFlight).error).toMatchObject({ code: 'GW_ERR_FRAMEWORK_UNAVAILABLE', notAccepted: false });
  });
});

describe('drain', () => {
  it('should say goaway, refuse what crosses it as not accepted, and end once the client is done', async () => {
    const arrived = signal<ServerCall<Environ>>();
    const server = await serve(arrived.resolve);
    const availability: boolean[] = [];
    const c = new MuxClient<Environ>(server.address, frameworkBoundary, {
      errors: frameworkHopErrors.client,
      onAvailability: (available) => availability.push(available),
    });
    cleanups.push(() => c.close());
    const first = send(c, '/first').outcome;
    const call = await arrived.promise;
    const drained = server.service.drain();
    const crossing = await send(c, '/crossing').outcome;
    expect(crossing.error).toMatchObject({ code: 'FW_ERR_SHUTTING_DOWN', notAccepted: true });
    call.respond(OK);
    call.end();
    expect((await first).head?.status).toBe(200);
    await drained;
    expect(availability).toEqual([true]);
  });
});
