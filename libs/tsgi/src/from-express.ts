import { IncomingMessage, ServerResponse, STATUS_CODES } from 'node:http';
import type { Socket } from 'node:net';
import { Duplex } from 'node:stream';
import type { Application, Environ, Flush, HeaderList, StartResponse } from './environ';
import { isHopByHop, statusAllowsBody } from './response-head';
import { ResponseQueue, type QueueOwner } from './response-queue';

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
}

type WriteCallback = (err?: Error | null) => void;

/**
 * The environ on the request object itself: a WeakMap with an entry per request churns like a Map (call-table.ts).
 * A registered symbol, so that an application bundled with its own copy of this library (examples/express-demo)
 * finds the environ that the host's copy attached.
 */
const ENVIRON = Symbol.for('tsgi.environ');

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
 * and streamed `res.write` behave as there. What would touch a socket (write, end, flushHeaders, writableFinished,
 * the head's text, `req.signal`) is replaced once on Node's own prototypes, for the requests and responses this
 * adapter made and no others, so that Express's swap of prototypes keeps it and a request makes no functions
 * (docs/adr/0045-the-express-adapter-on-nodes-prototypes.md, superseding docs/adr/0002-express-adapter.md).
 *
 * @example
 * const application = fromExpress(express().get('/hello', (req, res) => res.send('Hello World!')));
 */
export function fromExpress(app: NodeListener, { highWaterMark = 64 * 1024 }: FromExpressOptions = {}): Application {
  installOnNodePrototypes();
  const { Request, Response } = constructorsFor(app);
  return function expressApplication(environ, startResponse) {
    const socket = new EnvironSocket(environ);
    const req = createRequest(environ, socket, Request);
    const res = Reflect.construct(ServerResponse, [req], Response) as AdaptedResponse;
    const exchange = new Exchange(req, res, socket, highWaterMark, startResponse);
    // With the header map made, writeHead() merges its headers into it (else they bypass the map that
    // responseHeaders reads).
    (res as unknown as HeaderMapHolder)[OUT_HEADERS] = Object.create(null) as HeaderMap;
    res[EXCHANGE] = exchange;
    socket.exchange = exchange;
    res.assignSocket(socket as unknown as Socket);
    app(req, res);
    return exchange.body;
  };
}

/** What `new` makes a request and a response with: on an Express app's own prototypes, when it has them. */
interface Constructors {
  Request: new (...args: never[]) => object;
  Response: new (...args: never[]) => object;
}

/**
 * An Express app moves every `req` and `res` onto its own prototypes (`app.request`, `app.response`, which end at
 * Node's) as it starts on them, and moving an object onto another prototype costs more than the rest of its
 * routing of `/hello` (a fifth of the adapter's time in a loop): made there already, the move finds them in place.
 * Any other listener gets Node's own.
 */
function constructorsFor(app: NodeListener): Constructors {
  const { request, response } = app as Partial<Record<'request' | 'response', unknown>>;
  if (!inherits(request, IncomingMessage.prototype) || !inherits(response, ServerResponse.prototype))
    return { Request: IncomingMessage, Response: ServerResponse };
  return { Request: newTargetWith(request), Response: newTargetWith(response) };
}

function inherits(value: unknown, prototype: object): value is object {
  return typeof value === 'object' && value !== null && Object.prototype.isPrototypeOf.call(prototype, value);
}

/** A constructor whose instances, made by `Reflect.construct(Node's, args, it)`, have `prototype`. */
function newTargetWith(prototype: object): new (...args: never[]) => object {
  const target = function target() {} as unknown as new (...args: never[]) => object;
  target.prototype = prototype;
  return target;
}

/**
 * One request's response as the adapter drives it: what the replaced methods need beyond Node's own fields, and
 * what the body queue and the socket tell it.
 */
class Exchange implements QueueOwner {
  readonly body: ResponseQueue;
  flush: Flush | undefined = undefined;
  /** `res.writableFinished`: the host read the whole body. */
  finished = false;

  constructor(
    readonly req: IncomingMessage,
    readonly res: AdaptedResponse,
    readonly socket: EnvironSocket,
    highWaterMark: number,
    readonly startResponse: StartResponse,
  ) {
    this.body = new ResponseQueue(highWaterMark, this);
  }

  commitHead(contentLength?: number): void {
    if (this.flush) return;
    const res = this.res;
    if (!res._header) res.writeHead(res.statusCode);
    const status = `${res.statusCode} ${res.statusMessage || STATUS_CODES[res.statusCode] || 'Unknown'}`;
    this.flush = this.startResponse(status, responseHeaders(res, contentLength));
  }

  write(chunk: unknown, encoding?: BufferEncoding | WriteCallback, callback?: WriteCallback): boolean {
    let enc = encoding;
    let cb = callback;
    if (typeof encoding === 'function') {
      enc = undefined;
      cb = encoding;
    }
    if (this.res.finished) {
      process.nextTick(() => cb?.(writeAfterEnd()));
      return false;
    }
    this.commitHead();
    const bytes = toBytes(chunk, enc as BufferEncoding | undefined);
    if (!this.res._hasBody || bytes.byteLength === 0) {
      if (cb) process.nextTick(cb);
      return true;
    }
    return this.body.push(bytes, cb);
  }

  end(chunk?: unknown, encoding?: BufferEncoding | WriteCallback, callback?: WriteCallback): void {
    let data = chunk;
    let enc = encoding;
    let cb = callback;
    if (typeof chunk === 'function') {
      data = undefined;
      enc = undefined;
      cb = chunk as WriteCallback;
    } else if (typeof encoding === 'function') {
      enc = undefined;
      cb = encoding;
    }
    const res = this.res;
    if (res.finished) {
      if (cb) process.nextTick(cb);
      return;
    }
    const bytes = data === undefined || data === null ? undefined : toBytes(data, enc as BufferEncoding | undefined);
    this.commitHead(res._header ? undefined : (bytes?.byteLength ?? 0));
    if (bytes && bytes.byteLength > 0 && res._hasBody) this.body.push(bytes);
    res.finished = true;
    if (cb) res.once('finish', cb);
    this.body.end();
  }

  flushHeaders(): void {
    this.commitHead();
    this.flush?.();
  }

  drained(): void {
    this.res.emit('drain');
  }

  finishedReading(): void {
    const { req, res, socket } = this;
    // Node's Writable state gives every socket a function V8 allocates in the old generation, which keeps the
    // socket reachable until a full GC: what the socket still references then outlives the exchange (ADR-0031).
    socket.exchange = undefined;
    this.finished = true;
    res.emit('prefinish');
    res.emit('finish');
    res.detachSocket(socket as unknown as Socket);
    const request = req as unknown as RequestInternals;
    if (!request._consuming && !req.readableEnded) request._dump();
    process.nextTick(closeResponse, res);
  }

  aborted(): void {
    // What Node's server does when the connection drops: the request is aborted, then the socket's 'close'
    // reaches the response.
    if (!this.req.destroyed) this.req.destroy(connectionReset());
    this.socket.destroy();
  }

  /** The socket was destroyed (by the app, or by `aborted`): a body not yet ended fails. */
  socketClosed(): void {
    if (!this.body.settled) this.body.fail(new Error('the response was destroyed before it ended'));
  }
}

function closeResponse(res: ServerResponse): void {
  res.destroyed = true;
  res.emit('close');
}

/** Where a request's exchange hangs on its response: a registered symbol, for the same reason as ENVIRON. */
const EXCHANGE = Symbol.for('tsgi.exchange');
/** Marks Node's prototypes as replaced, once per process whichever copy of this library came first. */
const INSTALLED = Symbol.for('tsgi.adapter-installed');

/** Node's header map (`kOutHeaders`): each field by its lowercased name, with the name as set and its value. */
type HeaderMap = Record<string, [string, number | string | readonly string[]]>;
/** Node's own symbol for a response's header map, found once on a response. */
const OUT_HEADERS = ownSymbol(new ServerResponse({ method: 'GET' } as IncomingMessage), 'kOutHeaders');

type AdaptedResponse = ServerResponse & ResponseInternals & { [EXCHANGE]?: Exchange };
type HeaderMapHolder = Record<typeof OUT_HEADERS, HeaderMap | null>;
type AdaptedRequest = IncomingMessage & { [ENVIRON]?: Environ };

/**
 * Replaces, on `ServerResponse.prototype` and `IncomingMessage.prototype`, what an adapted exchange must not take
 * from Node: each replacement serves the requests and responses this adapter made (an `EXCHANGE` or an `ENVIRON` on
 * them) and hands any other, a real server's in the same process, to Node's own. On the prototypes rather than on
 * each response, because Express moves every `res` onto its own prototype chain (which ends at Node's) and a method
 * per response is a function made per request.
 */
function installOnNodePrototypes(): void {
  const response = ServerResponse.prototype as unknown as AdaptedResponse;
  if (Object.hasOwn(response, INSTALLED)) return;
  const node = {
    write: response.write,
    end: response.end,
    flushHeaders: response.flushHeaders,
    storeHeader: response._storeHeader,
    writableFinished: getterOf(response, 'writableFinished'),
    signal: getterOf(IncomingMessage.prototype, 'signal'),
  };
  Object.defineProperties(response, {
    [INSTALLED]: { value: true },
    write: method(function write(this: AdaptedResponse, chunk: unknown, encoding?: unknown, callback?: unknown) {
      const exchange = this[EXCHANGE];
      if (exchange === undefined) return Reflect.apply(node.write, this, [chunk, encoding, callback]);
      return exchange.write(chunk, encoding as BufferEncoding | WriteCallback, callback as WriteCallback);
    }),
    end: method(function end(this: AdaptedResponse, chunk?: unknown, encoding?: unknown, callback?: unknown) {
      const exchange = this[EXCHANGE];
      if (exchange === undefined) return Reflect.apply(node.end, this, [chunk, encoding, callback]);
      exchange.end(chunk, encoding as BufferEncoding | WriteCallback, callback as WriteCallback);
      return this;
    }),
    flushHeaders: method(function flushHeaders(this: AdaptedResponse) {
      const exchange = this[EXCHANGE];
      if (exchange === undefined) Reflect.apply(node.flushHeaders, this, []);
      else exchange.flushHeaders();
    }),
    // What writeHead() stores once it has validated the status and merged its headers into the header map: only
    // the status line, which makes `headersSent` true. Node's own writes the whole head as text (every field
    // checked again, Date, the framing) for a socket; here the head goes to `start_response` from the header map
    // (responseHeaders), and that text was never read (~1 µs a request).
    _storeHeader: method(function _storeHeader(this: AdaptedResponse, statusLine: string, headers: unknown) {
      if (this[EXCHANGE] === undefined) Reflect.apply(node.storeHeader, this, [statusLine, headers]);
      else this._header = statusLine;
    }),
    writableFinished: accessor(function writableFinished(this: AdaptedResponse) {
      const exchange = this[EXCHANGE];
      return exchange === undefined ? node.writableFinished?.call(this) : exchange.finished;
    }),
  });
  // `req.signal`: the environ's `tsgi.signal`, which aborts when the client leaves, the response head is late or
  // the body goes idle (made only when an application reads it).
  Object.defineProperty(
    IncomingMessage.prototype,
    'signal',
    accessor(function signal(this: AdaptedRequest) {
      const environ = this[ENVIRON];
      return environ === undefined ? node.signal?.call(this) : environ['tsgi.signal'];
    }),
  );
}

function ownSymbol(object: object, description: string): symbol {
  const found = Object.getOwnPropertySymbols(object).find((symbol) => symbol.description === description);
  if (found === undefined) throw new Error(`fromExpress: this Node has no ${description} on its responses`);
  return found;
}

function method(value: (...args: never[]) => unknown): PropertyDescriptor {
  return { value, writable: true, configurable: true, enumerable: true };
}

function accessor(get: () => unknown): PropertyDescriptor {
  return { get, configurable: true, enumerable: false };
}

function getterOf(object: object, name: string): (() => unknown) | undefined {
  for (let o: object | null = object; o !== null; o = Object.getPrototypeOf(o) as object | null) {
    const descriptor = Object.getOwnPropertyDescriptor(o, name);
    if (descriptor) return descriptor.get;
  }
  return undefined;
}

/**
 * The socket a Node listener sees: the environ's addresses, and a stream that writes nowhere. Destroyed (by the
 * application, or when the client left), it tells the exchange it served; the error it is destroyed with goes to
 * the request (Node's `IncomingMessage` passes it on), not out as the socket's 'error', which nothing handles here.
 */
class EnvironSocket extends Duplex {
  /** The exchange it serves, until the response finished. */
  exchange: Exchange | undefined = undefined;
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
  }

  override _read(): void {}

  override _destroy(_error: Error | null, callback: (error?: Error | null) => void): void {
    this.exchange?.socketClosed();
    callback(null);
  }

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

function createRequest(environ: Environ, socket: EnvironSocket, Request: Constructors['Request']): AdaptedRequest {
  const req = Reflect.construct(IncomingMessage, [socket], Request) as AdaptedRequest;
  const internals = req as unknown as RequestInternals;
  // A symbol-keyed property: no listing (Object.keys, for…in, JSON) shows it; assigned, not defined (a runtime call).
  req[ENVIRON] = environ;
  const protocol = environ.SERVER_PROTOCOL;
  if (protocol === 'HTTP/1.1') {
    req.httpVersionMajor = 1;
    req.httpVersionMinor = 1;
    req.httpVersion = '1.1';
  } else {
    const [major = 1, minor = 1] = /HTTP\/(\d)\.(\d)/.exec(protocol)?.slice(1).map(Number) ?? [];
    req.httpVersionMajor = major;
    req.httpVersionMinor = minor;
    req.httpVersion = `${major}.${minor}`;
  }
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

function responseHeaders(res: AdaptedResponse, contentLength?: number): HeaderList {
  const headers: HeaderList = [];
  let framed = false;
  const map = (res as unknown as HeaderMapHolder)[OUT_HEADERS];
  for (const lower in map) {
    const [name, value] = (map as HeaderMap)[lower] as HeaderMap[string];
    if (lower === 'content-length' || lower === 'transfer-encoding') framed = true;
    if (isHopByHop(lower)) continue;
    if (Array.isArray(value)) for (const item of value) headers.push([name, String(item)]);
    else headers.push([name, String(value)]);
  }
  // Node adds Content-Length for a body given whole to end() before the head was written.
  if (contentLength !== undefined && !framed && res._hasBody && statusAllowsBody(res.statusCode)) {
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
