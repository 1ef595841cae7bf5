import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import type { Environ as EnvironMessage } from '@mono/contracts';
import { createLogger } from '@mono/telemetry';
import type { MuxClient } from '@mono/transport';
import { environ as wireEnviron, recordingSink, testClient } from '@mono/transport/testing';
import type { Application, Environ } from '@mono/tsgi';
import { afterEach, describe, expect, it } from 'vitest';
import { buildFramework, type Framework } from './app';
import { loadFrameworkConfig } from './config';
import { loadApplications, type HostedApplication } from './load-applications';
import { scratchDir } from './testing';

const cleanups: Array<() => unknown> = [];
afterEach(async () => {
  while (cleanups.length > 0) await cleanups.pop()?.();
});

/** An application that answers with its name and the environ keys the test asks about. */
function named(name: string, seen: Environ[] = []): Application {
  return (environ, startResponse) => {
    seen.push(environ);
    startResponse('200 OK', []);
    return [Buffer.from(name)];
  };
}

function hosted(name: string, app: Application, env: Record<string, string> = {}): HostedApplication {
  return { name, app, env };
}

async function start(
  applications: readonly HostedApplication[],
  env: Record<string, string> = {},
  log = createLogger('framework', 'silent'),
): Promise<{ client: MuxClient<EnvironMessage>; framework: Framework }> {
  const framework = buildFramework(loadFrameworkConfig({ FRAMEWORK_PORT: '0', ...env }), { applications, log });
  const port = await framework.listen();
  const client = testClient(`127.0.0.1:${port}`);
  cleanups.push(
    () => framework.shutdown(),
    () => client.close(),
  );
  return { client, framework };
}

function send(client: MuxClient<EnvironMessage>, application: string, variables: Record<string, string> = {}) {
  const recording = recordingSink();
  const call = client.call(
    { ...wireEnviron('/'), application, variables },
    { headTimeoutMs: 0, idleTimeoutMs: 0 },
    recording.sink,
  );
  recording.attach(call);
  call.end();
  return recording.outcome;
}

/** A logger whose JSON lines the test reads. */
function recordingLog(): { log: ReturnType<typeof createLogger>; lines: Array<Record<string, unknown>> } {
  const lines: Array<Record<string, unknown>> = [];
  const destination = new Writable({
    write(chunk: Buffer, _encoding, done) {
      lines.push(JSON.parse(chunk.toString()) as Record<string, unknown>);
      done();
    },
  });
  return { log: createLogger('framework', 'info', destination), lines };
}

describe('several applications', () => {
  it('should hand each request to the application its mount names, "" and "default" to the default one', async () => {
    const { client } = await start([
      hosted('default', named('the default')),
      hosted('fetch', named('the fetch one')),
      hosted('plain', named('the plain one')),
    ]);
    expect((await send(client, '')).body.toString()).toBe('the default');
    expect((await send(client, 'default')).body.toString()).toBe('the default');
    expect((await send(client, 'fetch')).body.toString()).toBe('the fetch one');
    expect((await send(client, 'plain')).body.toString()).toBe('the plain one');
  });

  it('should refuse an application it does not host as not accepted, 404, and log the name once', async () => {
    const { log, lines } = recordingLog();
    const { client } = await start([hosted('default', named('d')), hosted('fetch', named('f'))], {}, log);
    const first = await send(client, 'nope');
    expect(first.error).toMatchObject({ code: 'FW_ERR_NO_APPLICATION', httpStatus: 404, notAccepted: true });
    expect(first.error?.message).toBe('no application "nope" is hosted here');
    await send(client, 'nope');
    const logged = lines.filter((line) => line['msg'] === 'a request names an application that is not hosted here');
    expect(logged).toEqual([
      expect.objectContaining({ application: 'nope', hosted: 'default, fetch', level: 'error' }),
    ]);
  });

  it("should put each application's own variables in its environ, below the gateway's variables", async () => {
    const seen: Environ[] = [];
    const { client } = await start([
      hosted('default', named('d', seen)),
      hosted('fetch', named('f', seen), { GREETING: 'hi', REQUEST_ID: 'shadowed' }),
    ]);
    await send(client, 'fetch', { REQUEST_ID: 'rid-1' });
    await send(client, '');
    expect(seen[0]).toMatchObject({ GREETING: 'hi', REQUEST_ID: 'rid-1' });
    expect(seen[1]).not.toHaveProperty('GREETING');
  });

  it('should check every hosted application against the interface with FRAMEWORK_VALIDATE=true', async () => {
    const breaking: Application = (_environ, startResponse) => {
      startResponse('200 OK', [['Content-Type', 'text/plain\n']]);
      return [Buffer.from('x')];
    };
    const { client } = await start([hosted('default', named('d')), hosted('broken', breaking)], {
      FRAMEWORK_VALIDATE: 'true',
    });
    const { error } = await send(client, 'broken');
    expect(error?.code).toBe('FW_ERR_PROTOCOL_VIOLATION');
    expect(error?.message).toMatch(/header/);
    expect((await send(client, '')).body.toString()).toBe('d');
  });

  it('should count requests, statuses, cancellations and durations per application', async () => {
    const notFound: Application = (_environ, startResponse) => {
      startResponse('404 Not Found', []);
      return [];
    };
    const { client, framework } = await start([hosted('default', named('d')), hosted('other', notFound)]);
    await send(client, '');
    await send(client, '');
    await send(client, 'other');
    await send(client, 'missing');
    const stats = framework.stats();
    expect(stats).toMatchObject({
      requests: 4,
      inFlight: 0,
      byStatus: { '200': 2, '404': 2 },
      unknownApplication: 1,
      applications: {
        default: { requests: 2, inFlight: 0, byStatus: { '200': 2 }, cancelled: 0, durationMs: { count: 2 } },
        other: { requests: 1, byStatus: { '404': 1 }, durationMs: { count: 1 } },
      },
    });
  });
});

describe('loadApplications', () => {
  function moduleDir(): string {
    return scratchDir('fw-apps-');
  }

  it("should load each module with the application's variables in process.env, and put them back after", () => {
    const dir = moduleDir();
    const file = join(dir, 'reads-env.cjs');
    writeFileSync(
      file,
      `const greeting = process.env.GREETING ?? 'none';
       exports.application = (env, start) => { start('200 OK', []); return [Buffer.from(greeting)]; };`,
    );
    const env: Record<string, string | undefined> = { GREETING: 'process-wide' };
    const [first, second] = loadApplications(
      [
        { name: 'default', module: file, env: { GREETING: 'hello' } },
        { name: 'other', module: `${file}:application:tsgi`, env: {} },
      ],
      env,
    );
    expect(first).toMatchObject({
      name: 'default',
      kind: 'tsgi',
      source: `${file}:application`,
      env: { GREETING: 'hello' },
    });
    // One module, one instance (Node caches it): the second application shares what the first one loaded.
    expect(second?.app).toBe(first?.app);
    expect(env).toEqual({ GREETING: 'process-wide' });
  });

  it('should name every application that fails to load', () => {
    const dir = moduleDir();
    const throwing = join(dir, 'throws.cjs');
    writeFileSync(throwing, `throw new Error('cannot start: no database');`);
    const missing = join(dir, 'missing.cjs');
    expect(() =>
      loadApplications(
        [
          { name: 'default', module: throwing, env: {} },
          { name: 'other', module: missing, env: {} },
        ],
        {},
      ),
    ).toThrow(
      new RegExp(
        `^application default \\(${throwing}\\): cannot start: no database\\napplication other \\(${missing}\\): Cannot find module`,
      ),
    );
  });
});
