import {
  STATUS_CODES,
  validateHeaderName,
  validateHeaderValue,
  type IncomingMessage,
  type ServerResponse,
} from 'node:http';
import type { Socket } from 'node:net';
import type { Flush, HeaderList, StartResponse } from './environ';
import type { EnvironSocket, SocketOwner } from './environ-socket';
import { isHopByHop, statusAllowsBody } from './response-head';
import { ResponseQueue, type QueueOwner, type WrittenCallback } from './response-queue';
import { alreadyFinished, connectionReset, streamDestroyed, writeAfterEnd } from './stream-errors';

/** Where a response's exchange hangs: this copy of the library's own (another copy's replacements pass it on). */
export const EXCHANGE = Symbol('tsgi.exchange');

/** Fields of Node's http objects that the adapter drives as Node's own HTTP server does. */
export interface RequestInternals {
  complete: boolean;
  _consuming: boolean;
  _dump(): void;
  _addHeaderLines(headers: string[], n: number): void;
}

export interface ResponseInternals {
  _header: string | null;
  _hasBody: boolean;
  _closed: boolean;
  finished: boolean;
}

export type AdaptedResponse = ServerResponse & ResponseInternals & { [EXCHANGE]?: Exchange };

/** A field as Node's header map keeps it: the name as set, and its value. */
type Field = readonly [string, unknown];

/**
 * One request's response as `fromExpress` drives it: what the methods it replaces on Node's prototypes need beyond
 * Node's own fields (`res.finished`, `_header`, `_hasBody`), and what the body queue and the socket tell it.
 */
export class Exchange implements QueueOwner, SocketOwner {
  readonly body: ResponseQueue;
  flush: Flush | undefined = undefined;
  /** `res.writableFinished`: the host read the whole body. */
  bodyRead = false;
  /** The head as writeHead() gave it: Node's header map (`mapped`), else the headers passed to it, if any. */
  #head: unknown = undefined;
  #mapped = false;
  /** The callbacks given to `end()`, called once the host read the body or the exchange failed. */
  #endCallbacks: WrittenCallback[] | undefined = undefined;

  constructor(
    readonly req: IncomingMessage,
    readonly res: AdaptedResponse,
    readonly socket: EnvironSocket,
    highWaterMark: number,
    readonly startResponse: StartResponse,
  ) {
    this.body = new ResponseQueue(highWaterMark, this);
  }

  /**
   * What Node's `_storeHeader` receives once writeHead() validated the status: the status line, which makes
   * `headersSent` true, and the head, kept as given. Node's own writes the head as text for a socket (every field
   * checked, Date, the framing); here it goes to `start_response` (responseHeaders). Headers given to writeHead()
   * alone are checked here, as Node checks them there.
   */
  storeHead(statusLine: string, headers: unknown, mapped: boolean): void {
    if (!mapped) forEachField(headers, checkField);
    this.#head = headers;
    this.#mapped = mapped;
    this.res._header = statusLine;
  }

  commitHead(contentLength?: number): void {
    if (this.flush) return;
    const res = this.res;
    if (!res._header) res.writeHead(res.statusCode);
    const status = `${res.statusCode} ${res.statusMessage || STATUS_CODES[res.statusCode] || 'Unknown'}`;
    this.flush = this.startResponse(status, this.#responseHeaders(contentLength));
  }

  write(chunk: unknown, encoding?: BufferEncoding | WrittenCallback, callback?: WrittenCallback): boolean {
    let enc = encoding;
    let cb = callback;
    if (typeof encoding === 'function') {
      enc = undefined;
      cb = encoding;
    }
    const res = this.res;
    if (res.finished || res.destroyed) {
      const error = res.finished ? writeAfterEnd() : streamDestroyed('write');
      if (cb) process.nextTick(cb, error);
      return false;
    }
    this.commitHead();
    const bytes = toBytes(chunk, enc as BufferEncoding | undefined);
    if (!res._hasBody || bytes.byteLength === 0) {
      if (cb) process.nextTick(cb);
      return true;
    }
    return this.body.push(bytes, cb);
  }

  end(chunk?: unknown, encoding?: BufferEncoding | WrittenCallback, callback?: WrittenCallback): void {
    let data = chunk;
    let enc = encoding;
    let cb = callback;
    if (typeof chunk === 'function') {
      data = undefined;
      enc = undefined;
      cb = chunk as WrittenCallback;
    } else if (typeof encoding === 'function') {
      enc = undefined;
      cb = encoding;
    }
    const res = this.res;
    if (res.finished) {
      // As Node's: a callback given to a second end() runs when the first one's would.
      if (cb && this.bodyRead) cb(alreadyFinished());
      else if (cb) (this.#endCallbacks ??= []).push(cb);
      return;
    }
    if (res.destroyed) {
      res.finished = true;
      if (cb) process.nextTick(cb, streamDestroyed('end'));
      return;
    }
    const bytes = data === undefined || data === null ? undefined : toBytes(data, enc as BufferEncoding | undefined);
    this.commitHead(res._header ? undefined : (bytes?.byteLength ?? 0));
    if (bytes && bytes.byteLength > 0 && res._hasBody) this.body.push(bytes);
    res.finished = true;
    if (cb) (this.#endCallbacks ??= []).push(cb);
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
    socket.owner = undefined;
    this.bodyRead = true;
    this.#callEndCallbacks(null);
    res.emit('prefinish');
    res.emit('finish');
    // Unless the socket was destroyed and has let the response go already (EnvironSocket).
    if (socket._httpMessage === res) res.detachSocket(socket as unknown as Socket);
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

  /** The socket was destroyed (by the application, or by `aborted`): a body not yet ended fails. */
  socketClosed(error: Error | null): void {
    if (!this.body.settled) this.body.fail(error ?? new Error('the response was destroyed before it ended'));
    if (this.#endCallbacks) process.nextTick(() => this.#callEndCallbacks(error ?? streamDestroyed('end')));
  }

  #callEndCallbacks(error: Error | null): void {
    const callbacks = this.#endCallbacks;
    this.#endCallbacks = undefined;
    if (callbacks) for (const callback of callbacks) callback(error);
  }

  #responseHeaders(contentLength: number | undefined): HeaderList {
    const headers: HeaderList = [];
    const framed = this.#mapped ? addMapped(headers, this.#head) : addGiven(headers, this.#head);
    // Node adds Content-Length for a body given whole to end() before the head was written.
    const res = this.res;
    if (contentLength !== undefined && !framed && res._hasBody && statusAllowsBody(res.statusCode)) {
      headers.push(['Content-Length', String(contentLength)]);
    }
    return headers;
  }
}

function closeResponse(res: AdaptedResponse): void {
  // As Node's own: a response the socket's 'close' reached already is not closed twice.
  if (res._closed) return;
  res.destroyed = true;
  res._closed = true;
  res.emit('close');
}

/** Node's header map into `headers`, hop-by-hop fields left out; whether it frames the body. */
function addMapped(headers: HeaderList, map: unknown): boolean {
  let framed = false;
  const fields = map as Record<string, Field>;
  for (const lower in fields) {
    const [name, value] = fields[lower] as Field;
    if (addField(headers, lower, name, value)) framed = true;
  }
  return framed;
}

/** Headers as writeHead() took them without a map (an object, `[name, value]` pairs, or a flat list). */
function addGiven(headers: HeaderList, given: unknown): boolean {
  let framed = false;
  forEachField(given, (name, value) => {
    if (addField(headers, name.toLowerCase(), name, value)) framed = true;
  });
  return framed;
}

/** One field into `headers`, unless it is hop-by-hop; whether it frames the body. */
function addField(headers: HeaderList, lower: string, name: string, value: unknown): boolean {
  if (!isHopByHop(lower)) {
    if (Array.isArray(value)) for (const item of value) headers.push([name, String(item)]);
    else if (value !== undefined) headers.push([name, String(value)]);
  }
  return lower === 'content-length' || lower === 'transfer-encoding';
}

/** Each field of headers given to writeHead(), in the forms Node's `_storeHeader` takes, with its checks. */
function forEachField(given: unknown, each: (name: string, value: unknown) => void): void {
  if (!given) return;
  if (Array.isArray(given)) {
    if (given.length > 0 && Array.isArray(given[0])) {
      for (const entry of given as Field[]) each(entry[0], entry[1]);
      return;
    }
    if (given.length % 2 !== 0) throw invalidHeaders(given);
    for (let i = 0; i < given.length; i += 2) each(given[i] as string, given[i + 1]);
    return;
  }
  const object = given as Record<string, unknown>;
  for (const name in object) if (Object.hasOwn(object, name)) each(name, object[name]);
}

function checkField(name: string, value: unknown): void {
  validateHeaderName(name);
  if (Array.isArray(value)) for (const item of value as unknown[]) validateHeaderValue(name, item as string);
  else validateHeaderValue(name, value as string);
}

function invalidHeaders(headers: unknown[]): Error {
  return Object.assign(new TypeError(`The argument 'headers' is invalid. Received [ ${headers.length} items ]`), {
    code: 'ERR_INVALID_ARG_VALUE',
  });
}

function toBytes(chunk: unknown, encoding: BufferEncoding | undefined): Uint8Array {
  if (typeof chunk === 'string') return Buffer.from(chunk, encoding ?? 'utf8');
  if (chunk instanceof Uint8Array) return chunk;
  throw Object.assign(new TypeError('The "chunk" argument must be of type string or an instance of Buffer'), {
    code: 'ERR_INVALID_ARG_TYPE',
  });
}
