import { frameworkBoundary, type Environ as EnvironMessage, type Limits } from '@mono/contracts';
import { createLogger } from '@mono/telemetry';
import { frameworkHopErrors, MuxClient, requestHeadBytes } from '@mono/transport';
import { environ as wireEnviron, recordingSink, signal } from '@mono/transport/testing';
import type { Application } from '@mono/tsgi';
import { afterEach, describe, expect, it } from 'vitest';
import { buildFramework, type Framework } from './app';
import { loadFrameworkConfig } from './config';

const log = createLogger('framework', 'silent');
const cleanups: Array<() => unknown> = [];
afterEach(async () => {
  while (cleanups.length > 0) await cleanups.pop()?.();
});

/** The framework with `limits` (its variables), hosting `app`; a client that also hears the limits announced. */
async function start(app: Application, env: Record<string, string>) {
  const config = loadFrameworkConfig({ FRAMEWORK_PORT: '0', ...env });
  const framework: Framework = buildFramework(config, { applications: [{ name: 'default', app, env: {} }], log });
  const port = await framework.listen();
  cleanups.push(() => framework.shutdown());
  const announced = signal<Limits>();
  const client = new MuxClient(`127.0.0.1:${port}`, frameworkBoundary, {
    errors: frameworkHopErrors.client,
    onLimits: announced.resolve,
  });
  cleanups.push(() => client.close());
  return { client, framework, port, announced: announced.promise };
}

/** Sends a request, its body chunks one event-loop turn apart (each its own frame). */
async function send(client: MuxClient<EnvironMessage>, wire: EnvironMessage, body: string[] = []) {
  const recording = recordingSink();
  const call = client.call(wire, { headTimeoutMs: 0, idleTimeoutMs: 0 }, recording.sink);
  recording.attach(call);
  for (const chunk of body) {
    call.write(Buffer.from(chunk));
    await new Promise((resolve) => setImmediate(resolve));
  }
  call.end();
  return recording.outcome;
}

function post(contentLength = ''): EnvironMessage {
  return { ...wireEnviron('/upload'), requestMethod: 'POST', contentLength, inputTerminated: contentLength === '' };
}

/** An application that reads its whole input and reports what it read, or how reading failed. */
function reader(): { app: Application; saw: Promise<string> } {
  const saw = signal<string>();
  const app: Application = async (environ, startResponse) => {
    try {
      const body = await environ['tsgi.input'].read();
      saw.resolve(`read ${Buffer.from(body).toString()}`);
    } catch (err) {
      saw.resolve(`failed ${(err as { code?: string }).code}`);
      throw err;
    }
    startResponse('200 OK', []);
    return [Buffer.from('ok')];
  };
  return { app, saw: saw.promise };
}

describe('framework limits', () => {
  it('should tell the gateway what it takes when its stream opens, each limit naming its setting', async () => {
    const { app } = reader();
    const { client, port, announced } = await start(app, {
      FRAMEWORK_MAX_HEADER_BYTES: '4096',
      FRAMEWORK_MAX_BODY_BYTES: '65536',
    });
    client.warm();
    const limits = await announced;
    expect(limits.headerBytes).toEqual({
      value: 4_096,
      setting: 'framework.yaml limits.headers',
      variable: 'FRAMEWORK_MAX_HEADER_BYTES',
      origin: `framework 127.0.0.1:${port}`,
    });
    expect(limits.bodyBytes?.value).toBe(65_536);
  });

  it('should refuse a head over limits.headers with 431 before the application runs', async () => {
    let called = false;
    const { client, framework } = await start(
      () => {
        called = true;
        return [];
      },
      { FRAMEWORK_MAX_HEADER_BYTES: '1024' },
    );
    const wire = { ...wireEnviron('/'), headers: [{ name: 'X-Big', value: 'x'.repeat(1_024) }] };
    const { error } = await send(client, wire);
    expect([error?.code, error?.httpStatus]).toEqual(['FW_ERR_HEADERS_TOO_LARGE', 431]);
    const bytes = requestHeadBytes(wire.requestMethod, wire.requestUri, wire.serverProtocol, wire.headers);
    expect(error?.message).toBe(
      `the request head of ${bytes} bytes exceeds framework.yaml limits.headers 1KiB (FRAMEWORK_MAX_HEADER_BYTES)`,
    );
    expect(called).toBe(false);
    expect(framework.stats().applications['default']?.byStatus).toEqual({ 431: 1 });
  });

  it('should refuse a declared body over limits.body with 413 at once, before the application runs', async () => {
    let called = false;
    const { client } = await start(
      () => {
        called = true;
        return [];
      },
      { FRAMEWORK_MAX_BODY_BYTES: '10' },
    );
    const { error } = await send(client, post('11'), ['01234567890']);
    expect([error?.code, error?.httpStatus]).toEqual(['FW_ERR_BODY_TOO_LARGE', 413]);
    expect(error?.message).toBe(
      'the body of 11 bytes exceeds framework.yaml limits.body 10B (FRAMEWORK_MAX_BODY_BYTES)',
    );
    expect(called).toBe(false);
  });

  it("should fail the application's input at the first byte of a chunked body beyond limits.body, and answer 413", async () => {
    const { app, saw } = reader();
    const { client } = await start(app, { FRAMEWORK_MAX_BODY_BYTES: '10' });
    const { head, error } = await send(client, post(), ['12345', '67890', 'x']);
    expect(await saw).toBe('failed FW_ERR_BODY_TOO_LARGE');
    expect(head).toBeUndefined();
    expect([error?.code, error?.httpStatus]).toEqual(['FW_ERR_BODY_TOO_LARGE', 413]);
  });

  it('should abort a response already under way when the body crosses limits.body', async () => {
    const saw = signal<string>();
    const app: Application = async (environ, startResponse) => {
      startResponse('200 OK', [])();
      try {
        await environ['tsgi.input'].read();
        saw.resolve('read it all');
      } catch (err) {
        saw.resolve(`failed ${(err as { code?: string }).code}`);
      }
      return [];
    };
    const { client } = await start(app, { FRAMEWORK_MAX_BODY_BYTES: '10' });
    const { head, error } = await send(client, post(), ['12345', '67890', 'x']);
    expect(head?.status).toBe(200);
    expect(error?.code).toBe('FW_ERR_BODY_TOO_LARGE');
    expect(await saw.promise).toBe('failed FW_ERR_BODY_TOO_LARGE');
  });

  it('should take a body up to limits.body whole', async () => {
    const { app, saw } = reader();
    const { client } = await start(app, { FRAMEWORK_MAX_BODY_BYTES: '10' });
    const { head } = await send(client, post(), ['12345', '67890']);
    expect(head?.status).toBe(200);
    expect(await saw).toBe('read 1234567890');
  });
});
