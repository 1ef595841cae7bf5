import type { Server, ServerResponse } from 'node:http';
import type { Socket } from 'node:net';

/** The events on which Node's HTTP server listens to a connection it serves (connectionListenerInternal). */
const SERVER_EVENTS = ['data', 'end', 'close', 'drain', 'error', 'timeout', 'resume', 'pause'] as const;
/** The methods Node's HTTP server replaces on a connection it serves. */
const SERVER_OVERRIDES = ['on', 'addListener', 'prependListener', 'setEncoding'] as const;

/** What Node's HTTP server leaves on a connection (internal fields, stable across Node 24 releases). */
interface Served {
  parser?: HttpParser | null;
  _httpMessage?: unknown;
  _handle?: { _consumed?: boolean } | null;
}
interface HttpParser {
  incoming: unknown;
  close(): void;
}

/**
 * Node's own way to give a parser back: to its pool of free parsers (up to 1 000, reused by the next connection,
 * so that a burst of clients does not allocate and free one per connection and fragment the native heap) or closed.
 */
const { freeParser, parsers } = process.getBuiltinModule('_http_common') as {
  freeParser(parser: HttpParser, req: null, socket: Socket): void;
  parsers: { list: HttpParser[] };
};

/**
 * Empties Node's pool of free parsers and closes each, as Node does with one its full pool cannot take (a parser's
 * native state lives until it is closed, ~8 KiB with its JavaScript side): what a flood of clients left in it, once
 * the process is idle (runService calls it before an idle compaction, which then hands the C heap's free pages
 * back). A later flood allocates its parsers again.
 */
export function releaseFreeParsers(): void {
  for (const parser of parsers.list.splice(0)) parser.close();
}

interface Handed {
  /** The listeners Node's server added, by event, so that exactly those come off when the connection is parked. */
  readonly added: Array<readonly ((...args: unknown[]) => void)[]>;
  /** The sweep period in which its last request began (or it was handed). */
  lastActive: number;
  /** Requests begun since it was handed. */
  requests: number;
  /**
   * socket.bytesRead when its last response was done (-1 before one was): more since then is the start of a request
   * its parser holds (a slow header section), and a parser holding part of a request is never given back.
   */
  readAtFinish: number;
  /** A flood's new connection: parked once its first response is done. */
  parkAtFinish: boolean;
}

/**
 * Past this many connections with Node's server at once, a connection is parked as soon as its first response is
 * done: a flood of new clients then reuses the parsers of Node's pool (1 000) instead of allocating and freeing
 * thousands, whose holes the sockets' own small allocations would fill, leaving the native heap fragmented at its peak
 * size after the clients leave (measured: 9 000 clients left the edge's malloc heap 20 MiB larger with a 1 s delay,
 * 8 MiB without). A connection that comes back for more stays until it is idle: parking and handing it again on every
 * request doubled the edge's CPU per request at 1 000 keep-alive clients.
 */
const BUSY_HANDED = 512;

/** Connections of one kind parked after their first response to rehearse taking one back, at most (#rehearsals). */
const REHEARSALS = 16;

/** A connection's kind to V8 (plain or TLS), by which #rehearsals counts. */
const kindOf = (socket: Socket): object => Object.getPrototypeOf(socket) as object;

/**
 * How long a parked connection closed by a drain may take to close its side: its FIN goes first and whatever the
 * client still sends is read and dropped meanwhile (nginx's lingering close), so that a request crossing the close
 * meets an orderly end, which a client may retry, and not a reset.
 */
const LINGER_MS = 2_000;

export interface ClientConnectionsOptions {
  /** ms a connection may stay silent before its first request (nginx's client_header_timeout from accept). */
  firstRequestTimeoutMs: number;
  /** ms an idle keep-alive connection stays open. */
  keepAliveTimeoutMs: number;
  /** ms a connection must be idle, after a response, before it is parked. */
  parkAfterMs: number;
  /** Told when a connection closed, with how long it was open (ms). */
  onClose?: ((openMs: number) => void) | undefined;
}

/**
 * Every client connection of HTTP/1.x (plain or TLS), and where it is: served by Node's HTTP server while a request is
 * on it, **parked** otherwise. Node's server keeps a parser per connection for its whole life — ~6 KiB of native
 * memory, with its closures and state ~8 KiB — even while a keep-alive connection sits idle for its 75 s. A parked
 * connection holds none of that, only its socket (~3 KiB): it is given to Node's server when its first bytes arrive
 * (which then parses them as if it had read them), and taken back once it has been idle for `parkAfterMs` after a
 * response, as nginx frees a keep-alive connection's buffers. A connection that stays busy is never moved. Taking a
 * connection back undoes exactly what Node's server did to it (its listeners and method overrides, and its parser goes
 * back to Node's pool), which relies on internals of Node's own HTTP server that are not public API (`_http_common`'s
 * freeParser, the socket's parser and `_handle._consumed`): the tests exercise it, and would fail on a Node that
 * changed them.
 */
export class ClientConnections {
  readonly #http: Server;
  readonly #options: ClientConnectionsOptions;
  readonly #open = new Set<Socket>();
  readonly #handed = new Map<Socket, Handed>();
  /**
   * Connections parked after their first response, in a flood or to rehearse taking one back: once only, as one
   * that comes back is no flood.
   */
  readonly #parkedAtOnce = new WeakSet<Socket>();
  /**
   * Per kind of connection (plain or TLS: each its own class to V8), whether one has been taken back and handed again
   * in this process (-1), else how many were parked after their first response to that end. Until then each is: the
   * fields of a socket that taking it back and handing it again write a second time (the method overrides,
   * `_paused`, the handle's `_consumed`) are constants of Node's optimised HTTP code until the first time that
   * happens, and then every function of Node's server that read them is deoptimised at once. Done on the first
   * connections, while that code is still cold, it costs one more handing each; left to the first client that idles
   * past `parkAfterMs` (a browser; in tools:bench, the open loop), it deoptimised Node's request path at once,
   * mid-traffic (docs/adr/0046-settled-while-cold.md). Clients that never send a second request on a connection
   * cannot complete it: after REHEARSALS tries it is left to the first one that does.
   */
  readonly #rehearsals = new Map<object, number>();
  /** Each parked connection and what un-parks it. */
  readonly #parkedSockets = new Map<Socket, () => void>();
  #hands = 0;
  #closing = false;
  #drained: (() => void) | undefined;
  /** Sweep periods so far: a connection is idle enough to park when no request began in the last whole one. */
  #period = 0;
  readonly #sweep: NodeJS.Timeout;

  constructor(http: Server, options: ClientConnectionsOptions) {
    this.#http = http;
    this.#options = options;
    http.on('request', (req, res) => {
      res.on('finish', () => this.#finished(res));
      const handed = this.#handed.get(req.socket);
      if (handed === undefined) return;
      handed.lastActive = this.#period;
      handed.requests += 1;
      if (
        handed.requests === 1 &&
        !this.#parkedAtOnce.has(req.socket) &&
        (this.#handed.size > BUSY_HANDED || this.#rehearse(req.socket))
      ) {
        this.#parkedAtOnce.add(req.socket);
        handed.parkAtFinish = true;
      }
    });
    // Every request only notes its period; a sweep per period parks what stayed idle (nginx's keep-alive handling).
    this.#sweep = setInterval(() => {
      this.#period += 1;
      for (const [socket, handed] of this.#handed) {
        if (handed.lastActive < this.#period - 1) this.#takeBack(socket, handed, options.parkAfterMs);
      }
    }, options.parkAfterMs);
    this.#sweep.unref();
  }

  /** Client connections open now, and how many of them are parked. */
  get open(): number {
    return this.#open.size;
  }

  get parked(): number {
    return this.#parkedSockets.size;
  }

  /** How many times a connection was given to Node's server (its first request, or its next one after parking). */
  get hands(): number {
    return this.#hands;
  }

  /**
   * A new connection (its TLS handshake done, for HTTPS): parked until it sends its first request. `passed`: another
   * edge process accepted it, and it is served even while this one drains.
   */
  accept(socket: Socket, passed = false): void {
    if (this.#closing && !passed) {
      socket.destroy();
      return;
    }
    this.#open.add(socket);
    const acceptedAt = this.#options.onClose === undefined ? 0 : performance.now();
    socket.once('close', () => {
      this.#handed.delete(socket);
      this.#open.delete(socket);
      this.#options.onClose?.(performance.now() - acceptedAt);
      if (this.#open.size === 0) this.#drained?.();
    });
    this.#park(socket, this.#options.firstRequestTimeoutMs);
  }

  /** Draining: no more parking; idle connections (parked, or idle in Node's server) close now. */
  closeIdle(): void {
    this.#closing = true;
    clearInterval(this.#sweep);
    for (const [socket, unpark] of this.#parkedSockets) {
      unpark();
      linger(socket);
    }
    for (const [socket, handed] of this.#handed) if (this.#detach(socket, handed)) linger(socket);
  }

  /** A response is done: while draining its connection closes once idle; else what its parser had read is noted. */
  #finished(res: ServerResponse): void {
    const socket = res.req.socket;
    const handed = this.#handed.get(socket);
    if (handed === undefined) return;
    handed.readAtFinish = socket.bytesRead;
    if (this.#closing) {
      setImmediate(() => {
        if (this.#detach(socket, handed)) linger(socket);
      });
      return;
    }
    if (!handed.parkAtFinish) return;
    handed.parkAtFinish = false;
    setImmediate(() => this.#takeBack(socket, handed, 0));
  }

  closeAll(): void {
    clearInterval(this.#sweep);
    for (const socket of this.#open) socket.destroy();
  }

  /** Resolves once every client connection has closed. */
  drained(): Promise<void> {
    if (this.#open.size === 0) return Promise.resolve();
    return new Promise((resolve) => (this.#drained = resolve));
  }

  #park(socket: Socket, timeoutMs: number): void {
    const onData = (chunk: Buffer) => {
      unpark();
      this.#hand(socket, chunk);
    };
    const onTimeout = () => socket.destroy();
    const onError = () => socket.destroy();
    const onClose = () => unpark();
    const unpark = () => {
      this.#parkedSockets.delete(socket);
      socket.off('data', onData);
      socket.off('timeout', onTimeout);
      socket.off('error', onError);
      socket.off('close', onClose);
      socket.setTimeout(0);
    };
    this.#parkedSockets.set(socket, unpark);
    socket.setTimeout(timeoutMs);
    socket.on('timeout', onTimeout);
    socket.on('error', onError);
    socket.once('close', onClose);
    socket.on('data', onData);
  }

  /** Whether this connection's first response should be followed by taking it back, to rehearse that path. */
  #rehearse(socket: Socket): boolean {
    const kind = kindOf(socket);
    const tries = this.#rehearsals.get(kind) ?? 0;
    if (tries === -1 || tries >= REHEARSALS) return false;
    this.#rehearsals.set(kind, tries + 1);
    return true;
  }

  /** Gives the connection to Node's server with the bytes that woke it, as if the server had read them itself. */
  #hand(socket: Socket, chunk: Buffer): void {
    const before = SERVER_EVENTS.map((event) => socket.listeners(event));
    socket.pause();
    socket.unshift(chunk);
    this.#http.emit('connection', socket);
    const added = SERVER_EVENTS.map((event, i) =>
      socket.listeners(event).filter((listener) => !before[i]?.includes(listener)),
    ) as unknown as Handed['added'];
    this.#handed.set(socket, { added, lastActive: this.#period, requests: 0, readAtFinish: -1, parkAtFinish: false });
    this.#hands += 1;
    if (this.#parkedAtOnce.has(socket)) this.#rehearsals.set(kindOf(socket), -1);
    socket.resume();
  }

  /**
   * Parks a connection Node's server holds, if it is idle (no request on it, no byte of one read since the last
   * response) and has been for `idleMs`.
   */
  #takeBack(socket: Socket, handed: Handed, idleMs: number): void {
    if (this.#closing || !this.#detach(socket, handed)) return;
    this.#park(socket, Math.max(1, this.#options.keepAliveTimeoutMs - idleMs));
  }

  /**
   * Takes a connection back from Node's server if it is idle (no request on it, no byte of one read since the last
   * response); false, and nothing done, if not.
   */
  #detach(socket: Socket, handed: Handed): boolean {
    if (this.#handed.get(socket) !== handed) return false;
    const served = socket as Socket & Served;
    const parser = served.parser;
    if (socket.destroyed || !parser || served._httpMessage || parser.incoming) return false;
    if (socket.readableLength > 0 || socket.bytesRead !== handed.readAtFinish) return false;
    SERVER_EVENTS.forEach((event, i) => {
      for (const listener of handed.added[i] ?? []) socket.off(event, listener);
    });
    const methods = socket as unknown as Record<string, unknown>;
    const prototype = Object.getPrototypeOf(socket) as Record<string, unknown>;
    // Assigned, not deleted: deleting own properties turns the socket into a slow dictionary object (+1.2 KiB).
    for (const name of SERVER_OVERRIDES) methods[name] = prototype[name];
    freeParser(parser, null, socket);
    if (served._handle) served._handle._consumed = false;
    this.#handed.delete(socket);
    return true;
  }
}

/** Closes the connection's side first and drops what the client still sends until it closes its own (LINGER_MS). */
function linger(socket: Socket): void {
  socket.on('data', () => undefined);
  socket.on('error', () => socket.destroy());
  socket.setTimeout(LINGER_MS, () => socket.destroy());
  socket.end();
}
