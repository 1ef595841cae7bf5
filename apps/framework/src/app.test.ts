import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Environ as EnvironMessage } from '@mono/contracts';
import { createLogger } from '@mono/telemetry';
import { checkHealth, type MuxClient } from '@mono/transport';
import { environ as wireEnviron, recordingSink, testClient } from '@mono/transport/testing';
import type { Application, Environ } from '@mono/tsgi';
import { afterEach, describe, expect, it, onTestFinished } from 'vitest';
import { buildFramework } from './app';
import { loadFrameworkConfig } from './config';
import { DEMO_APP, findDemoApp, loadApplications, type HostedApplication } from './load-applications';
import { scratchDir } from './testing';

const log = createLogger('framework', 'silent');
function moduleDir(): string {
  return scratchDir('fw-app-');
}
const cleanups: Array<() => unknown> = [];
afterEach(async () => {
  while (cleanups.length > 0) await cleanups.pop()?.();
});

async function start(app: Application | readonly HostedApplication[], env: Record<string, string> = {}) {
  const applications = typeof app === 'function' ? [{ name: 'default', app, env: {} }] : app;
  const framework = buildFramework(loadFrameworkConfig({ FRAMEWORK_PORT: '0', ...env }), { applications, log });
  const port = await framework.listen();
  let stopped: Promise<void> | undefined;
  const shutdown = () => (stopped ??= framework.shutdown());
  cleanups.push(shutdown);
  const client = testClient(`127.0.0.1:${port}`);
  cleanups.push(() => client.close());
  return { client, address: `127.0.0.1:${port}`, shutdown, framework };
}

async function host(
  app: Application | readonly HostedApplication[],
  env: Record<string, string> = {},
): Promise<MuxClient<EnvironMessage>> {
  return (await start(app, env)).client;
}

/** A promise and the function that resolves it, for a test to wait on what the application saw. */
function signal<T = void>(): { promise: Promise<T>; resolve: (value: T) => void } {
  let resolve!: (value: T) => void;
  const promise = new Promise<T>((r) => (resolve = r));
  return { promise, resolve };
}

function aborted(environ: Environ): Promise<unknown> {
  const abort = environ['tsgi.signal'];
  return new Promise((resolve) => abort.addEventListener('abort', () => resolve(abort.reason)));
}

function send(client: MuxClient<EnvironMessage>, wire: EnvironMessage, { body = [] as string[], timeoutMs = 0 } = {}) {
  const recording = recordingSink();
  const call = client.call(wire, { headTimeoutMs: timeoutMs, idleTimeoutMs: 0 }, recording.sink);
  recording.attach(call);
  for (const chunk of body) call.write(Buffer.from(chunk));
  call.end();
  return recording.outcome;
}

describe('framework host', () => {
  it('should give the application the environ the gateway built, with HTTP_* and tsgi.* keys', async () => {
    let seen: Environ | undefined;
    const client = await host(
      (environ, startResponse) => {
        seen = environ;
        startResponse('200 OK', []);
        return [];
      },
      { FRAMEWORK_MULTIPROCESS: 'true' },
    );
    await send(client, {
      ...wireEnviron('/x'),
      scriptName: '/app',
      headers: [
        { name: 'X-Rep', value: 'a' },
        { name: 'X-Rep', value: 'b' },
      ],
      variables: { REQUEST_ID: 'rid-1' },
    });
    expect(seen).toMatchObject({
      SCRIPT_NAME: '/app',
      PATH_INFO: '/x',
      HTTP_X_REP: 'a, b',
      REQUEST_ID: 'rid-1',
      'tsgi.url_scheme': 'http',
      'tsgi.multiprocess': true,
    });
    expect(seen?.['tsgi.headers']).toEqual([
      ['X-Rep', 'a'],
      ['X-Rep', 'b'],
    ]);
  });

  it('should stream the request body to tsgi.input and the response body back', async () => {
    const client = await host(async (environ, startResponse) => {
      const body = await environ['tsgi.input'].read();
      startResponse('200 OK', [['Content-Type', 'text/plain']]);
      return [Buffer.from(`got ${Buffer.from(body).toString()}`)];
    });
    const { head, body } = await send(
      client,
      { ...wireEnviron('/'), requestMethod: 'POST' },
      { body: ['a', 'b', 'c'] },
    );
    expect(head?.status).toBe(200);
    expect(head?.headers).toContainEqual({ name: 'Content-Length', value: '7' });
    expect(body.toString()).toBe('got abc');
  });

  it('should answer an application that throws with FW_ERR_APPLICATION_FAILED, and one that breaks the interface with FW_ERR_PROTOCOL_VIOLATION', async () => {
    const throwing = await host(() => {
      throw new Error('boom');
    });
    expect((await send(throwing, wireEnviron())).error?.code).toBe('FW_ERR_APPLICATION_FAILED');
    const rejecting = await host(async () => {
      throw new Error('later');
    });
    expect((await send(rejecting, wireEnviron())).error?.code).toBe('FW_ERR_APPLICATION_FAILED');
    const breaking = await host((_environ, startResponse) => {
      startResponse('OK', []);
      return [];
    });
    expect((await send(breaking, wireEnviron())).error?.code).toBe('FW_ERR_PROTOCOL_VIOLATION');
  });

  it('should abort the application signal at the deadline and fail the call with FW_ERR_DEADLINE_EXCEEDED', async () => {
    const reason = signal<unknown>();
    const client = await host(async (environ) => {
      reason.resolve(await aborted(environ));
      return [];
    });
    const { error } = await send(client, wireEnviron(), { timeoutMs: 100 });
    expect(error?.code).toBe('FW_ERR_DEADLINE_EXCEEDED');
    expect(await reason.promise).toMatchObject({ code: 'FW_ERR_DEADLINE_EXCEEDED' });
  });
});

describe('framework shutdown', () => {
  it('should let a request in flight finish, refusing new ones and reporting NOT_SERVING meanwhile', async () => {
    const called = signal();
    const finish = signal();
    const { client, address, shutdown } = await start(async (_environ, startResponse) => {
      called.resolve();
      await finish.promise;
      startResponse('200 OK', []);
      return [Buffer.from('finished')];
    });
    const inFlight = send(client, wireEnviron('/in-flight'));
    await called.promise;
    let stopped = false;
    const stopping = shutdown().then(() => (stopped = true));
    expect(await checkHealth(address)).toBe('NOT_SERVING');
    expect((await send(client, wireEnviron('/late'))).error?.code).toBe('FW_ERR_SHUTTING_DOWN');
    expect(stopped).toBe(false);
    finish.resolve();
    const { head, body, error } = await inFlight;
    expect(error).toBeUndefined();
    expect(head?.status).toBe(200);
    expect(body.toString()).toBe('finished');
    await stopping;
  });

  it('should retire without refusing anything: stop listening, serve what still reaches it, finish, stay SERVING', async () => {
    const called = signal();
    const finish = signal();
    const { client, address, framework } = await start(async (environ, startResponse) => {
      if (environ.PATH_INFO === '/in-flight') {
        called.resolve();
        await finish.promise;
      }
      startResponse('200 OK', []);
      return [Buffer.from(environ.PATH_INFO)];
    });
    const health: string[] = [];
    client.watchHealth((status) => health.push(status));
    const inFlight = send(client, wireEnviron('/in-flight'));
    await called.promise;
    expect(health).toContain('SERVING');
    const retiring = framework.retire();
    // Sent before the client hears the goaway: served here, not refused.
    const crossing = await send(client, wireEnviron('/crossing'));
    expect(crossing.error).toBeUndefined();
    expect(crossing.body.toString()).toBe('/crossing');
    // No longer listening: a new connection is refused.
    await expect(checkHealth(address, { timeoutMs: 500 })).rejects.toThrow();
    expect(framework.ready).toBe(true);
    finish.resolve();
    expect((await inFlight).body.toString()).toBe('/in-flight');
    await retiring;
    expect(framework.ready).toBe(false);
    expect(health).not.toContain('NOT_SERVING');
  });

  it('should stop after FRAMEWORK_SHUTDOWN_GRACE_MS when a request does not finish, aborting its signal', async () => {
    const called = signal();
    const reason = signal<unknown>();
    const { client, shutdown } = await start(
      async (environ) => {
        called.resolve();
        reason.resolve(await aborted(environ));
        return [];
      },
      { FRAMEWORK_SHUTDOWN_GRACE_MS: '100' },
    );
    const inFlight = send(client, wireEnviron('/never'));
    await called.promise;
    await shutdown();
    expect((await inFlight).error?.code).toBe('GW_ERR_FRAMEWORK_UNAVAILABLE');
    expect(await reason.promise).toMatchObject({ code: 'TRANSPORT_ERR_CANCELLED' });
  });
});

/** The default application from `module`, loaded as main.ts loads it. */
function loadDefault(module: string): HostedApplication[] {
  return loadApplications([{ name: 'default', module, env: {} }], {});
}

describe('loadApplications', () => {
  it('should host the `application` export of FRAMEWORK_APP', async () => {
    const dir = moduleDir();
    const file = join(dir, 'app.js');
    writeFileSync(
      file,
      "exports.application = (env, start) => { start('200 OK', []); return [Buffer.from('mine')]; };",
    );
    const client = await host(loadDefault(file));
    expect((await send(client, wireEnviron())).body.toString()).toBe('mine');
  });

  it('should host an Express app exported as `app`, and a fetch handler exported as `fetch`', async () => {
    const dir = moduleDir();
    const expressFile = join(dir, 'express-app.cjs');
    writeFileSync(expressFile, "exports.app = require('express')().get('/', (req, res) => res.send('from express'));");
    const fetchFile = join(dir, 'fetch-app.cjs');
    writeFileSync(fetchFile, "module.exports = { default: { fetch: () => new Response('from fetch') } };");
    expect((await send(await host(loadDefault(expressFile)), wireEnviron())).body.toString()).toBe('from express');
    expect((await send(await host(loadDefault(fetchFile)), wireEnviron())).body.toString()).toBe('from fetch');
  });

  it('should find the demo app in the nearest directory above that has its bundle', () => {
    const root = moduleDir();
    const bundle = join(root, DEMO_APP);
    mkdirSync(join(bundle, '..'), { recursive: true });
    writeFileSync(bundle, '');
    const from = join(root, 'apps', 'framework', 'dist');
    mkdirSync(from, { recursive: true });
    expect(findDemoApp(from)).toBe(bundle);
  });

  it('should name the missing demo bundle and how to build it', () => {
    // Outside the repository, whose own bundle the search would find.
    const outside = mkdtempSync(join(tmpdir(), 'fw-no-demo-'));
    onTestFinished(() => rmSync(outside, { recursive: true, force: true }));
    expect(() => findDemoApp(outside)).toThrow(/no examples\/express-demo\/dist\/index.cjs .*nx build express-demo/);
  });

  it('should say so when the module has no application', () => {
    const dir = moduleDir();
    const file = join(dir, 'empty.js');
    writeFileSync(file, 'exports.other = 1;');
    expect(() => loadDefault(file)).toThrow(
      `application default (${file}): ${file} exports no \`application\`, \`app\` or \`fetch\` function`,
    );
  });
});
