import { once } from 'node:events';
import { createServer, get, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import express from 'express';
import { describe, expect, it } from 'vitest';
import { environOf } from './environ-of';
import { fromExpress } from './from-express';
import { invoke, testEnviron } from './testing';

/** A promise the test opens when it chooses, with the value it opens it with. */
function gate<T = void>(): { promise: Promise<T>; open: (value: T) => void } {
  let open!: (value: T) => void;
  const promise = new Promise<T>((resolve) => (open = resolve));
  return { promise, open };
}

describe('fromExpress', () => {
  it('should give the app req.ip, req.protocol and req.hostname from the environ', async () => {
    const app = express().get('/who', (req, res) => {
      res.json({ ip: req.ip, protocol: req.protocol, hostname: req.hostname, secure: req.secure });
    });
    const recording = invoke(fromExpress(app), {
      uri: '/who',
      urlScheme: 'https',
      remoteAddr: '203.0.113.7',
      headers: [['Host', 'shop.example:8443']],
    });
    await recording.done;
    expect(JSON.parse(recording.body)).toEqual({
      ip: '203.0.113.7',
      protocol: 'https',
      hostname: 'shop.example',
      secure: true,
    });
  });

  it('should keep writeHead as under a Node server: its headers merged, headersSent, no setHeader after it', async () => {
    const seen: { before?: boolean; after?: boolean; late?: string } = {};
    const app = express().get('/head', (_req, res) => {
      res.setHeader('X-Early', 'a');
      seen.before = res.headersSent;
      res.writeHead(201, { 'X-Head': 'b' });
      seen.after = res.headersSent;
      try {
        res.setHeader('X-Late', 'c');
      } catch (err) {
        seen.late = (err as NodeJS.ErrnoException).code;
      }
      res.end('made');
    });
    const recording = invoke(fromExpress(app), { uri: '/head' });
    await recording.done;
    expect(seen).toEqual({ before: false, after: true, late: 'ERR_HTTP_HEADERS_SENT' });
    expect(recording.status).toBe(201);
    expect(recording.headers).toEqual(
      expect.arrayContaining([
        ['X-Early', 'a'],
        ['X-Head', 'b'],
      ]),
    );
    expect(recording.headers.map(([name]) => name.toLowerCase())).not.toContain('x-late');
    expect(recording.body).toBe('made');
  });

  it('should send no body with a 204 from writeHead, whatever the app writes', async () => {
    const app = express().get('/none', (_req, res) => {
      res.writeHead(204);
      res.end('ignored');
    });
    const recording = invoke(fromExpress(app), { uri: '/none' });
    await recording.done;
    expect(recording.status).toBe(204);
    expect(recording.body).toBe('');
  });

  it('should give the app req.signal, aborted when the client goes away', async () => {
    const seen = gate<AbortSignal>();
    const app = express().get('/wait', (req) => seen.open((req as IncomingMessage & { signal: AbortSignal }).signal));
    const recording = invoke(fromExpress(app), { uri: '/wait' });
    const signal = await seen.promise;
    expect(signal.aborted).toBe(false);
    recording.abort();
    expect(signal.aborted).toBe(true);
  });

  it('should route below SCRIPT_NAME and show it as req.baseUrl, with req.originalUrl the full target', async () => {
    const router = express.Router().get('/item/:id', (req, res) => {
      res.json({ baseUrl: req.baseUrl, originalUrl: req.originalUrl, url: req.url, id: req.params['id'] });
    });
    const app = express().use('/api', router);
    const recording = invoke(fromExpress(app), { uri: '/shop/api/item/7?x=1', scriptName: '/shop' });
    await recording.done;
    expect(JSON.parse(recording.body)).toEqual({
      baseUrl: '/shop/api',
      originalUrl: '/shop/api/item/7?x=1',
      url: '/item/7?x=1',
      id: '7',
    });
  });

  it('should read the body through express.json and answer 413 past its limit', async () => {
    const app = express()
      .use(express.json({ limit: '20b' }))
      .post('/json', (req, res) => {
        res.json({ got: req.body });
      });
    const body = Buffer.from('{"a":1}');
    const ok = invoke(fromExpress(app), {
      method: 'POST',
      uri: '/json',
      headers: [
        ['Content-Type', 'application/json'],
        ['Content-Length', String(body.length)],
      ],
      body: [body],
    });
    await ok.done;
    expect(JSON.parse(ok.body)).toEqual({ got: { a: 1 } });
    const big = Buffer.from(JSON.stringify({ text: 'x'.repeat(100) }));
    const tooLarge = invoke(fromExpress(app), {
      method: 'POST',
      uri: '/json',
      headers: [
        ['Content-Type', 'application/json'],
        ['Content-Length', String(big.length)],
      ],
      body: [big],
    });
    await tooLarge.done;
    expect(tooLarge.status).toBe(413);
  });

  it('should send the head on res.flushHeaders() and each res.write as its own chunk', async () => {
    const first = gate();
    const second = gate();
    const app = express().get('/sse', async (_req, res) => {
      res.setHeader('Content-Type', 'text/event-stream');
      res.flushHeaders();
      await first.promise;
      res.write('one\n');
      await second.promise;
      res.write('two\n');
      res.end();
    });
    const recording = invoke(fromExpress(app), { uri: '/sse' });
    await recording.until('head');
    expect(recording.events.map((e) => e.type)).toEqual(['head']);
    first.open();
    await recording.until('data');
    expect(recording.events.map((e) => e.type)).toEqual(['head', 'data']);
    second.open();
    await recording.done;
    expect(recording.events.map((e) => (e.type === 'data' ? e.chunk.toString() : e.type))).toEqual([
      'head',
      'one\n',
      'two\n',
      'end',
    ]);
  });

  it('should add Content-Length for res.end(data) as Node does, and send no body for HEAD', async () => {
    const listener = (_req: IncomingMessage, res: ServerResponse) => res.end('plain');
    const get = invoke(fromExpress(listener));
    await get.done;
    expect(get.headers).toContainEqual(['Content-Length', '5']);
    expect(get.body).toBe('plain');
    const head = invoke(fromExpress(express().get('/', (_req, res) => res.send('hello'))), { method: 'HEAD' });
    await head.done;
    expect(head.status).toBe(200);
    expect(head.headers).toContainEqual(['Content-Length', '5']);
    expect(head.body).toBe('');
  });

  it('should emit close on the request and the response when the client goes away', async () => {
    const handled = gate();
    const reqClosed = gate();
    const resClosed = gate<boolean>();
    const app = express().get('/wait', (req, res) => {
      req.on('close', () => reqClosed.open());
      res.on('close', () => resClosed.open(res.writableFinished));
      handled.open();
    });
    const recording = invoke(fromExpress(app), { uri: '/wait' });
    await handled.promise;
    recording.abort();
    expect(await resClosed.promise).toBe(false);
    await reqClosed.promise;
  });

  it('should finish with finish then close, as under http.createServer', async () => {
    const seen: string[] = [];
    const closed = gate();
    const app = express().get('/', (_req, res) => {
      res.on('finish', () => seen.push('finish'));
      res.on('close', () => {
        seen.push(`close, finished=${res.writableFinished}`);
        closed.open();
      });
      res.send('ok');
    });
    const recording = invoke(fromExpress(app));
    await recording.done;
    await closed.promise;
    expect(seen).toEqual(['finish', 'close, finished=true']);
  });

  it('should leave the socket referring to nothing of the exchange once the response finished', async () => {
    const finished = gate<NodeJS.EventEmitter & { _httpMessage?: unknown }>();
    const app = express().get('/', (req, res) => {
      res.on('finish', () => setImmediate(() => finished.open(req.socket)));
      res.send('ok');
    });
    const recording = invoke(fromExpress(app));
    await recording.done;
    // The socket outlives the exchange until a full GC (ADR-0031): a listener left on it would keep the request,
    // the response and their body queue with it.
    const socket = await finished.promise;
    expect(socket.listenerCount('close')).toBe(0);
    expect(socket._httpMessage).toBeNull();
  });

  it('should fail the response when the app destroys the socket before the response ended', async () => {
    const app = express().get('/', (req, res) => {
      res.write('partial');
      req.socket.destroy();
    });
    const recording = invoke(fromExpress(app));
    await recording.until('fail');
    const failure = recording.events.find((e) => e.type === 'fail');
    expect(failure).toMatchObject({ headSent: true, error: { message: 'the response was destroyed before it ended' } });
  });

  it('should run a mounted Express app through the adapter too', async () => {
    const admin = express().get('/users/:id', (req, res) => {
      res.json({ baseUrl: req.baseUrl, id: req.params['id'], signal: req.signal instanceof AbortSignal });
    });
    const recording = invoke(fromExpress(express().use('/admin', admin)), { uri: '/admin/users/3' });
    await recording.done;
    expect(recording.status).toBe(200);
    expect(JSON.parse(recording.body)).toEqual({ baseUrl: '/admin', id: '3', signal: true });
  });

  it('should expose the environ behind the request', async () => {
    const app = express().get('/', (req, res) => {
      res.send(String(environOf(req)?.REQUEST_ID));
    });
    const recording = invoke(fromExpress(app));
    await recording.done;
    expect(recording.body).toBe('test-request');
  });

  it('should host an Express app behind a plain function, and a listener that only calls writeHead', async () => {
    const inner = express().get('/', (_req, res) => res.send('inner'));
    const wrapped = invoke(fromExpress((req: IncomingMessage, res: ServerResponse) => inner(req, res)));
    await wrapped.done;
    expect(wrapped.body).toBe('inner');
    expect(wrapped.headers).toContainEqual(['Content-Length', '5']);
    const bare = invoke(
      fromExpress((_req: IncomingMessage, res: ServerResponse) => res.writeHead(202, { 'X-Only': 'head' }).end()),
    );
    await bare.done;
    expect(bare.status).toBe(202);
    expect(bare.headers).toContainEqual(['X-Only', 'head']);
  });

  it("should leave a real server's requests and responses in the same process to Node, even for the same app", async () => {
    const app = express().get('/', (req, res) => {
      res.on('finish', () => void finished.push(res.writableFinished));
      res.send(`signal: ${req.signal instanceof AbortSignal}`);
    });
    const finished: boolean[] = [];
    const hosted = invoke(fromExpress(app));
    await hosted.done;
    expect(hosted.body).toBe('signal: true');
    const server = createServer(app).listen(0, '127.0.0.1');
    await once(server, 'listening');
    try {
      const response = await fetch(`http://127.0.0.1:${(server.address() as AddressInfo).port}/`);
      expect(response.status).toBe(200);
      expect(response.headers.get('x-powered-by')).toBe('Express');
      expect(await response.text()).toBe('signal: true');
      expect(finished).toEqual([true, true]);
    } finally {
      server.closeAllConnections();
      server.close();
    }
  });

  it('should take headers given to writeHead alone in each form Node takes, and refuse what it refuses, as a real server', async () => {
    const forms: Array<(res: ServerResponse) => void> = [
      (res) => res.writeHead(200, { 'X-One': '1', 'Set-Cookie': ['a=1', 'b=2'] }),
      (res) =>
        res.writeHead(200, [
          ['X-One', '1'],
          ['X-Two', '2'],
        ] as unknown as string[]),
      (res) => res.writeHead(200, ['X-One', '1', 'X-Two', '2', 'x-one', '3']),
      (res) => res.writeHead(200, ['X-One']),
      (res) => res.writeHead(200, { 'Bad Name': 'x' }),
    ];
    for (const form of forms) {
      const listener = (_req: IncomingMessage, res: ServerResponse) => {
        try {
          form(res);
        } catch (err) {
          res.writeHead(500, { 'X-Refused': String((err as NodeJS.ErrnoException).code) });
        }
        res.end();
      };
      const hosted = invoke(fromExpress(listener));
      await hosted.done;
      const dropped = new Set(['content-length', 'date', 'connection', 'keep-alive', 'transfer-encoding']);
      expect([hosted.status, hosted.headers.filter(([name]) => !dropped.has(name.toLowerCase()))]).toEqual(
        await underNode(listener, dropped),
      );
    }
  });

  it('should call back a write and an end after the client went away with the error a destroyed socket gives', async () => {
    const handled = gate();
    const called = gate<Array<string | undefined>>();
    const app = express().get('/wait', (_req, res) => {
      res.on('close', () => {
        const codes: Array<string | undefined> = [];
        res.write('late', (err) => codes.push((err as NodeJS.ErrnoException | null)?.code));
        res.end((err?: Error | null) => called.open([...codes, (err as NodeJS.ErrnoException | null)?.code]));
      });
      handled.open();
    });
    const recording = invoke(fromExpress(app), { uri: '/wait' });
    await handled.promise;
    recording.abort();
    expect(await called.promise).toEqual(['ERR_STREAM_DESTROYED', 'ERR_STREAM_DESTROYED']);
  });

  it('should leave the socket referring to no response once the client went away and the response closed', async () => {
    const handled = gate<NodeJS.EventEmitter & { _httpMessage?: unknown }>();
    const closed = gate();
    const app = express().get('/wait', (req, res) => {
      res.on('close', () => setImmediate(() => closed.open()));
      handled.open(req.socket);
    });
    const recording = invoke(fromExpress(app), { uri: '/wait' });
    const socket = await handled.promise;
    recording.abort();
    await closed.promise;
    expect(socket._httpMessage).toBeNull();
  });

  it("should emit the response's close once when the app destroys the request after answering it", async () => {
    let closes = 0;
    const closed = gate();
    const app = express().post('/', (req, res) => {
      res.on('close', () => {
        closes += 1;
        closed.open();
      });
      res.status(413).send('too big');
      req.destroy();
    });
    const body = Buffer.from('unread');
    const environ = testEnviron({ method: 'POST', headers: [['Content-Length', String(body.length)]], body: [body] });
    // A host that reads the answer only after the socket's close reached the response.
    const answer = fromExpress(app)(environ, () => () => {}) as AsyncIterable<Uint8Array>;
    await closed.promise;
    const chunks: Uint8Array[] = [];
    for await (const chunk of answer) chunks.push(chunk);
    await new Promise((resolve) => setImmediate(resolve));
    expect(Buffer.concat(chunks).toString()).toBe('too big');
    expect(closes).toBe(1);
  });

  it('should fail the response with the error the app destroys it with', async () => {
    const app = express().get('/', (_req, res) => {
      res.write('partial');
      res.destroy(new Error('gave up'));
    });
    const recording = invoke(fromExpress(app));
    await recording.until('fail');
    expect(recording.events.find((e) => e.type === 'fail')).toMatchObject({ error: { message: 'gave up' } });
  });
});

/** The status and the header fields a real `http` server sends for `listener`, but for `dropped`. */
async function underNode(
  listener: (req: IncomingMessage, res: ServerResponse) => void,
  dropped: ReadonlySet<string>,
): Promise<[number | undefined, Array<[string, string]>]> {
  const server = createServer(listener).listen(0, '127.0.0.1');
  await once(server, 'listening');
  try {
    const [response] = (await once(get(`http://127.0.0.1:${(server.address() as AddressInfo).port}/`), 'response')) as [
      IncomingMessage,
    ];
    response.resume();
    const fields: Array<[string, string]> = [];
    for (let i = 0; i < response.rawHeaders.length; i += 2) {
      const name = response.rawHeaders[i] as string;
      if (!dropped.has(name.toLowerCase())) fields.push([name, response.rawHeaders[i + 1] as string]);
    }
    return [response.statusCode, fields];
  } finally {
    server.closeAllConnections();
    server.close();
  }
}
