import { Metadata, Server, type ServerDuplexStream } from '@grpc/grpc-js';
import { frameworkBoundary, type Boundary, type Environ, type Limits, type ResponseHead } from '@mono/contracts';
import type { AppError } from '@mono/errors';
import { serverOptions } from './channel-options';
import type { ClientCall, ResponseSink } from './client-call';
import { addExchangeService, type ExchangeService } from './exchange-service';
import { forwardBody } from './forward-body';
import { bind } from './grpc-server';
import { Health } from './health';
import { frameworkHopErrors, gatewayHopErrors } from './hop-errors';
import type { CallHandler } from './internal/server-connection';
import { MuxClient } from './mux-client';
import type { ServerCall } from './server-call';

/**
 * A real gRPC server on 127.0.0.1 serving a boundary (the framework's by default) with `handler`, for tests; it fails
 * requests with the codes of the service it stands in for (`*HopErrors.server`).
 */
export interface TestServer {
  readonly address: string;
  readonly port: number;
  readonly service: ExchangeService;
  /** What its grpc.health.v1 service says (SERVING from the start). */
  serving(serving: boolean): void;
  stop(): void;
}

export async function startTestServer<H = Environ>(
  handler: CallHandler<H>,
  {
    port = 0,
    boundary = frameworkBoundary as unknown as Boundary<H>,
    onBodyBytes,
    limits,
  }: { port?: number; boundary?: Boundary<H>; onBodyBytes?: (bytes: number) => void; limits?: Limits } = {},
): Promise<TestServer> {
  const { server, health } = servingServer(boundary.rpcService);
  const errors = boundary.server === 'gateway' ? gatewayHopErrors.server : frameworkHopErrors.server;
  const service = addExchangeService(server, boundary, handler, {
    errors,
    ...(onBodyBytes ? { onBodyBytes } : {}),
    ...(limits ? { limits } : {}),
  });
  const bound = await bind(server, `127.0.0.1:${port}`, 'test server');
  return {
    address: `127.0.0.1:${bound}`,
    port: bound,
    service,
    serving: (serving) => health.setAll(serving),
    stop: () => server.forceShutdown(),
  };
}

/**
 * A server of the framework's boundary, SERVING by its health service, that takes every stream and every frame on it
 * and answers none: an upstream with no timer of its own, as a stopped or wedged process would be.
 */
export async function startSilentServer(): Promise<Pick<TestServer, 'address' | 'stop'>> {
  const { server } = servingServer(frameworkBoundary.rpcService);
  server.addService(frameworkBoundary.definition, {
    Exchange: (stream: ServerDuplexStream<unknown, unknown>) => {
      stream.sendMetadata(new Metadata());
      stream.on('data', () => {});
      stream.on('error', () => {});
    },
  });
  const port = await bind(server, '127.0.0.1:0', 'silent test server');
  return { address: `127.0.0.1:${port}`, stop: () => server.forceShutdown() };
}

/** A gRPC server whose health service says SERVING for `rpcService` from the start. */
function servingServer(rpcService: string): { server: Server; health: Health } {
  const server = new Server(serverOptions);
  const health = new Health([rpcService]);
  health.addTo(server);
  health.setAll(true);
  return { server, health };
}

/** A client of the framework's boundary, failing with the gateway's codes (frameworkHopErrors.client). */
export function testClient(address: string, connectTimeoutMs?: number): MuxClient<Environ> {
  return new MuxClient(address, frameworkBoundary, {
    errors: frameworkHopErrors.client,
    ...(connectTimeoutMs === undefined ? {} : { connectTimeoutMs }),
  });
}

/** A minimal environ for transport tests. */
export function environ(path = '/'): Environ {
  return {
    requestMethod: 'GET',
    scriptName: '',
    pathInfo: path,
    queryString: '',
    contentType: '',
    contentLength: '',
    serverName: 'localhost',
    serverPort: '80',
    serverProtocol: 'HTTP/1.1',
    remoteAddr: '127.0.0.1',
    remotePort: '1',
    urlScheme: 'http',
    headers: [],
    requestUri: path,
    variables: {},
    application: '',
    inputTerminated: false,
  };
}

/** What a client call received, once it is over. */
export interface Outcome {
  head: ResponseHead | undefined;
  body: Buffer;
  error: AppError | undefined;
}

/** A sink that acknowledges everything at once and resolves when the response ends or fails. */
export function recordingSink(): { sink: ResponseSink; outcome: Promise<Outcome>; attach(call: ClientCall): void } {
  let call: ClientCall | undefined;
  const chunks: Buffer[] = [];
  let head: ResponseHead | undefined;
  let settle!: (outcome: Outcome) => void;
  const outcome = new Promise<Outcome>((resolve) => {
    settle = resolve;
  });
  const sink: ResponseSink = {
    head: (h) => {
      head = h;
    },
    data: (chunk) => {
      chunks.push(Buffer.from(chunk));
      call?.ack(chunk.byteLength);
    },
    end: () => settle({ head, body: Buffer.concat(chunks), error: undefined }),
    error: (error) => settle({ head, body: Buffer.concat(chunks), error }),
  };
  return { sink, outcome, attach: (c) => (call = c) };
}

/** Responds 200 with the request body echoed back, under both windows, with the path in X-Path. */
export function echoHandler(call: ServerCall<Environ | { target: string }>): void {
  const head = call.head;
  const path = 'pathInfo' in head ? head.pathInfo : head.target;
  call.respond({ status: 200, reason: 'OK', headers: [{ name: 'X-Path', value: path }] });
  call.body.attach(
    forwardBody(
      call,
      (bytes) => call.body.consumed(bytes),
      () => {},
    ),
  );
}

/** A promise and the function that settles it: tests wait on what happened, never on time. */
export function signal<T = void>(): { promise: Promise<T>; resolve: (value: T) => void } {
  let resolve!: (value: T) => void;
  const promise = new Promise<T>((r) => (resolve = r));
  return { promise, resolve };
}
