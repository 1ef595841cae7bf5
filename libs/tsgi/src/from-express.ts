import { IncomingMessage, ServerResponse, STATUS_CODES } from 'node:http';
import type { Socket } from 'node:net';
import { Duplex } from 'node:stream';
import type { Application, Environ, Flush, HeaderList, StartResponse } from './environ';
import { isHopByHop, statusAllowsBody } from './response-head';
import { ResponseQueue } from './response-queue';

/** A Node request listener: an Express (or Connect, or plain `http`) application. */
export type NodeListener = (req: IncomingMessage, res: ServerResponse) => void;

export interface FromExpressOptions {
  /** Bytes `res.write` may queue before it returns false and waits for 'drain'. */
  highWaterMark?: number;
}

/** Fields of Node's http objects that the adapter drives as Node's own HTTP server does. */
interface RequestInternals {
  complete: boolean;
  _consuming: boolean;
  _dump(): void;
  _addHeaderLines(headers: string[], n: number): void;
}

interface ResponseInternals {
  _header: string | null;
  _storeHeader(statusLine: string, headers: unknown): void;
  _hasBody: boolean;
  finished: boolean;
  getRawHeaderNames(): string[];
}

type WriteCallback = (err?: Error | null) => void;

/**
 * The environ on the request object itself: a WeakMap with an entry per request churns like a Map (call-table.ts).
 * A registered symbol, so that an application bundled with its own copy of this library (examples/express-demo)
 * finds the environ that the host's copy attached.
 */
const ENVIRON = Symbol.for('tsgi.environ');

/**
 * `res.writableFinished`, one accessor for every response, reading a flag on the response. A getter made per
 * request gives each response a hidden class of its own that keeps the request's objects alive from the old
 * generation (docs/adr/0004-request-cost.md): 4 KB a request were promoted through it.
 */
const FINISHED = Symbol('tsgi.finished');
type FinishFlag = { [FINISHED]: boolean };
const WRITABLE_FINISHED: PropertyDescriptor = {
  configurable: true,
  get(this: FinishFlag) {
    return this[FINISHED];
  },
};

/**
 * `req.signal`, one accessor for every request: the environ's `tsgi.signal`, which aborts when the client leaves,
 * the response head is late or the body goes idle (made only when an application reads it).
 */
const REQUEST_SIGNAL: PropertyDescriptor = {
  configurable: true,
  enumerable: false,
  get(this: IncomingMessage) {
    return environOf(this)?.['tsgi.signal'];
  },
};

/**
 * The environ behind a request that `fromExpress` created (Flask's `request.environ`).
 *
 * @example
 * app.get('/environ', (req, res) => res.json(environOf(req)?.SCRIPT_NAME));
 */
export function environOf(req: IncomingMessage): Environ | undefined {
  return (req as IncomingMessage & { [ENVIRON]?: Environ })[ENVIRON];
}

/**
 * Hosts a Node request listener, unchanged, as a TSGI application: the app gets a real `http.IncomingMessage` and
 * `http.ServerResponse`, as under `http.createServer(app)`, with the environ behind them. `req.ip`, `req.protocol`,
 * `req.hostname`, `req.baseUrl`/`req.originalUrl` (from SCRIPT_NAME), 'close' on disconnect, `res.flushHeaders()`
 * and streamed `res.write` behave as there. The adapter replaces only what would touch a socket (write, end,
 * flushHeaders, writableFinished, and the head's text, on the instance); docs/adr/0002-express-adapter.md explains
 * the choice.
 *
 * @example
 * const application = fromExpress(express().get('/hello', (req, res) => res.send('Hello World!')));
 */
export function fromExpress(app: NodeListener, { highWaterMark = 64 * 1024 }: FromExpressOptions = {}): Application {
  return function expressApplication(environ, startResponse) {
    const socket = new EnvironSocket(environ);
    const req = createRequest(environ, socket) as IncomingMessage & { [ENVIRON]: Environ };
    // A symbol-keyed property: no listing (Object.keys, for…in, JSON) shows it; assigned, not defined (a runtime call).
    req[ENVIRON] = environ;
    Object.defineProperty(req, 'signal', REQUEST_SIGNAL);
    const body = new ResponseQueue(highWaterMark);
    const res = createResponse(req, socket, body, startResponse);
    app(req, res);
    return body;
  };
}

class EnvironSocket extends Duplex {
  readonly remoteAddress: string;
  readonly remotePort: number;
  readonly remoteFamily: string;
  readonly localAddress: string;
  readonly localPort: number;
  readonly encrypted: true | undefined;

  constructor(environ: Environ) {
    super({ allowHalfOpen: true });
    this.remoteAddress = environ.REMOTE_ADDR;
    this.remotePort = Number(environ.REMOTE_PORT);
    this.remoteFamily = environ.REMOTE_ADDR.includes(':') ? 'IPv6' : 'IPv4';
    this.localAddress = environ.SERVER_NAME;
    this.localPort = Number(environ.SERVER_PORT);
    this.encrypted = environ['tsgi.url_scheme'] === 'https' ? true : undefined;
    this.on('error', () => {});
  }

  override _read(): void {}

  override _write(_chunk: unknown, _encoding: BufferEncoding, callback: (error?: Error | null) => void): void {
    callback();
  }

  setTimeout(): this {
    return this;
  }

  setNoDelay(): this {
    return this;
  }

  setKeepAlive(): this {
    return this;
  }

  ref(): this {
    return this;
  }

  unref(): this {
    return this;
  }

  address(): { address: string; port: number; family: string } {
    return { address: this.localAddress, port: this.localPort, family: this.remoteFamily };
  }
}

function createRequest(environ: Environ, socket: EnvironSocket): IncomingMessage {
  const req = new IncomingMessage(socket as unknown as Socket);
  const internals = req as unknown as RequestInternals;
  const [major = 1, minor = 1] = /HTTP\/(\d)\.(\d)/.exec(environ.SERVER_PROTOCOL)?.slice(1).map(Number) ?? [];
  req.httpVersionMajor = major;
  req.httpVersionMinor = minor;
  req.httpVersion = `${major}.${minor}`;
  req.method = environ.REQUEST_METHOD;
  req.url = pathBelowMount(environ);
  const raw = environ['tsgi.headers'].flat();
  // Transfer-Encoding is hop-by-hop and stops at the edge; a Node listener (body-parser's type-is) needs it back to
  // see that a body of unknown length follows.
  if (environ['tsgi.input_terminated'] && environ.CONTENT_LENGTH === '' && !hasHeader(raw, 'transfer-encoding'))
    raw.push('Transfer-Encoding', 'chunked');
  internals._addHeaderLines(raw, raw.length);
  if (environ.SCRIPT_NAME !== '') {
    Object.assign(req, { baseUrl: environ.SCRIPT_NAME, originalUrl: environ.REQUEST_URI });
  }
  if (hasBody(environ)) pullBody(req, environ);
  else {
    internals.complete = true;
    req.push(null);
  }
  return req;
}

/** The request-target as the application sees it: REQUEST_URI without the mount point, as Express's `req.url`. */
function pathBelowMount(environ: Environ): string {
  const target = environ.REQUEST_URI;
  const mount = environ.SCRIPT_NAME;
  if (mount === '' || !target.startsWith(mount)) return target;
  const rest = target.slice(mount.length);
  return rest.startsWith('/') ? rest : `/${rest}`;
}

/** As Node's parser decides: a body exists when Content-Length is non-zero or one of unknown length follows. */
function hasBody(environ: Environ): boolean {
  if (environ.CONTENT_LENGTH !== '') return environ.CONTENT_LENGTH !== '0';
  return environ['tsgi.input_terminated'];
}

function hasHeader(raw: readonly string[], lower: string): boolean {
  for (let i = 0; i < raw.length; i += 2) if ((raw[i] as string).toLowerCase() === lower) return true;
  return false;
}

function pullBody(req: IncomingMessage, environ: Environ): void {
  const input = environ['tsgi.input'][Symbol.asyncIterator]();
  let reading = false;
  const read = (): void => {
    if (reading) return;
    reading = true;
    input.next().then(
      (next) => {
        reading = false;
        if (next.done) {
          (req as unknown as RequestInternals).complete = true;
          req.push(null);
        } else if (req.push(next.value)) req._read(0);
      },
      () => {
        reading = false;
        if (!req.destroyed) req.destroy(connectionReset());
      },
    );
  };
  req._read = read;
}

function createResponse(
  req: IncomingMessage,
  socket: EnvironSocket,
  body: ResponseQueue,
  startResponse: StartResponse,
): ServerResponse {
  const res = new ServerResponse(req);
  const internals = res as unknown as ResponseInternals;
  // With the header map initialised, writeHead() merges its headers into it (else they bypass getHeaders()).
  res.setHeader('x-tsgi', '');
  res.removeHeader('x-tsgi');
  internals._storeHeader = storeStatusLine;
  res.assignSocket(socket as unknown as Socket);

  let flush: Flush | undefined;
  const commitHead = (contentLength?: number) => {
    if (flush) return;
    if (!internals._header) res.writeHead(res.statusCode);
    const status = `${res.statusCode} ${res.statusMessage || STATUS_CODES[res.statusCode] || 'Unknown'}`;
    flush = startResponse(status, responseHeaders(res, internals, contentLength));
  };

  const write = function write(chunk: unknown, encoding?: BufferEncoding | WriteCallback, callback?: WriteCallback) {
    const [enc, cb] = typeof encoding === 'function' ? [undefined, encoding] : [encoding, callback];
    if (internals.finished) {
      process.nextTick(() => cb?.(writeAfterEnd()));
      return false;
    }
    commitHead();
    const bytes = toBytes(chunk, enc);
    if (!internals._hasBody || bytes.byteLength === 0) {
      if (cb) process.nextTick(cb);
      return true;
    }
    return body.push(bytes, cb);
  } as ServerResponse['write'];
  res.write = write;

  const end = function end(chunk?: unknown, encoding?: BufferEncoding | WriteCallback, callback?: WriteCallback) {
    if (typeof chunk === 'function') [chunk, encoding, callback] = [undefined, undefined, chunk as WriteCallback];
    const [enc, cb] = typeof encoding === 'function' ? [undefined, encoding] : [encoding, callback];
    if (internals.finished) {
      if (cb) process.nextTick(cb);
      return res;
    }
    const bytes = chunk === undefined || chunk === null ? undefined : toBytes(chunk, enc);
    commitHead(internals._header ? undefined : (bytes?.byteLength ?? 0));
    if (bytes && bytes.byteLength > 0 && internals._hasBody) body.push(bytes);
    internals.finished = true;
    if (cb) res.once('finish', cb);
    body.end();
    return res;
  } as ServerResponse['end'];
  res.end = end;

  const flushHeaders = (): void => {
    commitHead();
    flush?.();
  };
  res.flushHeaders = flushHeaders;

  const flag = res as ServerResponse & Partial<FinishFlag>;
  flag[FINISHED] = false;
  Object.defineProperty(res, 'writableFinished', WRITABLE_FINISHED);
  const ondrain = (): void => void res.emit('drain');
  const onclose = (): void => {
    if (!body.settled) body.fail(new Error('the response was destroyed before it ended'));
  };
  const onfinish = (): void => {
    // Node's Writable state gives every socket a function V8 allocates in the old generation, which keeps the
    // socket reachable until a full GC: what the socket still references then outlives the exchange (ADR-0031).
    socket.removeListener('close', onclose);
    flag[FINISHED] = true;
    res.emit('prefinish');
    res.emit('finish');
    res.detachSocket(socket as unknown as Socket);
    const request = req as unknown as RequestInternals;
    if (!request._consuming && !req.readableEnded) request._dump();
    process.nextTick(() => {
      res.destroyed = true;
      res.emit('close');
    });
  };
  const onabort = (): void => {
    // What Node's server does when the connection drops: the request is aborted, then the socket's 'close'
    // reaches the response.
    if (!req.destroyed) req.destroy(connectionReset());
    socket.destroy();
  };
  body.ondrain = ondrain;
  body.onfinish = onfinish;
  body.onabort = onabort;
  socket.once('close', onclose);
  return res;
}

/**
 * What writeHead() stores once it has validated the status and merged its headers into the header map: only the
 * status line, which makes `headersSent` true. Node's own `_storeHeader` writes the whole head as text (every field
 * checked again, Date, the framing) for a socket; here the head goes to `start_response` from the header map
 * (responseHeaders), and that text was never read (~1 µs a request).
 */
function storeStatusLine(this: ResponseInternals, statusLine: string): void {
  this._header = statusLine;
}

function responseHeaders(res: ServerResponse, internals: ResponseInternals, contentLength?: number): HeaderList {
  const headers: HeaderList = [];
  let framed = false;
  for (const name of internals.getRawHeaderNames()) {
    const lower = name.toLowerCase();
    if (lower === 'content-length' || lower === 'transfer-encoding') framed = true;
    if (isHopByHop(name)) continue;
    const value = res.getHeader(name);
    if (Array.isArray(value)) for (const item of value) headers.push([name, String(item)]);
    else if (value !== undefined) headers.push([name, String(value)]);
  }
  // Node adds Content-Length for a body given whole to end() before the head was written.
  if (contentLength !== undefined && !framed && internals._hasBody && statusAllowsBody(res.statusCode)) {
    headers.push(['Content-Length', String(contentLength)]);
  }
  return headers;
}

function toBytes(chunk: unknown, encoding: BufferEncoding | undefined): Uint8Array {
  if (typeof chunk === 'string') return Buffer.from(chunk, encoding ?? 'utf8');
  if (chunk instanceof Uint8Array) return chunk;
  throw Object.assign(new TypeError('The "chunk" argument must be of type string or an instance of Buffer'), {
    code: 'ERR_INVALID_ARG_TYPE',
  });
}

function connectionReset(): Error {
  return Object.assign(new Error('aborted'), { code: 'ECONNRESET' });
}

function writeAfterEnd(): Error {
  return Object.assign(new Error('write after end'), { code: 'ERR_STREAM_WRITE_AFTER_END' });
}
