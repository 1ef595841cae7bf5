import { connect } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { send, startStack, type ServiceProcess, type Stack } from '@mono/testing';

/** Lines a service logged about limits that disagree. */
function disagreements(service: ServiceProcess): Array<Record<string, unknown>> {
  return service.logs.filter((line) => String(line['msg']).startsWith('limits disagree'));
}

async function frameworkRequests(stack: Stack): Promise<number> {
  const res = await send(`http://127.0.0.1:${stack.framework.adminPort}/stats`);
  return (JSON.parse(res.body.toString()) as { requests: number }).requests;
}

describe('limits that agree, as shipped', () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack();
  });
  afterAll(async () => {
    await stack?.stop();
  });

  it('should find the shipped files agreeing at every hop, and say so once', async () => {
    await stack.gateway.waitForLog(
      (l) => l['msg'] === "pool framework: the gateway's limits agree with its frameworks'",
    );
    for (const location of ['/', '/echo']) {
      await stack.edge.waitForLog(
        (l) => l['msg'] === `location ${location}: the edge's limits agree with its gateways'`,
      );
    }
    expect(disagreements(stack.edge)).toEqual([]);
    expect(disagreements(stack.gateway)).toEqual([]);
  });
});

// The done-when probe: a framework that takes less than the edge does.
describe('a framework with smaller header and body limits than the edge', () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack({ framework: { FRAMEWORK_MAX_HEADER_BYTES: '4096', FRAMEWORK_MAX_BODY_BYTES: '65536' } });
  });
  afterAll(async () => {
    await stack?.stop();
  });

  /** The edge's warning about one limit at one location, once the gateway passed the framework's limits on. */
  function edgeWarning(location: string, limit: string) {
    return stack.edge.waitForLog((l) => l['location'] === location && l['limit'] === limit, 10_000);
  }

  it('should log at the edge, when it connects, both values and both settings of each limit that disagrees', async () => {
    const framework = `framework 127.0.0.1:${stack.framework.port} behind gateway 127.0.0.1:${stack.gateway.port}`;
    expect(await edgeWarning('/', 'bodyBytes')).toMatchObject({
      level: 'warn',
      pool: 'gateways',
      outer: 'edge.yaml limits.body 1MiB (EDGE_MAX_BODY_BYTES)',
      inner: 'framework.yaml limits.body 64KiB (FRAMEWORK_MAX_BODY_BYTES)',
      origin: framework,
      msg:
        'limits disagree: location /: edge.yaml limits.body 1MiB (EDGE_MAX_BODY_BYTES) accepts more than ' +
        `framework.yaml limits.body 64KiB (FRAMEWORK_MAX_BODY_BYTES) of ${framework}: bodies over 64KiB get 413 ` +
        'from the edge',
    });
    expect(await edgeWarning('/echo', 'bodyBytes')).toMatchObject({
      outer: 'edge.yaml locations[/echo].limits.body off',
      inner: 'framework.yaml limits.body 64KiB (FRAMEWORK_MAX_BODY_BYTES)',
    });
    expect(await edgeWarning('/', 'headerBytes')).toMatchObject({
      outer: 'edge.yaml client.maxHeaderBytes 16KiB (EDGE_MAX_HEADER_BYTES)',
      inner: 'framework.yaml limits.headers 4KiB (FRAMEWORK_MAX_HEADER_BYTES)',
    });
    // And at the gateway, whose own header limit is larger than the framework's too.
    const gateway = await stack.gateway.waitForLog((l) => l['limit'] === 'headerBytes');
    expect(gateway).toMatchObject({
      outer: 'gateway.yaml limits.headers 64KiB (GATEWAY_MAX_HEADER_BYTES)',
      inner: 'framework.yaml limits.headers 4KiB (FRAMEWORK_MAX_HEADER_BYTES)',
      origin: `framework 127.0.0.1:${stack.framework.port}`,
    });
  });

  it("should answer a declared body over the framework's limit with 413 from the edge, naming it", async () => {
    await edgeWarning('/echo', 'bodyBytes');
    const before = await frameworkRequests(stack);
    const res = await send(`${stack.url}/echo`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/octet-stream' },
      body: Buffer.alloc(100_000, 'x'),
    });
    expect(res.status).toBe(413);
    expect(JSON.parse(res.body.toString())).toMatchObject({
      code: 'EDGE_ERR_BODY_TOO_LARGE',
      detail: 'the body of 100000 bytes exceeds framework.yaml limits.body 64KiB (FRAMEWORK_MAX_BODY_BYTES)',
    });
    expect(await frameworkRequests(stack)).toBe(before);
  });

  it("should answer a head over the framework's limit with 431 from the edge, naming it", async () => {
    await edgeWarning('/', 'headerBytes');
    const before = await frameworkRequests(stack);
    const res = await send(`${stack.url}/hello`, { headers: { 'X-Big': 'x'.repeat(6_000) } });
    expect(res.status).toBe(431);
    const problem = JSON.parse(res.body.toString()) as { code: string; detail: string };
    expect(problem.code).toBe('EDGE_ERR_HEADERS_TOO_LARGE');
    expect(problem.detail).toMatch(
      /^the request head of \d+ bytes exceeds framework\.yaml limits\.headers 4KiB \(FRAMEWORK_MAX_HEADER_BYTES\)$/,
    );
    expect(await frameworkRequests(stack)).toBe(before);
    // Within the limit, the same route answers.
    expect((await send(`${stack.url}/hello`, { headers: { 'X-Small': 'x'.repeat(1_000) } })).status).toBe(200);
  });

  it('should abort the connection, never complete a truncated echo, when a chunked body crosses it mid-response', async () => {
    await edgeWarning('/echo', 'bodyBytes');
    const { received, closed } = await chunkedAcrossTheLimit(stack.edge.port);
    expect(received).toMatch(/^HTTP\/1\.1 200 /);
    expect(closed).toBe(true);
    // The response never ended: no last chunk, and less came back than was sent before the limit.
    expect(received.endsWith('0\r\n\r\n')).toBe(false);
    // The application's input failed (its call cancelled), rather than ending early.
    const requestId = /\r\nx-request-id: ([0-9a-f]+)\r\n/i.exec(received)?.[1];
    const line = await stack.framework.waitForLog(
      (l) => l['msg'] === 'request aborted' && l['requestId'] === requestId,
    );
    expect(line['reason']).toBe('TRANSPORT_ERR_CANCELLED');
  });
});

/**
 * POST /echo with a chunked body: a first chunk of 1 KiB, then — once the echo's response head came back — 128 KiB
 * more, which crosses the framework's 64 KiB. Resolves with what the edge sent until it closed the connection.
 */
function chunkedAcrossTheLimit(port: number): Promise<{ received: string; closed: boolean }> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1');
    let received = '';
    let more = false;
    socket.on('data', (chunk: Buffer) => {
      received += chunk.toString('latin1');
      if (more || !received.includes('\r\n\r\n')) return;
      more = true;
      socket.write(`20000\r\n${'y'.repeat(0x20000)}\r\n`);
    });
    socket.on('close', () => resolve({ received, closed: true }));
    // The edge destroys the connection with the client's bytes still unread: a reset, which closes it too.
    socket.on('error', (err: NodeJS.ErrnoException) => (err.code === 'ECONNRESET' ? undefined : reject(err)));
    socket.write(
      'POST /echo HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/octet-stream\r\n' +
        `Transfer-Encoding: chunked\r\n\r\n400\r\n${'x'.repeat(0x400)}\r\n`,
    );
  });
}
