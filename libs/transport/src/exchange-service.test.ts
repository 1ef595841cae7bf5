import { frameworkBoundary, type Environ, type Limits } from '@mono/contracts';
import { afterEach, describe, expect, it } from 'vitest';
import { frameworkHopErrors } from './hop-errors';
import { noLimits } from './hop-limits';
import { MuxClient } from './mux-client';
import { Pool } from './pool';
import { echoHandler, environ, recordingSink, signal, startTestServer, type TestServer } from './testing';

const cleanups: Array<() => void> = [];
afterEach(() => {
  while (cleanups.length > 0) cleanups.pop()?.();
});

function bodyLimit(value: number, origin = ''): Limits {
  return {
    ...noLimits(),
    bodyBytes: { value, setting: 'framework.yaml limits.body', variable: 'FRAMEWORK_MAX_BODY_BYTES', origin },
  };
}

async function serve(limits?: Limits): Promise<TestServer> {
  const server = await startTestServer<Environ>(echoHandler, limits ? { limits } : {});
  cleanups.push(() => server.stop());
  return server;
}

/** Resolves with each set of limits `listen` hears, in order. */
function heard(): { onLimits: (limits: Limits) => void; next(): Promise<Limits> } {
  const queue: Limits[] = [];
  let waiting: ((limits: Limits) => void) | undefined;
  return {
    onLimits(limits) {
      if (waiting) {
        const wake = waiting;
        waiting = undefined;
        wake(limits);
      } else queue.push(limits);
    },
    next() {
      const limits = queue.shift();
      if (limits) return Promise.resolve(limits);
      return new Promise((resolve) => (waiting = resolve));
    },
  };
}

describe('limits over the exchange', () => {
  it('should tell a client what the server accepts when its stream opens, named by the address it dialled', async () => {
    const server = await serve(bodyLimit(65_536));
    const listener = heard();
    const client = new MuxClient(server.address, frameworkBoundary, {
      errors: frameworkHopErrors.client,
      onLimits: listener.onLimits,
    });
    cleanups.push(() => client.close());
    client.warm();
    const limits = await listener.next();
    expect(limits.bodyBytes).toEqual({
      value: 65_536,
      setting: 'framework.yaml limits.body',
      variable: 'FRAMEWORK_MAX_BODY_BYTES',
      origin: `framework ${server.address}`,
    });
    expect(client.limits).toEqual(limits);
  });

  it('should tell every open stream when the limits change, and new streams the new ones', async () => {
    const server = await serve(bodyLimit(65_536));
    const listener = heard();
    const client = new MuxClient(server.address, frameworkBoundary, {
      errors: frameworkHopErrors.client,
      onLimits: listener.onLimits,
    });
    cleanups.push(() => client.close());
    client.warm();
    await listener.next();
    server.service.announce(bodyLimit(1_024, 'framework 10.0.0.9:50061'));
    expect((await listener.next()).bodyBytes?.origin).toBe(
      `framework 10.0.0.9:50061 behind framework ${server.address}`,
    );
    const opened = signal<Limits>();
    const watcher = new MuxClient(server.address, frameworkBoundary, {
      errors: frameworkHopErrors.client,
      onLimits: opened.resolve,
    });
    cleanups.push(() => watcher.close());
    watcher.warm();
    expect((await opened.promise).bodyBytes?.value).toBe(1_024);
  });

  it('should say nothing when the server has no limits to announce', async () => {
    const server = await serve();
    const client = new MuxClient(server.address, frameworkBoundary, { errors: frameworkHopErrors.client });
    cleanups.push(() => client.close());
    // A server sends its limits before any reply on the stream: once a reply came, none will.
    const recording = recordingSink();
    client.call(environ('/'), { headTimeoutMs: 0, idleTimeoutMs: 0 }, recording.sink).end();
    expect((await recording.outcome).head?.status).toBe(200);
    expect(client.limits).toBeUndefined();
  });
});

describe('Pool limits', () => {
  it('should accept, for each limit, what its strictest member announced, and say when that changes', async () => {
    const [a, b] = await Promise.all([serve(bodyLimit(65_536)), serve(bodyLimit(4_096))]);
    const listener = heard();
    const pool = new Pool(
      frameworkBoundary,
      { servers: [a.address, b.address], resolveEveryMs: 0 },
      { errors: frameworkHopErrors.client },
      { events: { onLimits: listener.onLimits } },
    );
    cleanups.push(() => pool.close());
    await pool.start();
    let limits = await listener.next();
    while (limits.bodyBytes?.value !== 4_096) limits = await listener.next();
    expect(limits.bodyBytes.origin).toBe(`framework ${b.address}`);
    expect(pool.limits).toBe(limits);
    b.service.announce(bodyLimit(1 << 20));
    expect((await listener.next()).bodyBytes?.origin).toBe(`framework ${a.address}`);
  });

  it('should say so when its members announce limits that limit nothing: the layer in front learns they agree', async () => {
    const server = await serve(bodyLimit(0));
    const listener = heard();
    const pool = new Pool(
      frameworkBoundary,
      { servers: [server.address], resolveEveryMs: 0 },
      { errors: frameworkHopErrors.client },
      { events: { onLimits: listener.onLimits } },
    );
    cleanups.push(() => pool.close());
    await pool.start();
    expect(await listener.next()).toEqual(noLimits());
  });
});
