import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { send, startStack, type Exchange, type RequestOptions, type Stack } from '@mono/testing';

const FIXTURE = join(__dirname, 'fixtures', 'differential-app.cjs');
/** What each server adds for itself: the date, its keep-alive policy, the edge's request and trace ids and timing. */
const OWN_HEADERS = new Set(['date', 'keep-alive', 'x-request-id', 'x-trace-id', 'server-timing']);
/** Connection-level fields: compared by value, not by where Node's header writer happens to put them. */
const UNORDERED = new Set(['connection']);

let stack: Stack;
let direct: Server;
let directUrl: string;

beforeAll(async () => {
  stack = await startStack({ framework: { FRAMEWORK_APP: FIXTURE }, edge: { EDGE_SERVER_NAMES: 'app.example.test' } });
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- the fixture is the CommonJS module the framework loads
  const { app } = require(FIXTURE) as { app: Parameters<typeof createServer>[1] };
  direct = createServer(app);
  await new Promise<void>((resolve) => direct.listen(0, '127.0.0.1', resolve));
  directUrl = `http://127.0.0.1:${(direct.address() as AddressInfo).port}`;
});
afterAll(async () => {
  await stack?.stop();
  direct?.close();
});

function comparable(exchange: Exchange) {
  const headers: Array<[string, string]> = [];
  const unordered: Record<string, string> = {};
  for (let i = 0; i < exchange.rawHeaders.length; i += 2) {
    const name = (exchange.rawHeaders[i] as string).toLowerCase();
    const value = exchange.rawHeaders[i + 1] as string;
    if (UNORDERED.has(name)) unordered[name] = value;
    else if (!OWN_HEADERS.has(name)) headers.push([name, value]);
  }
  return { status: exchange.status, headers, unordered, body: exchange.body.toString('latin1') };
}

const json = (value: unknown) => Buffer.from(JSON.stringify(value));

const cases: Array<[string, string, RequestOptions]> = [
  ['res.send', '/hello', {}],
  ['HEAD', '/hello', { method: 'HEAD' }],
  ['req.ip, req.protocol, req.hostname and friends', '/whoami?x=1&y=2', { headers: { accept: 'application/json' } }],
  ['a mounted Router', '/api/items/42?color=red', {}],
  [
    'express.json',
    '/api/items',
    { method: 'POST', headers: { 'content-type': 'application/json' }, body: json({ id: 7, name: 'x' }) },
  ],
  [
    'express.json over its limit',
    '/api/items',
    { method: 'POST', headers: { 'content-type': 'application/json' }, body: json({ text: 'x'.repeat(2000) }) },
  ],
  [
    'malformed JSON',
    '/api/items',
    { method: 'POST', headers: { 'content-type': 'application/json' }, body: Buffer.from('{nope') },
  ],
  ['a redirect', '/old', {}],
  ['a permanent redirect elsewhere', '/moved', {}],
  ['cookies', '/cookies', { headers: { cookie: 'session=old; other=1' } }],
  ['res.sendFile', '/file', {}],
  ['res.sendFile with a range', '/file', { headers: { range: 'bytes=4-18' } }],
  ['res.sendFile with an unsatisfiable range', '/file', { headers: { range: 'bytes=5000-6000' } }],
  ['res.sendFile, conditional', '/file', { headers: { 'if-none-match': 'W/"nope"' } }],
  ['streamed res.write', '/stream', {}],
  [
    'express.text, chunked upload',
    '/text',
    { method: 'POST', headers: { 'transfer-encoding': 'chunked' }, body: Buffer.from('héllo wörld') },
  ],
  ['res.sendStatus', '/teapot', {}],
  ['writeHead with a reason and repeated Set-Cookie', '/raw', {}],
  ['res.end without headers', '/plain-end', {}],
  ['204', '/empty', {}],
  ['a handler that throws', '/throws', {}],
  ['an unknown route', '/nowhere', {}],
];

describe('an Express app through http.createServer and through the stack', () => {
  it.each(cases)('should answer the same: %s', async (_name, target, options) => {
    const request = { ...options, headers: { host: 'app.example.test', ...options.headers } };
    const [expected, actual] = await Promise.all([
      send(`${directUrl}${target}`, request),
      send(`${stack.url}${target}`, request),
    ]);
    expect(comparable(actual)).toEqual(comparable(expected));
  });

  it('should answer the same to a conditional request with the ETag it was given', async () => {
    const first = await send(`${directUrl}/file`, { headers: { host: 'app.example.test' } });
    const etag = String(first.headers.etag);
    const request = { headers: { host: 'app.example.test', 'if-none-match': etag } };
    const [expected, actual] = await Promise.all([
      send(`${directUrl}/file`, request),
      send(`${stack.url}/file`, request),
    ]);
    expect(expected.status).toBe(304);
    expect(comparable(actual)).toEqual(comparable(expected));
  });
});
