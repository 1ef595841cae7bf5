import { IncomingMessage, OutgoingMessage, ServerResponse } from 'node:http';
import { ENVIRON, type AdaptedRequest } from './environ-of';
import { EXCHANGE, type AdaptedResponse } from './express-exchange';
import type { WrittenCallback } from './response-queue';

type Method = (this: unknown, ...args: unknown[]) => unknown;

let installed = false;

/**
 * Replaces, on `ServerResponse.prototype` and `IncomingMessage.prototype`, what an adapted exchange must not take
 * from Node: `write`, `end`, `flushHeaders`, `_storeHeader`, `writableFinished` and `req.signal`. Each replacement
 * serves the responses this copy of the library made (an `EXCHANGE` on them) or the requests any copy made (an
 * `ENVIRON`), and passes any other, a real server's in the same process, to what was there before, looked up when
 * called: Node's own (on `OutgoingMessage.prototype`), a wrapper set on it later, or another copy's replacement.
 * On the prototypes, because Express moves every `res` onto its own prototype chain, which ends at Node's, and a
 * method per response is a function made per request (docs/adr/0045-the-express-adapter-on-nodes-prototypes.md).
 * Once per copy, on its first `fromExpress`.
 */
export function installOnNodePrototypes(): void {
  if (installed) return;
  installed = true;
  const response = ServerResponse.prototype as unknown as Record<string, Method>;
  const below = before(response, OutgoingMessage.prototype as unknown as Record<string, Method>);
  const outHeaders = ownSymbol(new OutgoingMessage(), 'kOutHeaders');
  const nodeWritableFinished = getterOf(response, 'writableFinished');
  const nodeSignal = getterOf(IncomingMessage.prototype, 'signal');
  /* eslint-disable prefer-rest-params -- what is not ours is passed on as received, its length included */
  Object.defineProperties(response, {
    write: method(function write(this: AdaptedResponse, chunk: unknown, encoding?: unknown, callback?: unknown) {
      const exchange = this[EXCHANGE];
      if (exchange === undefined) return Reflect.apply(below('write'), this, arguments);
      return exchange.write(chunk, encoding as BufferEncoding | WrittenCallback, callback as WrittenCallback);
    }),
    end: method(function end(this: AdaptedResponse, chunk?: unknown, encoding?: unknown, callback?: unknown) {
      const exchange = this[EXCHANGE];
      if (exchange === undefined) return Reflect.apply(below('end'), this, arguments);
      exchange.end(chunk, encoding as BufferEncoding | WrittenCallback, callback as WrittenCallback);
      return this;
    }),
    flushHeaders: method(function flushHeaders(this: AdaptedResponse) {
      const exchange = this[EXCHANGE];
      if (exchange === undefined) return Reflect.apply(below('flushHeaders'), this, arguments);
      exchange.flushHeaders();
    }),
    _storeHeader: method(function _storeHeader(this: AdaptedResponse, statusLine: string, headers: unknown) {
      const exchange = this[EXCHANGE];
      if (exchange === undefined) return Reflect.apply(below('_storeHeader'), this, arguments);
      exchange.storeHead(statusLine, headers, headers === (this as unknown as Record<symbol, unknown>)[outHeaders]);
    }),
    writableFinished: accessor(function writableFinished(this: AdaptedResponse) {
      const exchange = this[EXCHANGE];
      return exchange === undefined ? nodeWritableFinished?.call(this) : exchange.bodyRead;
    }),
  });
  /* eslint-enable prefer-rest-params */
  // `req.signal`: the environ's `tsgi.signal`, which aborts when the client leaves, the response head is late or
  // the body goes idle (made only when an application reads it).
  Object.defineProperty(
    IncomingMessage.prototype,
    'signal',
    accessor(function signal(this: AdaptedRequest) {
      const environ = this[ENVIRON];
      return environ === undefined ? nodeSignal?.call(this) : environ['tsgi.signal'];
    }),
  );
}

/**
 * What `prototype[name]` was before the replacement: its own method then (another copy's replacement, a patch), or
 * else whatever the prototype below has when called.
 */
function before(prototype: Record<string, Method>, below: Record<string, Method>): (name: string) => Method {
  const own = new Map<string, Method>();
  for (const name of ['write', 'end', 'flushHeaders', '_storeHeader'])
    if (Object.hasOwn(prototype, name)) own.set(name, prototype[name] as Method);
  return (name) => own.get(name) ?? (below[name] as Method);
}

function ownSymbol(object: object, description: string): symbol {
  const found = Object.getOwnPropertySymbols(object).find((symbol) => symbol.description === description);
  if (found === undefined) throw new Error(`fromExpress: this Node keeps no ${description} on its responses`);
  return found;
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- each replacement's own `this` and parameters
function method(value: (this: any, ...args: any[]) => unknown): PropertyDescriptor {
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
