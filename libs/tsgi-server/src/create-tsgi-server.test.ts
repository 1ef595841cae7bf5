import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { setImmediate as tick } from 'node:timers/promises';
import type { Application, Environ } from '@mono/tsgi';
import { CONFORMANCE_CASES, conformanceProbe } from '@mono/tsgi/testing';
import { afterEach, describe, expect, it } from 'vitest';
import { createTsgiServer, type TsgiServerOptions } from './create-tsgi-server';

const servers: Server[] = [];
afterEach(async () => {
  for (const server of servers.splice(0)) {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  }
});

async function serve(app: Application, options: TsgiServerOptions = {}): Promise<string> {
  const errors = { write() {}, writelines() {}, flush() {} };
  const server = createTsgiServer(app, { errors, ...options });
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

const showEnviron: Application = (environ, startResponse) => {
  const { 'tsgi.input': _input, 'tsgi.errors': _errors, 'tsgi.signal': _signal, ...rest } = environ;
  startResponse('200 OK', [['Content-Type', 'application/json']]);
  return [Buffer.from(JSON.stringify(rest))];
};

describe('createTsgiServer', () => {
  it('should give the application the environ the gateway builds, split at the mount point', async () => {
    const url = await serve(showEnviron, { mount: '/app' });
    const res = await fetch(`${url}/app/caf%C3%A9?x=%20y`, { headers: { 'X-Rep': 'a', 'x-rep': 'b' } });
    const environ = (await res.json()) as Record<string, unknown>;
    expect(environ).toMatchObject({
      REQUEST_METHOD: 'GET',
      SCRIPT_NAME: '/app',
      PATH_INFO: '/café',
      QUERY_STRING: 'x=%20y',
      REQUEST_URI: '/app/caf%C3%A9?x=%20y',
      SERVER_NAME: '127.0.0.1',
      SERVER_PORT: new URL(url).port,
      SERVER_PROTOCOL: 'HTTP/1.1',
      REMOTE_ADDR: '127.0.0.1',
      HTTP_X_REP: 'a, b',
      'tsgi.url_scheme': 'http',
      'tsgi.version': [1, 0],
      'tsgi.multiprocess': false,
    });
    expect(environ['REQUEST_ID']).toMatch(/^[0-9a-f]{32}$/);
  });

  it('should answer 404 in application/problem+json outside the mount point, /appx included', async () => {
    const url = await serve(showEnviron, { mount: '/app' });
    for (const path of ['/', '/appx/environ']) {
      const res = await fetch(`${url}${path}`);
      expect(res.status).toBe(404);
      expect(res.headers.get('content-type')).toBe('application/problem+json');
      expect(await res.json()).toMatchObject({ status: 404, code: 'GW_ERR_NO_MOUNT' });
    }
  });

  it('should answer 400 to a path with broken percent-encoding', async () => {
    const url = await serve(showEnviron);
    const res = await fetch(`${url}/bad%zz`);
    expect(res.status).toBe(400);
    expect(await res.json()).toMatchObject({ code: 'GW_ERR_BAD_REQUEST' });
  });

  it('should stream a chunked upload through the application and back', async () => {
    const echo: Application = (environ, startResponse) => {
      startResponse('200 OK', [['Content-Type', environ.CONTENT_TYPE]]);
      return environ['tsgi.input'];
    };
    const url = await serve(echo);
    const body = new ReadableStream({
      start(controller) {
        controller.enqueue(Buffer.from('hello '));
        controller.enqueue(Buffer.from('world'));
        controller.close();
      },
    });
    const res = await fetch(`${url}/`, {
      method: 'POST',
      body,
      duplex: 'half',
      headers: { 'Content-Type': 'text/x-test' },
    } as RequestInit);
    expect(res.headers.get('content-type')).toBe('text/x-test');
    expect(res.headers.get('transfer-encoding')).toBe('chunked');
    expect(await res.text()).toBe('hello world');
  });

  it('should answer 500 with the catalogue code when the application fails before its head', async () => {
    const url = await serve(() => {
      throw new Error('secret detail');
    });
    const res = await fetch(`${url}/`);
    expect(res.status).toBe(500);
    const problem = (await res.json()) as Record<string, unknown>;
    expect(problem).toMatchObject({ code: 'FW_ERR_APPLICATION_FAILED' });
    expect(JSON.stringify(problem)).not.toContain('secret detail');
    const broken = await serve((_environ, startResponse) => (startResponse('200', []), []));
    expect(await (await fetch(`${broken}/`)).json()).toMatchObject({ code: 'FW_ERR_PROTOCOL_VIOLATION' });
  });

  it('should cut the connection when the application fails after its head', async () => {
    const url = await serve((_environ, startResponse) => {
      startResponse('200 OK', []);
      return (async function* () {
        yield Buffer.from('partial');
        throw new Error('late');
      })();
    });
    await expect(fetch(`${url}/`).then((res) => res.text())).rejects.toThrow();
  });

  it('should abort tsgi.signal and close the body when the client goes away', async () => {
    let environ: Environ | undefined;
    let closed!: () => void;
    const closing = new Promise<void>((resolve) => (closed = resolve));
    const url = await serve((env, startResponse) => {
      environ = env;
      startResponse('200 OK', []);
      return {
        async *[Symbol.asyncIterator]() {
          yield Buffer.from('first');
          await new Promise((resolve) => env['tsgi.signal'].addEventListener('abort', resolve));
        },
        close: closed,
      };
    });
    const client = new AbortController();
    const res = await fetch(`${url}/`, { signal: client.signal });
    await res.body?.getReader().read();
    client.abort();
    await closing;
    expect(environ?.['tsgi.signal'].aborted).toBe(true);
  });

  it('should refuse a mount point that ends in "/"', () => {
    expect(() => createTsgiServer(showEnviron, { mount: '/app/' })).toThrow(/without a trailing "\/"/);
  });
});

describe('createTsgiServer conformance', () => {
  const probe = conformanceProbe();
  it.each(CONFORMANCE_CASES.map((c) => [c.name, c] as const))('should pass: %s', async (_name, c) => {
    const url = await serve(probe.application, { mount: '/probe' });
    const client = new AbortController();
    const chunks = c.body?.map((chunk) => Buffer.from(chunk));
    const init: RequestInit & { duplex?: 'half' } = { method: c.method, signal: client.signal };
    if (chunks && c.chunked) {
      init.body = new ReadableStream({
        start(controller) {
          for (const chunk of chunks) controller.enqueue(chunk);
          controller.close();
        },
      });
      init.duplex = 'half';
    } else if (chunks) init.body = Buffer.concat(chunks);
    const res = await fetch(`${url}/probe${c.target}`, init);
    expect(res.status).toBe(c.status);
    if (c.abort) {
      await res.body?.getReader().read();
      client.abort();
    } else {
      const text = await res.text();
      if (c.response !== undefined) expect(text).toBe(c.response);
    }
    await probe.closed();
    await tick();
    expect(probe.violations).toEqual([]);
  });
});
