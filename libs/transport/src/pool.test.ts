import type { Environ } from '@mono/contracts';
import { AppError } from '@mono/errors';
import { frameworkBoundary } from '@mono/contracts';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { frameworkHopErrors } from './hop-errors';
import { Pool, type PoolSettings } from './pool';
import type { ServerCall } from './server-call';
import { environ, recordingSink, signal, startTestServer, type TestServer } from './testing';

const cleanups: Array<() => void> = [];
afterEach(() => {
  while (cleanups.length > 0) cleanups.pop()?.();
});

const OK = { status: 200, reason: 'OK', headers: [] };

/** A server that answers with its own name in X-Server, or runs `handler`. */
async function serve(name: string, handler?: (call: ServerCall<Environ>) => void, port = 0): Promise<TestServer> {
  const server = await startTestServer<Environ>(
    handler ??
      ((call) => {
        call.accept();
        call.body.attach({
          data: (chunk) => call.body.consumed(chunk.byteLength),
          end: () => {
            call.respond({ ...OK, headers: [{ name: 'X-Server', value: name }] });
            call.end();
          },
          error: () => {},
        });
      }),
    { port },
  );
  cleanups.push(() => server.stop());
  return server;
}

async function pool(settings: PoolSettings, resolver?: (host: string) => Promise<string[]>) {
  const events: string[] = [];
  const p = new Pool(
    frameworkBoundary,
    { resolveEveryMs: 0, ...settings },
    { errors: frameworkHopErrors.client },
    {
      events: {
        onMember: (address, event) => events.push(`${event} ${address}`),
        onRetry: (reason) => events.push(`retry ${reason}`),
      },
      ...(resolver ? { resolver } : {}),
    },
  );
  cleanups.push(() => p.close());
  await p.start();
  return { pool: p, events };
}

function send(p: Pool<Environ>, { method = 'GET', body }: { method?: string; body?: Buffer } = {}) {
  const recording = recordingSink();
  const call = p.call(
    { ...environ('/'), requestMethod: method },
    { headTimeoutMs: 0, idleTimeoutMs: 0 },
    recording.sink,
    { idempotent: method === 'GET' },
  );
  if (body) call.write(body);
  call.end();
  return recording.outcome;
}

async function servedBy(p: Pool<Environ>, n: number): Promise<string[]> {
  const names: string[] = [];
  for (let i = 0; i < n; i += 1) {
    const { head, error } = await send(p);
    names.push(error ? error.code : (head?.headers.find((h) => h.name === 'X-Server')?.value ?? '?'));
  }
  return names;
}

describe('Pool', () => {
  it('should hand a whole response to a sink that takes it as its last chunk, and to any other as data and end', async () => {
    const a = await serve('a', (call) => {
      call.respond(OK);
      void call.write(Buffer.from('whole'));
      call.end();
    });
    const { pool: p } = await pool({ servers: [a.address] });
    const heard: string[] = [];
    const done = signal();
    const sink = {
      head: () => heard.push('head'),
      data: (chunk: Uint8Array) => heard.push(`data ${Buffer.from(chunk).toString()}`),
      last: (chunk: Uint8Array) => {
        heard.push(`last ${Buffer.from(chunk).toString()}`);
        done.resolve();
      },
      end: () => heard.push('end'),
      error: (err: AppError) => heard.push(`error ${err.code}`),
    };
    p.call(environ('/'), { headTimeoutMs: 0, idleTimeoutMs: 0 }, sink, { idempotent: true }).end();
    await done.promise;
    expect(heard).toEqual(['head', 'last whole']);
    const { body, error } = await send(p);
    expect(error).toBeUndefined();
    expect(body.toString()).toBe('whole');
  });

  it('should balance round-robin over every member', async () => {
    const [a, b] = await Promise.all([serve('a'), serve('b')]);
    const { pool: p } = await pool({ servers: [a.address, b.address] });
    expect((await servedBy(p, 4)).sort()).toEqual(['a', 'a', 'b', 'b']);
  });

  it('should send to the member with the fewest requests outstanding', async () => {
    const held = signal<{ name: string; call: ServerCall<Environ> }>();
    const holding = (name: string) => (call: ServerCall<Environ>) => {
      if (call.head.pathInfo === '/hold') held.resolve({ name, call });
      else {
        call.respond({ ...OK, headers: [{ name: 'X-Server', value: name }] });
        call.end();
      }
    };
    const [a, b] = await Promise.all([serve('a', holding('a')), serve('b', holding('b'))]);
    const { pool: p } = await pool({ servers: [a.address, b.address], balance: 'least-outstanding' });
    const recording = recordingSink();
    p.call(environ('/hold'), { headTimeoutMs: 0, idleTimeoutMs: 0 }, recording.sink, { idempotent: true }).end();
    const { name, call } = await held.promise;
    const other = name === 'a' ? 'b' : 'a';
    expect(await servedBy(p, 3)).toEqual([other, other, other]);
    call.fail(new AppError('FW_ERR_INTERNAL'));
    await recording.outcome;
  });

  it('should send a GET whose member died under it to another member, and take the dead one out', async () => {
    const arrived = signal<TestServer>();
    let first = true;
    const servers = new Map<string, TestServer>();
    const firstHangs = (name: string) => (call: ServerCall<Environ>) => {
      if (first) {
        first = false;
        arrived.resolve(servers.get(name) as TestServer);
        return;
      }
      call.respond({ ...OK, headers: [{ name: 'X-Server', value: name }] });
      call.end();
    };
    servers.set('a', await serve('a', firstHangs('a')));
    servers.set('b', await serve('b', firstHangs('b')));
    const { pool: p, events } = await pool({ servers: [...servers.values()].map((s) => s.address) });
    const get = send(p);
    const dying = await arrived.promise;
    dying.stop();
    const survivor = servers.get('a') === dying ? 'b' : 'a';
    expect((await get).head?.headers).toEqual([{ name: 'X-Server', value: survivor }]);
    expect(events).toContain('retry stream broke');
    expect(events).toContain(`ejected ${dying.address}`);
    expect(await servedBy(p, 3)).toEqual([survivor, survivor, survivor]);
    expect(p.stats()).toMatchObject({ retries: 1, ejections: 1 });
  });

  it('should never send a POST that reached a member again', async () => {
    const arrived = signal<TestServer>();
    let runs = 0;
    const servers: TestServer[] = [];
    const counting = () => {
      runs += 1;
      arrived.resolve(servers[0] as TestServer);
    };
    servers.push(await serve('a', counting), await serve('b', counting));
    const { pool: p, events } = await pool({ servers: servers.map((s) => s.address) });
    // Which member got it does not matter: both count, and both are stopped once it arrived.
    const post = send(p, { method: 'POST' });
    await arrived.promise;
    for (const server of servers) server.stop();
    expect((await post).error).toMatchObject({ code: 'GW_ERR_FRAMEWORK_UNAVAILABLE', notAccepted: false });
    expect(runs).toBe(1);
    expect(events.filter((e) => e.startsWith('retry'))).toEqual([]);
  });

  it('should send a POST with its body elsewhere when a member refuses it as not accepted', async () => {
    const draining = await serve('draining');
    const b = await serve('b');
    const { pool: p, events } = await pool({ servers: [draining.address, b.address] });
    await servedBy(p, 2);
    void draining.service.drain();
    const outcomes = await Promise.all([0, 1, 2, 3].map(() => send(p, { method: 'POST', body: Buffer.from('x') })));
    for (const { head } of outcomes) expect(head?.headers).toEqual([{ name: 'X-Server', value: 'b' }]);
    expect(events.some((e) => e === 'retry not accepted' || e === `not serving ${draining.address}`)).toBe(true);
  });

  it('should try another member with a body it holds, and answer as refused once it no longer holds it', async () => {
    let refusals = 0;
    const refuse = (call: ServerCall<Environ>) => {
      refusals += 1;
      call.fail(new AppError('GW_ERR_OVERLOADED', 'full', { notAccepted: true }));
    };
    const [a, b] = await Promise.all([serve('a', refuse), serve('b', refuse)]);
    const { pool: p, events } = await pool({ servers: [a.address, b.address], retainBodyBytes: 4 });
    const held = await send(p, { method: 'POST', body: Buffer.from('tiny') });
    expect(held.error).toMatchObject({ code: 'GW_ERR_OVERLOADED', notAccepted: false });
    expect([refusals, events.filter((e) => e === 'retry not accepted').length]).toEqual([2, 1]);
    const tooLong = await send(p, { method: 'POST', body: Buffer.from('too long') });
    expect(tooLong.error).toMatchObject({ code: 'GW_ERR_OVERLOADED', notAccepted: false });
    expect(refusals).toBe(3);
  });

  it('should take a member that reports NOT_SERVING out at once, and back when it serves', async () => {
    const [a, b] = await Promise.all([serve('a'), serve('b')]);
    const { pool: p, events } = await pool({ servers: [a.address, b.address] });
    await vi.waitFor(() => expect(events.filter((e) => e.startsWith('serving'))).toHaveLength(2));
    a.serving(false);
    await vi.waitFor(() => expect(events).toContain(`not serving ${a.address}`));
    expect(await servedBy(p, 3)).toEqual(['b', 'b', 'b']);
    a.serving(true);
    await vi.waitFor(() => expect(events.filter((e) => e === `serving ${a.address}`)).toHaveLength(2));
    expect((await servedBy(p, 4)).sort()).toEqual(['a', 'a', 'b', 'b']);
  });

  it('should take a member out as soon as its health Watch breaks, before any request finds it dead', async () => {
    const [a, b] = await Promise.all([serve('a'), serve('b')]);
    const { pool: p, events } = await pool({ servers: [a.address, b.address] });
    await vi.waitFor(() => expect(events.filter((e) => e.startsWith('serving'))).toHaveLength(2));
    a.stop();
    await vi.waitFor(() => expect(events).toContain(`ejected ${a.address}`));
    expect(p.stats().members.find((m) => m.address === a.address)).toMatchObject({ state: 'ejected', requests: 0 });
    expect(await servedBy(p, 3)).toEqual(['b', 'b', 'b']);
    expect(p.stats().ejections).toBe(1);
  });

  it('should use a member that came back at its address again as soon as its channel reconnects', async () => {
    const [a, b] = await Promise.all([serve('a'), serve('b')]);
    const { pool: p, events } = await pool({ servers: [a.address, b.address] });
    await vi.waitFor(() => expect(events.filter((e) => e.startsWith('serving'))).toHaveLength(2));
    a.stop();
    await vi.waitFor(() => expect(events).toContain(`ejected ${a.address}`));
    const back = await serve('a again', undefined, a.port);
    const restartedAt = performance.now();
    await vi.waitFor(() => expect(events.filter((e) => e === `serving ${a.address}`)).toHaveLength(2), {
      timeout: 3_000,
      interval: 5,
    });
    // Within the channel's reconnect backoff (100 ms, then x1.6: the server was away for a few ms), not after a
    // fixed pause of the Watch's own (it was 1 s) or the ejection's 10 s.
    expect(performance.now() - restartedAt).toBeLessThan(500);
    expect(p.stats().members.find((m) => m.address === back.address)?.state).toBe('up');
    expect((await servedBy(p, 4)).sort()).toEqual(['a again', 'a again', 'b', 'b']);
  });

  it('should never take a lone member out', async () => {
    const a = await serve('a');
    const address = a.address;
    const { pool: p } = await pool({ servers: [address] });
    a.stop();
    expect((await send(p)).error?.code).toBe('GW_ERR_FRAMEWORK_UNAVAILABLE');
    const back = await startTestServer<Environ>((call) => (call.respond(OK), call.end()), { port: a.port });
    cleanups.push(() => back.stop());
    await vi.waitFor(async () => expect((await send(p)).head?.status).toBe(200), { timeout: 3_000, interval: 50 });
  });

  it('should answer at once when every member is out', async () => {
    const [a, b] = await Promise.all([serve('a'), serve('b')]);
    const { pool: p } = await pool({ servers: [a.address, b.address] });
    a.stop();
    b.stop();
    await servedBy(p, 2);
    const started = performance.now();
    expect((await send(p)).error?.message).toBe('no framework instance is reachable');
    expect(performance.now() - started).toBeLessThan(100);
  });

  it('should make every address of a name a member, and follow the name as it changes', async () => {
    const [a, b] = await Promise.all([serve('a'), serve('b')]);
    let addresses = ['127.0.0.1'];
    const port = (s: TestServer) => s.port;
    const resolver = async () => addresses;
    const { pool: p, events } = await pool({ servers: [`framework:${port(a)}`] }, resolver);
    expect(p.stats().members.map((m) => m.address)).toEqual([`127.0.0.1:${port(a)}`]);
    addresses = ['127.0.0.1', '127.0.0.2'];
    await p.resolve();
    expect(events).toContain(`added 127.0.0.2:${port(a)}`);
    addresses = ['127.0.0.2'];
    await p.resolve();
    expect(events).toContain(`removed 127.0.0.1:${port(a)}`);
    void b;
  });
});
