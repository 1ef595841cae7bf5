import type { IncomingMessage } from 'node:http';
import type { HttpRequest, ResponseHead } from '@mono/contracts';
import { AppError } from '@mono/errors';
import { requestHeadBytes, type Pool, type PoolCall, type RequestLimits, type ResponseSink } from '@mono/transport';
import type { ClientTrust } from './client-trust';
import type { Stage } from './compose';
import type { EdgeConfig, LocationConfig } from './config';
import type { EdgeContext } from './context';
import type { EdgeState } from './edge-state';
import { isHopByHop, mayBeHopByHop, nominatedBy } from './hop-by-hop';
import { respondProblem } from './respond-problem';
import { serverTiming } from './server-timing';
import { toEnvelope } from './to-envelope';

/** A last chunk up to this size goes to Node as text (`last`); past it the copy costs what the single write saves. */
const ONE_WRITE_MAX_BYTES = 1024;

/** RFC 9110's idempotent methods: sent to another gateway when their stream broke before any answer. */
const IDEMPOTENT = new Set(['GET', 'HEAD', 'OPTIONS', 'TRACE', 'PUT', 'DELETE']);

/**
 * Forwards the request to a gateway of the location's pool and streams the response back (nginx's uwsgi_pass).
 * A request body up to the location's `bodyBufferBytes` is read whole first (client_body_buffer_size: a slow small
 * upload holds no gateway or application slot); a larger one, and the rest of one of unknown length past that size,
 * streams both ways under the transport's windows: a slow client slows the upstream, a slow upstream pauses the
 * client's upload. A client silent for `bodyTimeoutMs` in the middle of its body gets 408 (client_body_timeout).
 * The pool sends a request to another gateway only when that cannot run it twice (docs/adr/0006-resilience.md);
 * until the stack has served once, requests get 503 + Retry-After: 1, never 502. Errors become problem+json, or an
 * aborted connection once the head is out. Hop-by-hop fields of the response stay behind; a client the edge tells
 * where the time went (ClientTrust) gets Server-Timing.
 */
export function proxy(config: Pick<EdgeConfig, 'bodyTimeoutMs'>, state: EdgeState, trust: ClientTrust): Stage {
  return function proxyStage(ctx) {
    if (!state.ready) throw new AppError('EDGE_ERR_NOT_READY', 'the stack is starting: no gateway has served yet');
    return new Promise<void>((resolve) => new ProxyExchange(ctx, config, state, trust, resolve).start());
  };
}

class ProxyExchange implements ResponseSink {
  readonly #ctx: EdgeContext;
  readonly #location: LocationConfig;
  readonly #limits: RequestLimits;
  readonly #pool: Pool<HttpRequest>;
  readonly #trust: ClientTrust;
  readonly #resolve: () => void;
  readonly #hasBody: boolean;
  readonly #config: Pick<EdgeConfig, 'bodyTimeoutMs'>;
  #envelope: HttpRequest | undefined;
  /** The body read so far, while it is read whole before the request is forwarded. */
  #buffered: Buffer[] | undefined;
  #bodyTimer: NodeJS.Timeout | undefined;
  #call: PoolCall<HttpRequest> | undefined;
  #sentAt = 0;
  #received = 0;
  #owed = 0;
  #settled = false;

  constructor(
    ctx: EdgeContext,
    config: Pick<EdgeConfig, 'bodyTimeoutMs'>,
    state: EdgeState,
    trust: ClientTrust,
    resolve: () => void,
  ) {
    this.#ctx = ctx;
    this.#config = config;
    this.#trust = trust;
    this.#location = ctx.location as LocationConfig;
    this.#limits = ctx.limits as RequestLimits;
    this.#pool = state.pools[this.#location.pool] as Pool<HttpRequest>;
    this.#resolve = resolve;
    this.#hasBody = hasBody(ctx.req);
  }

  start(): void {
    const { req, res } = this.#ctx;
    const envelope = toEnvelope(this.#ctx, this.#trust);
    // ADR-0014: a head the gateways announced they would refuse is refused here, naming their limit.
    const maxHead = this.#limits.maxHeaderBytes;
    if (maxHead > 0) {
      const bytes = requestHeadBytes(envelope.method, envelope.target, envelope.protocol, envelope.headers);
      if (bytes > maxHead) {
        this.error(this.#limits.headersTooLarge(bytes));
        return;
      }
    }
    res.on('close', this.#onClientClose);
    res.on('drain', this.#onDrain);
    this.#ctx.exchange = this;
    if (this.#ctx.trusted) this.#ctx.client = envelope.client?.address;
    this.#envelope = envelope;
    if (!this.#hasBody) {
      this.#forward();
      this.#call?.end();
      return;
    }
    req.on('data', this.#onRequestData);
    req.on('end', this.#onRequestEnd);
    const { bodyTimeoutMs } = this.#config;
    const { bodyBufferBytes } = this.#location;
    if (bodyTimeoutMs > 0) this.#bodyTimer = setTimeout(this.#onBodyTimeout, bodyTimeoutMs);
    const declared = req.headers['content-length'];
    if (bodyBufferBytes > 0 && (declared === undefined || Number(declared) <= bodyBufferBytes)) this.#buffered = [];
    else this.#forward();
  }

  /** Sends the request to a gateway, with the body read so far. */
  #forward(): void {
    const location = this.#location;
    this.#sentAt = performance.now();
    this.#call = this.#pool.call(
      this.#envelope as HttpRequest,
      { headTimeoutMs: location.headTimeoutMs, idleTimeoutMs: location.idleTimeoutMs, bodyBytes: this.#bodyBytes() },
      this,
      { idempotent: IDEMPOTENT.has(this.#ctx.req.method ?? '') },
    );
    this.#call.ondrain = this.#onUpstreamDrain;
    const buffered = this.#buffered;
    this.#buffered = undefined;
    if (buffered === undefined) return;
    let open = true;
    for (const chunk of buffered) open = this.#call.write(chunk);
    if (!open) this.#ctx.req.pause();
  }

  /** The body's size when read whole or declared; Infinity when neither (chunked, past the buffer). */
  #bodyBytes(): number {
    if (!this.#hasBody) return 0;
    if (this.#ctx.req.complete) return this.#received;
    const declared = this.#ctx.req.headers['content-length'];
    return declared === undefined ? Infinity : Number(declared);
  }

  head(head: ResponseHead): void {
    const { res } = this.#ctx;
    const now = performance.now();
    this.#ctx.upstreamMs = now - this.#sentAt;
    this.#ctx.upstream = this.#call?.upstream;
    this.#ctx.status = head.status;
    const flat: string[] = [];
    let nominated: string[] | undefined;
    for (const { name, value } of head.headers) {
      if (name.length === 10 && name.toLowerCase() === 'connection') nominated = nominatedBy(value);
    }
    for (const { name, value } of head.headers) {
      if ((nominated !== undefined || mayBeHopByHop(name)) && isHopByHop(name.toLowerCase(), nominated)) continue;
      flat.push(name, value);
    }
    if (this.#trust.timing(this.#ctx.req.socket)) {
      const edgeMs = Number(process.hrtime.bigint() - this.#ctx.startedAt) / 1e6 - this.#ctx.upstreamMs;
      flat.push('Server-Timing', serverTiming(edgeMs, head.timing));
    }
    try {
      res.writeHead(head.status, head.reason, flat);
    } catch (err) {
      this.#call?.cancel();
      this.error(new AppError('EDGE_ERR_UPSTREAM_PROTOCOL', `invalid response head: ${String(err)}`));
    }
  }

  data(chunk: Uint8Array): void {
    this.#ctx.bytesSent += chunk.byteLength;
    if (this.#ctx.res.write(chunk) && this.#owed === 0) this.#call?.ack(chunk.byteLength);
    else this.#owed += chunk.byteLength;
  }

  end(): void {
    this.#ctx.res.end();
    this.#settle();
  }

  last(chunk: Uint8Array): void {
    this.#ctx.bytesSent += chunk.byteLength;
    // The same bytes as latin1 text: Node joins text to a head not yet sent and writes both at once, where bytes
    // beside it take a writev of two (docs/adr/0050-a-small-body-in-the-heads-write.md).
    if (chunk.byteLength <= ONE_WRITE_MAX_BYTES) this.#ctx.res.end(latin1(chunk), 'latin1');
    else this.#ctx.res.end(chunk);
    this.#settle();
  }

  error(err: AppError): void {
    if (this.#settled) return;
    this.#ctx.upstream = this.#call?.upstream;
    respondProblem(this.#ctx, err);
    this.#settle();
  }

  /** The rest of the request broke its framing (a bad chunk): the application's input fails, the client gets 400. */
  requestFailed(err: AppError): void {
    if (this.#settled) return;
    this.#call?.cancel();
    this.error(err);
  }

  #settle(): void {
    if (this.#settled) return;
    this.#settled = true;
    clearTimeout(this.#bodyTimer);
    this.#ctx.exchange = undefined;
    const { req, res } = this.#ctx;
    res.off('close', this.#onClientClose);
    res.off('drain', this.#onDrain);
    if (this.#hasBody) {
      req.off('data', this.#onRequestData);
      req.off('end', this.#onRequestEnd);
    }
    this.#resolve();
  }

  readonly #onRequestData = (chunk: Buffer): void => {
    this.#received += chunk.byteLength;
    const max = this.#limits.maxBodyBytes;
    if (max > 0 && this.#received > max) {
      this.#ctx.req.pause();
      this.#call?.cancel();
      this.error(this.#limits.bodyTooLarge());
      return;
    }
    this.#bodyTimer?.refresh();
    if (this.#buffered !== undefined) {
      this.#buffered.push(chunk);
      if (this.#received > this.#location.bodyBufferBytes) this.#forward();
      return;
    }
    if (this.#call && !this.#call.write(chunk)) this.#ctx.req.pause();
  };

  readonly #onRequestEnd = (): void => {
    clearTimeout(this.#bodyTimer);
    this.#bodyTimer = undefined;
    if (this.#buffered !== undefined) this.#forward();
    this.#call?.end();
  };

  readonly #onBodyTimeout = (): void => {
    if (this.#settled) return;
    // Paused for the upstream's window, the edge is not reading: the client is not late.
    if (this.#ctx.req.isPaused()) {
      this.#bodyTimer?.refresh();
      return;
    }
    this.#call?.cancel();
    const seconds = this.#config.bodyTimeoutMs / 1_000;
    this.error(
      new AppError('EDGE_ERR_REQUEST_TIMEOUT', `no request body bytes for ${seconds} s (client_body_timeout)`),
    );
  };

  readonly #onUpstreamDrain = (): void => {
    this.#ctx.req.resume();
  };

  readonly #onDrain = (): void => {
    const bytes = this.#owed;
    this.#owed = 0;
    this.#call?.ack(bytes);
  };

  // Not res.writableFinished: an HTTP/2 stream the client reset reports its writable side finished.
  readonly #onClientClose = (): void => {
    if (this.#settled) return;
    this.#call?.cancel();
    this.#ctx.error = new AppError('EDGE_ERR_CLIENT_CLOSED', 'the client closed the connection');
    if (!this.#ctx.res.headersSent) this.#ctx.status = 499;
    this.#settle();
  };
}

/** As Node's parser decides: a Content-Length other than 0, or a chunked body. */
function hasBody(req: IncomingMessage): boolean {
  const length = req.headers['content-length'];
  return req.headers['transfer-encoding'] !== undefined || (length !== undefined && length !== '0');
}

function latin1(bytes: Uint8Array): string {
  return (Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength)).toString(
    'latin1',
  );
}
