import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { HttpRequest } from '@mono/contracts';
import type { ServerCall } from '@mono/transport';
import { signal } from '@mono/transport/testing';
import { afterEach, describe, expect, it } from 'vitest';
import { edgeUnderTest, rawExchange, type EdgeUnderTest, type RawResponse } from './testing';

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  while (cleanups.length > 0) await cleanups.pop()?.();
});

async function edge(env: Record<string, string> = {}, handler?: (call: ServerCall<HttpRequest>) => void) {
  const started = await edgeUnderTest(env, handler);
  cleanups.push(() => started.stop());
  return started;
}

function configFile(text: string): string {
  const path = join(mkdtempSync(join(tmpdir(), 'edge-framing-')), 'edge.yaml');
  writeFileSync(path, text);
  return path;
}

const AFTER = 'GET /after HTTP/1.1\r\nHost: localhost\r\n\r\n';

/** The edge's own problem answer: problem+json naming its request id, which X-Request-Id repeats. */
function expectProblem(res: RawResponse | undefined, status: number, code: string): void {
  expect(res?.status).toBe(status);
  expect(res?.headers['content-type']).toBe('application/problem+json');
  expect(res?.headers['x-request-id']).toMatch(/^[0-9a-f]{32}$/);
  expect(JSON.parse(res?.body ?? '{}')).toMatchObject({ status, code, requestId: res?.headers['x-request-id'] });
}

describe('framing', () => {
  const ambiguous: Array<[string, string, number, string]> = [
    ['two Host fields', 'GET /x HTTP/1.1\r\nHost: localhost\r\nHost: evil.test\r\n\r\n', 400, 'EDGE_ERR_BAD_REQUEST'],
    ['no Host in HTTP/1.1', 'GET /x HTTP/1.1\r\n\r\n', 400, 'EDGE_ERR_BAD_REQUEST'],
    ['an empty Host', 'GET /x HTTP/1.1\r\nHost: \r\n\r\n', 400, 'EDGE_ERR_BAD_REQUEST'],
    ['a Host with a path in it', 'GET /x HTTP/1.1\r\nHost: a/b\r\n\r\n', 400, 'EDGE_ERR_BAD_REQUEST'],
    // RFC 9112 §6.3: without a final chunked the body's length is unknown: 400 (Node's parser), then close.
    [
      'Transfer-Encoding: gzip alone',
      'POST /x HTTP/1.1\r\nHost: localhost\r\nTransfer-Encoding: gzip\r\n\r\n5\r\nhello\r\n0\r\n\r\n',
      400,
      'EDGE_ERR_BAD_REQUEST',
    ],
    [
      'gzip before a final chunked',
      'POST /x HTTP/1.1\r\nHost: localhost\r\nTransfer-Encoding: gzip, chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n',
      501,
      'EDGE_ERR_NOT_IMPLEMENTED',
    ],
    [
      'an Expect other than 100-continue',
      'POST /x HTTP/1.1\r\nHost: localhost\r\nExpect: 200-ok\r\nContent-Length: 5\r\n\r\nhello',
      417,
      'EDGE_ERR_EXPECTATION_FAILED',
    ],
    [
      'a target that is neither a path nor a URL',
      'GET x HTTP/1.1\r\nHost: localhost\r\n\r\n',
      400,
      'EDGE_ERR_BAD_REQUEST',
    ],
    [
      'an absolute-form target with user info',
      'GET http://user@localhost/x HTTP/1.1\r\nHost: localhost\r\n\r\n',
      400,
      'EDGE_ERR_BAD_REQUEST',
    ],
    // What Node's parser refuses, answered by the edge's rejection pipeline.
    [
      'Content-Length with Transfer-Encoding',
      'POST /x HTTP/1.1\r\nHost: localhost\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n',
      400,
      'EDGE_ERR_BAD_REQUEST',
    ],
    [
      'two different Content-Lengths',
      'POST /x HTTP/1.1\r\nHost: localhost\r\nContent-Length: 5\r\nContent-Length: 6\r\n\r\nhello!',
      400,
      'EDGE_ERR_BAD_REQUEST',
    ],
    [
      'chunked before another coding',
      'POST /x HTTP/1.1\r\nHost: localhost\r\nTransfer-Encoding: chunked, gzip\r\n\r\n0\r\n\r\n',
      400,
      'EDGE_ERR_BAD_REQUEST',
    ],
    ['obs-fold', 'GET /x HTTP/1.1\r\nHost: localhost\r\nX-A: 1\r\n  folded\r\n\r\n', 400, 'EDGE_ERR_BAD_REQUEST'],
    ['whitespace before a colon', 'GET /x HTTP/1.1\r\nHost : localhost\r\n\r\n', 400, 'EDGE_ERR_BAD_REQUEST'],
    [
      'a control character in a value',
      'GET /x HTTP/1.1\r\nHost: localhost\r\nX-A: a\x01b\r\n\r\n',
      400,
      'EDGE_ERR_BAD_REQUEST',
    ],
    ['a bare LF', 'GET /x HTTP/1.1\nHost: localhost\n\n', 400, 'EDGE_ERR_BAD_REQUEST'],
    ['a malformed request line', 'GET /x HTTP/1.1 extra\r\nHost: localhost\r\n\r\n', 400, 'EDGE_ERR_BAD_REQUEST'],
  ];
  for (const [what, request, status, code] of ambiguous) {
    it(`should answer ${what} with one ${status}, close, and forward nothing`, async () => {
      const { port, seen } = await edge();
      const { responses, closed } = await rawExchange(port, [request + AFTER]);
      expect(responses).toHaveLength(1);
      expectProblem(responses[0], status, code);
      expect(responses[0]?.headers['connection']).toBe('close');
      expect(closed).toBe(true);
      expect(seen).toEqual([]);
    });
  }

  it('should answer a declared body over the limit with one 413, and serve nothing pipelined behind it', async () => {
    const { port, seen } = await edge({ EDGE_MAX_BODY_BYTES: '10' });
    const body = 'x'.repeat(20);
    const { responses, closed } = await rawExchange(port, [
      `POST /x HTTP/1.1\r\nHost: localhost\r\nContent-Length: ${body.length}\r\n\r\n${body}${AFTER}`,
    ]);
    expect(responses).toHaveLength(1);
    expectProblem(responses[0], 413, 'EDGE_ERR_BODY_TOO_LARGE');
    expect(closed).toBe(true);
    expect(seen).toEqual([]);
  });

  it('should serve two pipelined requests in order on one connection', async () => {
    const { port, seen } = await edge();
    const { responses } = await rawExchange(port, ['GET /a HTTP/1.1\r\nHost: localhost\r\n\r\n' + AFTER], {
      expected: 2,
    });
    expect(responses.map((r) => [r.status, JSON.parse(r.body).target])).toEqual([
      [200, '/a'],
      [200, '/after'],
    ]);
    expect(seen.map((r) => r.target)).toEqual(['/a', '/after']);
  });

  it("should let an absolute-form target's authority replace Host, and keep the connection in step", async () => {
    const { port, seen } = await edge();
    const { responses } = await rawExchange(
      port,
      ['GET http://LocalHost:8080/abs?x=1 HTTP/1.1\r\nHost: other.test\r\n\r\n' + AFTER],
      { expected: 2 },
    );
    expect(responses.map((r) => r.status)).toEqual([200, 200]);
    expect(seen[0]?.target).toBe('/abs?x=1');
    expect(seen[0]?.headers.filter((h) => h.name.toLowerCase() === 'host')).toEqual([
      { name: 'Host', value: 'LocalHost:8080' },
    ]);
    expect(seen[1]?.target).toBe('/after');
  });

  it('should answer 421 for a host no server name matches, and serve the names it has', async () => {
    const { port, seen } = await edge({
      EDGE_CONFIG: configFile("servers: [localhost, '*.example.test', '[::1]']\n"),
    });
    const misdirected = await rawExchange(port, ['GET /x HTTP/1.1\r\nHost: evil.test\r\n\r\n'], { expected: 1 });
    expectProblem(misdirected.responses[0], 421, 'EDGE_ERR_MISDIRECTED');
    for (const host of ['localhost', 'LOCALHOST:8080', 'a.example.test', '[::1]:80']) {
      const served = await rawExchange(port, [`GET /x HTTP/1.1\r\nHost: ${host}\r\n\r\n`], { expected: 1 });
      expect(served.responses[0]?.status, host).toBe(200);
    }
    expect(seen).toHaveLength(4);
  });

  it('should send 100 Continue only once the limits passed, and refuse a declared body over them without it', async () => {
    const { port } = await edge({ EDGE_MAX_BODY_BYTES: '10' });
    const head = 'POST /x HTTP/1.1\r\nHost: localhost\r\nExpect: 100-continue\r\nContent-Length: 5\r\n\r\n';
    const accepted = await rawExchange(port, [head, 'hello'], { expected: 1 });
    expect(accepted.responses.map((r) => r.status)).toEqual([100, 200]);
    expect(JSON.parse(accepted.responses[1]?.body ?? '{}').body).toBe('hello');
    const tooLarge = await rawExchange(
      port,
      ['POST /x HTTP/1.1\r\nHost: localhost\r\nExpect: 100-continue\r\nContent-Length: 50\r\n\r\n'],
      { expected: 1 },
    );
    expect(tooLarge.responses.map((r) => r.status)).toEqual([413]);
  });

  it('should cancel the upstream request and answer 400 when a chunk turns out malformed mid-body', async () => {
    const arrived = signal();
    const failed = signal<string>();
    // A body that streams as it arrives (nothing read whole first), so that the request is upstream when it breaks.
    const { port, seen, logs } = await edge({ EDGE_BODY_BUFFER_BYTES: '0' }, (call) => {
      call.body.attach({
        data: (chunk) => {
          call.body.consumed(chunk.byteLength);
          arrived.resolve();
        },
        end: () => failed.resolve('end'),
        error: (err) => failed.resolve(err.code),
      });
    });
    const { responses, closed } = await rawExchange(
      port,
      ['POST /x HTTP/1.1\r\nHost: localhost\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n', `zz\r\n\r\n${AFTER}`],
      { afterFirst: () => arrived.promise },
    );
    expect(await failed.promise).not.toBe('end');
    expect(responses).toHaveLength(1);
    expectProblem(responses[0], 400, 'EDGE_ERR_BAD_REQUEST');
    expect(closed).toBe(true);
    expect(seen.map((r) => r.target)).toEqual(['/x']);
    expect(logs.filter((l) => l['msg'] === 'access')).toEqual([
      expect.objectContaining({ method: 'POST', target: '/x', status: 400, error: 'EDGE_ERR_BAD_REQUEST' }),
    ]);
  });
});

describe('a malformed chunk in a body read whole first', () => {
  it('should answer 400 and forward nothing', async () => {
    const { port, seen } = await edge();
    const { responses, closed } = await rawExchange(port, [
      'POST /x HTTP/1.1\r\nHost: localhost\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n',
      `zz\r\n\r\n${AFTER}`,
    ]);
    expect(responses).toHaveLength(1);
    expectProblem(responses[0], 400, 'EDGE_ERR_BAD_REQUEST');
    expect(closed).toBe(true);
    expect(seen).toEqual([]);
  });
});

describe('the parser rejections', () => {
  it('should answer a malformed request pipelined behind a good one only after the good one', async () => {
    const arrived = signal<ServerCall<HttpRequest>>();
    const { port, seen } = await edge({}, (call) => arrived.resolve(call));
    const exchange = rawExchange(port, [
      'GET /first HTTP/1.1\r\nHost: localhost\r\n\r\nGET /second HTTP/1.1\r\nHost: localhost\r\nX: \x01\r\n\r\n',
    ]);
    const call = await arrived.promise;
    call.respond({ status: 200, reason: 'OK', headers: [{ name: 'Content-Length', value: '5' }] });
    call.write(Buffer.from('first'));
    call.end();
    const { responses, closed } = await exchange;
    expect(responses.map((r) => [r.status, r.body.slice(0, 5)])).toEqual([
      [200, 'first'],
      [400, '{"typ'],
    ]);
    expectProblem(responses[1], 400, 'EDGE_ERR_BAD_REQUEST');
    expect(closed).toBe(true);
    expect(seen.map((r) => r.target)).toEqual(['/first']);
  });

  it('should get the edge problem body with request and trace id, and a full access line', async () => {
    const { port, logs }: EdgeUnderTest = await edge();
    const { responses } = await rawExchange(port, [
      'GET /rejected?q=1 HTTP/1.1\r\nHost: localhost\r\nX: a\x01\r\n\r\n',
    ]);
    const res = responses[0];
    expectProblem(res, 400, 'EDGE_ERR_BAD_REQUEST');
    expect(res?.headers['x-trace-id']).toMatch(/^[0-9a-f]{32}$/);
    expect(JSON.parse(res?.body ?? '{}').traceId).toBe(res?.headers['x-trace-id']);
    expect(logs.filter((l) => l['msg'] === 'access')).toEqual([
      expect.objectContaining({
        method: 'GET',
        target: '/rejected?q=1',
        status: 400,
        requestId: res?.headers['x-request-id'],
        error: 'EDGE_ERR_BAD_REQUEST',
        durationMs: expect.any(Number),
      }),
    ]);
  });

  it('should answer 414 and 431 as problems too, naming the method', async () => {
    const { port, logs } = await edge({ EDGE_MAX_HEADER_BYTES: '2048' });
    const uri = await rawExchange(port, [`GET /${'a'.repeat(4096)} HTTP/1.1\r\nHost: localhost\r\n\r\n`]);
    expectProblem(uri.responses[0], 414, 'EDGE_ERR_URI_TOO_LONG');
    const fields = await rawExchange(port, [
      `GET /x HTTP/1.1\r\nHost: localhost\r\nX-Big: ${'b'.repeat(4096)}\r\n\r\n`,
    ]);
    expectProblem(fields.responses[0], 431, 'EDGE_ERR_HEADERS_TOO_LARGE');
    expect(logs.filter((l) => l['msg'] === 'access').map((l) => [l['method'], l['status']])).toEqual([
      ['GET', 414],
      ['GET', 431],
    ]);
  });
});
