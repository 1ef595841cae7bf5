import { IncomingMessage, ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import type { Application, Environ } from './environ';
import { ENVIRON, type AdaptedRequest } from './environ-of';
import { EnvironSocket } from './environ-socket';
import { EXCHANGE, Exchange, type AdaptedResponse, type RequestInternals } from './express-exchange';
import { installOnNodePrototypes } from './node-prototypes';
import { connectionReset } from './stream-errors';

/** A Node request listener: an Express (or Connect, or plain `http`) application. */
export type NodeListener = (req: IncomingMessage, res: ServerResponse) => void;

export interface FromExpressOptions {
  /** Bytes `res.write` may queue before it returns false and waits for 'drain'. */
  highWaterMark?: number;
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
    res[EXCHANGE] = exchange;
    socket.owner = exchange;
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
