import { mkdtempSync, writeFileSync } from 'node:fs';
import { connect, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { HttpRequest } from '@mono/contracts';
import type { ServerCall } from '@mono/transport';
import { afterEach, describe, expect, it } from 'vitest';
import { describeRequest, edgeUnderTest, parseResponses, type EdgeUnderTest } from './testing';

let running: EdgeUnderTest | undefined;
afterEach(async () => {
  await running?.stop();
  running = undefined;
});

const head = (length: number) => `POST /upload HTTP/1.1\r\nHost: localhost\r\nContent-Length: ${length}\r\n\r\n`;

/** A connection whose writes are in the caller's hands, and what came back on it. */
function client(port: number): Promise<{ socket: Socket; received: () => Buffer; closed: Promise<void> }> {
  return new Promise((resolve) => {
    let received = Buffer.alloc(0);
    const socket = connect(port, '127.0.0.1', () => resolve({ socket, received: () => received, closed }));
    socket.on('data', (chunk: Buffer) => (received = Buffer.concat([received, chunk])));
    const closed = new Promise<void>((done) => socket.on('close', () => done()));
  });
}

/**
 * One whole request on a connection of its own, answered through a gateway: by the time it is, the edge has read
 * what an earlier connection wrote before it was opened (its bytes were on loopback first, and the answer needs
 * several turns of the edge's event loop).
 */
async function roundTrip(port: number): Promise<void> {
  const other = await client(port);
  other.socket.write('GET /other HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n');
  await other.closed;
  expect(parseResponses(other.received())[0]?.status).toBe(200);
}

async function responseOn(connection: { received: () => Buffer; socket: Socket }): Promise<void> {
  if (parseResponses(connection.received()).length > 0) return;
  await new Promise<void>((resolve) => {
    const check = () => {
      if (parseResponses(connection.received()).length === 0) return;
      connection.socket.off('data', check);
      resolve();
    };
    connection.socket.on('data', check);
  });
}

describe('edge request bodies', () => {
  it('should read a body up to EDGE_BODY_BUFFER_BYTES whole before it asks a gateway, so a slow upload holds no slot', async () => {
    running = await edgeUnderTest();
    const upload = await client(running.port);
    upload.socket.write(head(10) + 'hello');
    await roundTrip(running.port);
    expect(running.seen.map((request) => request.target)).toEqual(['/other']);

    upload.socket.write('world');
    await responseOn(upload);
    const [response] = parseResponses(upload.received());
    expect(response?.status).toBe(200);
    expect(JSON.parse(response?.body ?? '{}')).toMatchObject({ target: '/upload', body: 'helloworld' });
    upload.socket.destroy();
  });

  it('should forward a body larger than EDGE_BODY_BUFFER_BYTES as it arrives', async () => {
    running = await edgeUnderTest({ EDGE_BODY_BUFFER_BYTES: '4' });
    const upload = await client(running.port);
    upload.socket.write(head(10) + 'hello');
    await roundTrip(running.port);
    expect(running.seen.map((request) => request.target)).toEqual(['/upload', '/other']);

    upload.socket.write('world');
    await responseOn(upload);
    expect(JSON.parse(parseResponses(upload.received())[0]?.body ?? '{}')).toMatchObject({ body: 'helloworld' });
    upload.socket.destroy();
  });

  it('should forward a body as it arrives at a location with bodyBuffer 0 (proxy_request_buffering off)', async () => {
    const config = join(mkdtempSync(join(tmpdir(), 'edge-body-')), 'edge.yaml');
    writeFileSync(config, 'locations:\n  - path: /\n  - path: /upload\n    bodyBuffer: 0\n');
    running = await edgeUnderTest({ EDGE_CONFIG: config });
    const upload = await client(running.port);
    upload.socket.write(head(10) + 'hello');
    await roundTrip(running.port);
    expect(running.seen.map((request) => request.target)).toEqual(['/upload', '/other']);

    upload.socket.write('world');
    await responseOn(upload);
    expect(JSON.parse(parseResponses(upload.received())[0]?.body ?? '{}')).toMatchObject({ body: 'helloworld' });
    upload.socket.destroy();
  });

  it('should forward the start of a chunked body once it passes EDGE_BODY_BUFFER_BYTES, and a short one whole', async () => {
    let longSeen!: () => void;
    const forwarded = new Promise<void>((resolve) => (longSeen = resolve));
    running = await edgeUnderTest({ EDGE_BODY_BUFFER_BYTES: '8' }, (call) => {
      if (call.head.target === '/long') longSeen();
      describeRequest(call);
    });
    const chunked = (target: string) =>
      `POST ${target} HTTP/1.1\r\nHost: localhost\r\nTransfer-Encoding: chunked\r\n\r\n`;
    const short = await client(running.port);
    short.socket.write(`${chunked('/short')}5\r\nhello\r\n`);
    const long = await client(running.port);
    long.socket.write(`${chunked('/long')}a\r\nhelloworld\r\n`);
    await roundTrip(running.port);
    // The short body may still end; the long one already passed 8 bytes. Both are of unknown length: had the short one
    // been forwarded, it would have been before the other answer, on the same gateway stream as the long one.
    await forwarded;
    expect(running.seen.map((request) => request.target).filter((target) => target !== '/other')).toEqual(['/long']);

    short.socket.write('0\r\n\r\n');
    long.socket.write('0\r\n\r\n');
    await Promise.all([responseOn(short), responseOn(long)]);
    expect(JSON.parse(parseResponses(short.received())[0]?.body ?? '{}')).toMatchObject({ body: 'hello' });
    expect(JSON.parse(parseResponses(long.received())[0]?.body ?? '{}')).toMatchObject({ body: 'helloworld' });
    short.socket.destroy();
    long.socket.destroy();
  });

  it('should send a body over 64 KiB or of unknown length on a gateway stream of its own, and the rest on the shared one', async () => {
    running = await edgeUnderTest({ EDGE_BODY_BUFFER_BYTES: '8' });
    const chunked = 'POST /chunked HTTP/1.1\r\nHost: localhost\r\nTransfer-Encoding: chunked\r\n\r\n';
    const shared = [head(5) + 'hello', `${chunked}5\r\nhello\r\n0\r\n\r\n`, head(64 << 10) + 'x'.repeat(64 << 10)];
    for (const request of shared) {
      const connection = await client(running.port);
      connection.socket.write(request);
      await responseOn(connection);
      expect(parseResponses(connection.received())[0]?.status).toBe(200);
      connection.socket.destroy();
    }
    await roundTrip(running.port);
    expect(running.streams()).toBe(1);

    const large = await client(running.port);
    large.socket.write(head((64 << 10) + 1) + 'x'.repeat((64 << 10) + 1));
    await responseOn(large);
    expect(parseResponses(large.received())[0]?.status).toBe(200);
    expect(running.streams()).toBe(2);
    large.socket.destroy();
  });

  it('should answer 408 and close when a client stops in the middle of a body it is buffering (EDGE_BODY_TIMEOUT_MS)', async () => {
    running = await edgeUnderTest({ EDGE_BODY_TIMEOUT_MS: '200' });
    const upload = await client(running.port);
    upload.socket.write(head(10) + 'hello');
    await upload.closed;
    const [response] = parseResponses(upload.received());
    expect(response?.status).toBe(408);
    expect(response?.headers['connection']).toBe('close');
    expect(JSON.parse(response?.body ?? '{}')).toMatchObject({ code: 'EDGE_ERR_REQUEST_TIMEOUT' });
    expect(running.seen).toEqual([]);
  });

  it('should answer 408 to a client that stops mid-body while it streams, and cancel the gateway call', async () => {
    let cancelled!: () => void;
    const gatewayHeard = new Promise<void>((resolve) => (cancelled = resolve));
    running = await edgeUnderTest({ EDGE_BODY_TIMEOUT_MS: '200', EDGE_BODY_BUFFER_BYTES: '0' }, (call) =>
      call.body.attach({ data: (chunk) => call.body.consumed(chunk.byteLength), end: () => {}, error: cancelled }),
    );
    const upload = await client(running.port);
    upload.socket.write(head(10) + 'hello');
    await Promise.all([upload.closed, gatewayHeard]);
    expect(parseResponses(upload.received())[0]?.status).toBe(408);
    expect(running.seen.map((request) => request.target)).toEqual(['/upload']);
  });

  it('should not count the time it stops reading for a gateway that takes the body slowly', async () => {
    const body = Buffer.alloc(4 << 20, 'x');
    let calls = 0;
    // The gateway takes nothing for 600 ms (three body timeouts), so the edge pauses the client; then all of it.
    const slowTaker = (call: ServerCall<HttpRequest>) => {
      calls += 1;
      const held: Buffer[] = [];
      let take = false;
      call.body.attach({
        data: (chunk) => {
          if (take) call.body.consumed(chunk.byteLength);
          else held.push(Buffer.from(chunk));
        },
        end: () => {
          call.respond({ status: 200, reason: 'OK', headers: [{ name: 'Content-Length', value: '0' }] });
          call.end();
        },
        error: () => {},
      });
      setTimeout(() => {
        take = true;
        for (const chunk of held) call.body.consumed(chunk.byteLength);
      }, 600);
    };
    running = await edgeUnderTest(
      { EDGE_BODY_TIMEOUT_MS: '200', EDGE_MAX_BODY_BYTES: '0', EDGE_BODY_BUFFER_BYTES: '0' },
      slowTaker,
    );
    const upload = await client(running.port);
    upload.socket.write(head(body.byteLength));
    upload.socket.write(body);
    await responseOn(upload);
    expect(parseResponses(upload.received())[0]?.status).toBe(200);
    expect(calls).toBe(1);
    upload.socket.destroy();
  });
});
