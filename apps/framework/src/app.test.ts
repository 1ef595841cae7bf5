import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Environ as EnvironMessage } from '@mono/contracts';
import { createLogger } from '@mono/telemetry';
import type { MuxClient } from '@mono/transport';
import { environ as wireEnviron, recordingSink, testClient } from '@mono/transport/testing';
import type { Application, Environ } from '@mono/tsgi';
import { afterEach, describe, expect, it } from 'vitest';
import { buildFramework } from './app';
import { loadFrameworkConfig } from './config';
import { DEMO_APP, findDemoApp, loadApplication } from './load-application';

const log = createLogger('framework', 'silent');
const scratch = join(__dirname, '..', '..', '..', 'tmp');

function moduleDir(): string {
  mkdirSync(scratch, { recursive: true });
  return mkdtempSync(join(scratch, 'fw-app-'));
}
const cleanups: Array<() => unknown> = [];
afterEach(async () => {
  while (cleanups.length > 0) await cleanups.pop()?.();
});

async function host(app: Application): Promise<MuxClient<EnvironMessage>> {
  const framework = buildFramework(loadFrameworkConfig({ FRAMEWORK_PORT: '0' }), { app, log });
  const port = await framework.listen();
  cleanups.push(() => framework.shutdown());
  const client = testClient(`127.0.0.1:${port}`);
  cleanups.push(() => client.close());
  return client;
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
    const client = await host((environ, startResponse) => {
      seen = environ;
      startResponse('200 OK', []);
      return [];
    });
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
      'tsgi.multithread': true,
      'tsgi.input_terminated': true,
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
    const breaking = await host((_environ, startResponse) => {
      startResponse('OK', []);
      return [];
    });
    expect((await send(breaking, wireEnviron())).error?.code).toBe('FW_ERR_PROTOCOL_VIOLATION');
  });

  it('should abort the application signal at the deadline and answer 504', async () => {
    let aborted = false;
    const client = await host(async (environ) => {
      environ['tsgi.signal'].addEventListener('abort', () => (aborted = true));
      await sleep(5_000, undefined, { signal: environ['tsgi.signal'] }).catch(() => {});
      return [];
    });
    const { error } = await send(client, wireEnviron(), { timeoutMs: 100 });
    expect(error?.httpStatus).toBe(504);
    await sleep(20);
    expect(aborted).toBe(true);
  });
});

describe('loadApplication', () => {
  it('should host the `application` export of FRAMEWORK_APP', async () => {
    const dir = moduleDir();
    const file = join(dir, 'app.js');
    writeFileSync(
      file,
      "exports.application = (env, start) => { start('200 OK', []); return [Buffer.from('mine')]; };",
    );
    const client = await host(loadApplication(file));
    expect((await send(client, wireEnviron())).body.toString()).toBe('mine');
  });

  it('should host an Express app exported as `app`, and a fetch handler exported as `fetch`', async () => {
    const dir = moduleDir();
    const expressFile = join(dir, 'express-app.cjs');
    writeFileSync(expressFile, "exports.app = require('express')().get('/', (req, res) => res.send('from express'));");
    const fetchFile = join(dir, 'fetch-app.cjs');
    writeFileSync(fetchFile, "module.exports = { default: { fetch: () => new Response('from fetch') } };");
    expect((await send(await host(loadApplication(expressFile)), wireEnviron())).body.toString()).toBe('from express');
    expect((await send(await host(loadApplication(fetchFile)), wireEnviron())).body.toString()).toBe('from fetch');
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
    expect(() => findDemoApp(mkdtempSync(join(tmpdir(), 'fw-no-demo-')))).toThrow(
      /no examples\/express-demo\/dist\/index.cjs .*nx build express-demo/,
    );
  });

  it('should say so when the module has no application', () => {
    const dir = moduleDir();
    const file = join(dir, 'empty.js');
    writeFileSync(file, 'exports.other = 1;');
    expect(() => loadApplication(file)).toThrow(/exports no `application`, `app` or `fetch`/);
  });
});
