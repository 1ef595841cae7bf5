import type { IncomingMessage } from 'node:http';
import type { HttpRequest, ResponseHead } from '@mono/contracts';
import { AppError } from '@mono/errors';
import { gatewayHopErrors, type ClientCall, type MuxClient, type ResponseSink } from '@mono/transport';
import type { Balancer } from './balancer';
import type { Stage } from './compose';
import type { EdgeConfig } from './config';
import type { EdgeContext } from './context';
import { respondProblem } from './respond-problem';
import { toEnvelope } from './to-envelope';

type ProxyConfig = Pick<EdgeConfig, 'upstreamTimeoutMs' | 'maxBodyBytes'>;

/**
 * Forwards the request to a gateway and streams the response back (nginx's uwsgi_pass). Bodies stream both ways
 * under the transport's windows: a slow client slows the upstream, a slow upstream pauses the client's upload.
 * A gateway that cannot be reached is retried on the next one while nothing was sent (proxy_next_upstream error);
 * errors become problem+json, or an aborted connection once the head is out.
 */
export function proxy(balancer: Balancer, config: ProxyConfig): Stage {
  return function proxyStage(ctx) {
    return new Promise<void>((resolve) => new ProxyExchange(ctx, balancer, config, resolve).start());
  };
}

class ProxyExchange implements ResponseSink {
  readonly #ctx: EdgeContext;
  readonly #balancer: Balancer;
  readonly #config: ProxyConfig;
  readonly #resolve: () => void;
  readonly #envelope: HttpRequest;
  readonly #hasBody: boolean;
  #call: ClientCall | undefined;
  #upstream: MuxClient<HttpRequest> | undefined;
  #tried: Set<MuxClient<HttpRequest>> | undefined;
  #sentAt = 0;
  #received = 0;
  #owed = 0;
  #settled = false;

  constructor(ctx: EdgeContext, balancer: Balancer, config: ProxyConfig, resolve: () => void) {
    this.#ctx = ctx;
    this.#balancer = balancer;
    this.#config = config;
    this.#resolve = resolve;
    this.#envelope = toEnvelope(ctx.req, ctx.requestId);
    this.#hasBody = hasBody(ctx.req);
  }

  start(): void {
    const { req, res } = this.#ctx;
    res.on('close', this.#onClientClose);
    res.on('drain', this.#onDrain);
    this.#send(this.#balancer.pick() as MuxClient<HttpRequest>);
    if (!this.#hasBody) return;
    req.on('data', this.#onRequestData);
    req.on('end', this.#onRequestEnd);
  }

  head(head: ResponseHead): void {
    const { res } = this.#ctx;
    this.#ctx.upstreamMs = performance.now() - this.#sentAt;
    this.#ctx.status = head.status;
    const flat: string[] = [];
    for (const { name, value } of head.headers) flat.push(name, value);
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

  error(err: AppError): void {
    if (this.#settled) return;
    if (this.#canRetry(err)) {
      (this.#tried ??= new Set()).add(this.#upstream as MuxClient<HttpRequest>);
      const next = this.#balancer.pick(this.#tried);
      if (next) {
        this.#send(next);
        return;
      }
    }
    respondProblem(this.#ctx, err);
    this.#settle();
  }

  #send(upstream: MuxClient<HttpRequest>): void {
    this.#upstream = upstream;
    this.#ctx.upstream = upstream.address;
    this.#sentAt = performance.now();
    this.#call = upstream.call(
      this.#envelope,
      { headTimeoutMs: this.#config.upstreamTimeoutMs, idleTimeoutMs: 0 },
      this,
    );
    this.#call.ondrain = this.#onUpstreamDrain;
    if (!this.#hasBody) this.#call.end();
  }

  #canRetry(err: AppError): boolean {
    return err.code === gatewayHopErrors.client.unavailable && !this.#hasBody && !this.#ctx.res.headersSent;
  }

  #settle(): void {
    if (this.#settled) return;
    this.#settled = true;
    const { req, res } = this.#ctx;
    res.off('close', this.#onClientClose);
    res.off('drain', this.#onDrain);
    req.off('data', this.#onRequestData);
    req.off('end', this.#onRequestEnd);
    this.#resolve();
  }

  readonly #onRequestData = (chunk: Buffer): void => {
    this.#received += chunk.byteLength;
    const max = this.#config.maxBodyBytes;
    if (max > 0 && this.#received > max) {
      this.#ctx.req.pause();
      this.#call?.cancel();
      this.error(new AppError('EDGE_ERR_BODY_TOO_LARGE', `the body exceeds ${max} bytes`));
      return;
    }
    if (this.#call && !this.#call.write(chunk)) this.#ctx.req.pause();
  };

  readonly #onRequestEnd = (): void => {
    this.#call?.end();
  };

  readonly #onUpstreamDrain = (): void => {
    this.#ctx.req.resume();
  };

  readonly #onDrain = (): void => {
    const bytes = this.#owed;
    this.#owed = 0;
    this.#call?.ack(bytes);
  };

  readonly #onClientClose = (): void => {
    if (this.#ctx.res.writableFinished || this.#settled) return;
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
