import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { createInterface } from 'node:readline';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROOT, send, startStack, type Exchange, type RequestOptions, type Stack } from '@mono/testing';

/** What each server adds for itself: the date, its connection policy, the edge's request and trace ids and timing. */
const OWN_HEADERS = new Set(['date', 'connection', 'keep-alive', 'x-request-id', 'x-trace-id', 'server-timing']);
/** Environ keys that name the server, the client's address or the request, and the request's own deadline. */
const OWN_VARIABLES = new Set(['SERVER_PORT', 'REMOTE_ADDR', 'REMOTE_PORT', 'REQUEST_ID', 'tsgi.deadline']);
/** What the edge changes as a proxy: Connection is hop-by-hop; it appends the forwarding fields and the request id. */
const PROXY_FIELDS = new Set([
  'connection',
  'forwarded',
  'x-forwarded-for',
  'x-forwarded-proto',
  'x-forwarded-host',
  'x-request-id',
]);

/** The three examples where the shipped configuration mounts them, all behind one framework. */
const examples = [
  { name: 'express-demo', mount: '/' },
  { name: 'fetch-demo', mount: '/fetch' },
  { name: 'tsgi-demo', mount: '/plain' },
] as const;

/** The stack with its shipped configuration, shared by the three examples. */
let stack: Stack;
beforeAll(async () => {
  stack = await startStack({ edge: { EDGE_SERVER_NAMES: 'app.example.test' } });
});
afterAll(async () => {
  await stack?.stop();
});

interface ReferenceServer {
  url: string;
  child: ChildProcess;
}

/** The reference server's CLI (what `nx run tsgi-server:serve` runs) on a free port, serving one module. */
async function startReferenceServer(module: string, mount: string): Promise<ReferenceServer> {
  const child = spawn(
    join(ROOT, 'node_modules', '.bin', 'node'),
    [join(ROOT, 'libs', 'tsgi-server', 'dist', 'main.cjs'), '--app', module, '--mount', mount, '--port', '0'],
    { cwd: ROOT, stdio: ['ignore', 'pipe', 'inherit'] },
  );
  const lines = createInterface({ input: child.stdout as Readable });
  const url = await new Promise<string>((resolve, reject) => {
    child.once('exit', (code) => reject(new Error(`tsgi-server exited with ${code}`)));
    lines.on('line', (line) => {
      const serving = /at (http:\/\/[^/]+)/.exec(line);
      if (serving) resolve(serving[1] as string);
    });
  });
  return { url, child };
}

function comparable(exchange: Exchange) {
  const headers: Array<[string, string]> = [];
  for (let i = 0; i < exchange.rawHeaders.length; i += 2) {
    const name = (exchange.rawHeaders[i] as string).toLowerCase();
    if (!OWN_HEADERS.has(name)) headers.push([name, exchange.rawHeaders[i + 1] as string]);
  }
  return { status: exchange.status, headers, body: exchange.body.toString('latin1') };
}

function applicationVisible(exchange: Exchange): Record<string, unknown> {
  const environ = JSON.parse(exchange.body.toString()) as Record<string, unknown>;
  expect(environ).toHaveProperty('tsgi.deadline');
  const visible = Object.entries(environ).filter(
    ([key]) =>
      !OWN_VARIABLES.has(key) &&
      !PROXY_FIELDS.has(
        key
          .replace(/^HTTP_/, '')
          .replaceAll('_', '-')
          .toLowerCase(),
      ),
  );
  const headers = environ['headers'] as Array<[string, string]>;
  return {
    ...Object.fromEntries(visible),
    headers: headers.filter(([name]) => !PROXY_FIELDS.has(name.toLowerCase())),
  };
}

const HOST = { host: 'app.example.test' };
const payload = Buffer.from('a body of bytes: \u00e9\u00e8 and more\n'.repeat(500));

describe.each(examples)('the example $name through the reference server and through the stack', ({ name, mount }) => {
  const module = join(ROOT, 'examples', name, 'dist', 'index.cjs');
  const prefix = mount === '/' ? '' : mount;
  let reference: ReferenceServer;

  beforeAll(async () => {
    reference = await startReferenceServer(module, mount);
  });
  afterAll(() => {
    reference?.child.kill('SIGTERM');
  });

  const both = (path: string, options: () => RequestOptions) =>
    Promise.all([send(`${reference.url}${path}`, options()), send(`${stack.url}${path}`, options())]);

  it('should answer GET /hello the same', async () => {
    const [expected, actual] = await both(`${prefix}/hello`, () => ({ headers: HOST }));
    expect(expected.body.toString()).toBe('Hello World!');
    expect(comparable(expected).headers).toContainEqual(['content-type', expect.stringMatching(/^text\//)]);
    expect(comparable(actual)).toEqual(comparable(expected));
  });

  it('should answer POST /echo with a Content-Length the same', async () => {
    const headers = { ...HOST, 'content-type': 'text/plain; charset=utf-8', 'content-length': String(payload.length) };
    const [expected, actual] = await both(`${prefix}/echo`, () => ({ method: 'POST', headers, body: payload }));
    expect(expected.body.equals(payload)).toBe(true);
    expect(comparable(actual)).toEqual(comparable(expected));
  });

  it('should answer a chunked POST /echo the same', async () => {
    const headers = { ...HOST, 'content-type': 'application/octet-stream' };
    const body = () => Readable.from([payload.subarray(0, 1000), payload.subarray(1000)]);
    const [expected, actual] = await both(`${prefix}/echo`, () => ({ method: 'POST', headers, body: body() }));
    expect(expected.body.equals(payload)).toBe(true);
    expect(comparable(actual)).toEqual(comparable(expected));
  });

  it('should show the application the same environ, but for the server, the client, the request id and the proxy fields', async () => {
    const options = () => ({ headers: { ...HOST, 'x-rep': ['one', 'two'], cookie: 'a=1' } });
    const [expected, actual] = await both(`${prefix}/environ?q=%20x&q=y`, options);
    expect(expected.status).toBe(200);
    const environ = applicationVisible(expected);
    expect(environ).toMatchObject({
      SCRIPT_NAME: mount === '/' ? '' : mount,
      PATH_INFO: '/environ',
      QUERY_STRING: 'q=%20x&q=y',
      HTTP_X_REP: 'one, two',
    });
    expect(applicationVisible(actual)).toEqual(environ);
  });
});
