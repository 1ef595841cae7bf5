import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { createServer as createNetServer, type AddressInfo, type Server as NetServer, type Socket } from 'node:net';
import { gatewayBoundary, type HttpRequest } from '@mono/contracts';
import { settleWithin } from '@mono/runtime';
import type { Logger } from '@mono/telemetry';
import { gatewayHopErrors, observePools, Pool } from '@mono/transport';
import type { LineOut } from './access-log';
import { ClientConnections } from './client-connections';
import { clientErrorHandler } from './client-error';
import { ClientTrust } from './client-trust';
import type { EdgeConfig } from './config';
import { edgeMetrics } from './edge-metrics';
import { EdgeRequest } from './edge-request';
import { EdgeResponse } from './edge-response';
import { EdgeState } from './edge-state';
import { createHttpsListener, type HttpsListener } from './https-listener';
import { createPipeline, createRejection } from './pipeline';
import { UpstreamLimits } from './upstream-limits';

export interface EdgeDeps {
  log: Logger;
  /** Told of every body byte moved to and from the gateways (main.ts nudges the GC with it: ADR-0003). */
  onBodyBytes?: ((bytes: number) => void) | undefined;
  /** Called once, when the stack behind the edge has first served (a gateway with a serving framework). */
  onReady?: (() => void) | undefined;
  /** Where combined access lines go; standard output by default. */
  accessOut?: LineOut | undefined;
  /** When the edge runs as several processes: where its plain HTTP connections are served (connection-balance.ts). */
  balance?: Balance | undefined;
}

export interface Balance {
  /** Asked about each new plain HTTP connection accepted paused: false when it was passed on. */
  admit(socket: Socket): boolean;
  /** Whether the next connection may be passed on: only then is it accepted paused (reading starts at once). */
  readonly passing: boolean;
  /** A connection is served here (accepted, or passed here). */
  accepted(): void;
  /** A connection served here closed after `openMs`. */
  closed(openMs: number): void;
  /** Calls `listener` whenever `passing` may have changed for another reason (what other processes said). */
  onChange(listener: () => void): void;
}

export interface Edge {
  /** The listening sockets, in order: plain HTTP, then HTTPS when configured (a restart hands them over). */
  readonly listeners: readonly NetServer[];
  readonly state: EdgeState;
  /** The request pipeline the server runs (tests inject requests into it without a port). */
  readonly handler: (req: IncomingMessage, res: ServerResponse) => void;
  /** Resolves the gateway pools and opens their streams (listen does it too). */
  connect(): Promise<void>;
  /**
   * Listens — on `host:port` (and the HTTPS listener's), or on the sockets handed over by the edge this one replaces,
   * in the order of `listeners` — and opens the gateway pools; resolves with the plain listener's port.
   */
  listen(handles?: readonly NetServer[]): Promise<number>;
  /** The HTTPS listener's port once listening; undefined without one. */
  readonly tlsPort: number | undefined;
  /** Serves a plain HTTP connection another edge process accepted and passed on (or could not pass on after all). */
  adopt(socket: Socket): void;
  /** Closes the listening sockets (this process's handles: another process holding them accepts on). */
  stopAccepting(): void;
  /** Stops accepting, lets requests in flight finish (up to the grace period), closes everything. */
  shutdown(): Promise<void>;
}

/** The edge service (nginx's role). Nothing happens until `listen()`. */
export function buildEdge(
  config: Readonly<EdgeConfig>,
  { log, onBodyBytes, onReady, accessOut, balance }: EdgeDeps,
): Edge {
  const pools: Record<string, Pool<HttpRequest>> = {};
  const state = new EdgeState(pools);
  const upstream = new UpstreamLimits(config, log);
  const used = new Set(config.locations.map((location) => location.pool));
  const markReady = () => {
    if (state.ready || ![...used].every((name) => pools[name]?.ready)) return;
    state.ready = true;
    onReady?.();
  };
  for (const [name, settings] of Object.entries(config.pools)) {
    pools[name] = new Pool(
      gatewayBoundary,
      settings,
      { errors: gatewayHopErrors.client, onBodyBytes },
      {
        events: {
          onMember: (address, event) => {
            log.info({ pool: name, address, event }, `gateway ${event}`);
            if (event === 'serving') markReady();
          },
          onResolveError: (server) => log.warn({ pool: name, server }, 'gateway name does not resolve'),
          // ADR-0014: what the gateways accept reaches the locations on their pool.
          onLimits: (limits) => upstream.poolChanged(name, limits),
        },
      },
    );
  }
  observePools('edge', pools);
  const deps = { state, trust: new ClientTrust(config), upstream, log, metrics: edgeMetrics(state), accessOut };
  const handler = createPipeline(config, deps);
  // Node's HTTP/1 server parses and answers; it never listens itself: the listeners below hand it connections.
  const server = createServer(
    {
      maxHeaderSize: config.maxHeaderBytes,
      headersTimeout: config.headerTimeoutMs,
      requestTimeout: config.requestTimeoutMs,
      keepAliveTimeout: config.keepAliveTimeoutMs,
      connectionsCheckingInterval: 1_000,
      // A request without Host gets the edge's own 400 (framing), not Node's bare one.
      requireHostHeader: false,
      IncomingMessage: EdgeRequest,
      ServerResponse: EdgeResponse,
    },
    handler,
  );
  // Expect: 100-continue reaches the pipeline, which sends 100 once the limits passed; any other Expect gets 417.
  server.on('checkContinue', handler);
  server.on('checkExpectation', handler);
  server.on('clientError', clientErrorHandler(createRejection(config, deps), config));
  // Node's server tracks its connections (header and request timeouts, closeIdleConnections) from its 'listening'
  // event on; it never listens here, so it is told. While draining, ClientConnections closes a keep-alive connection
  // as soon as its response is done, as nginx does at a graceful stop.
  server.emit('listening');
  const connections = new ClientConnections(server, {
    firstRequestTimeoutMs: config.headerTimeoutMs,
    keepAliveTimeoutMs: config.keepAliveTimeoutMs,
    parkAfterMs: PARK_AFTER_MS,
    onClose: balance && ((openMs) => onClosed(openMs)),
  });
  // Past maxConnections Node closes a new connection as it accepts it; the open ones go on. With `balance`, a
  // connection that may be passed to another process is accepted paused, so that nothing was read from it here; Node
  // reads `pauseOnConnect` as it accepts each one (net.Server's own option, set before each accept).
  const onClosed = (openMs: number) => {
    balance?.closed(openMs);
    pauseNext();
  };
  const pauseNext = () =>
    ((plain as NetServer & { pauseOnConnect: boolean }).pauseOnConnect = balance?.passing === true);
  /** `passed`: another process accepted it (served even while this one drains, as the other had accepted it). */
  const serve = (socket: Socket, passed: boolean) => {
    connections.accept(socket, passed);
    if (socket.readableFlowing === false) socket.resume();
    balance?.accepted();
    pauseNext();
  };
  const plain = createNetServer((socket) => {
    if (socket.readableFlowing === false && balance !== undefined && !balance.admit(socket)) {
      pauseNext();
      return;
    }
    serve(socket, false);
  });
  balance?.onChange(pauseNext);
  plain.maxConnections = config.maxConnections;
  const https: HttpsListener | undefined =
    config.tls === undefined ? undefined : createHttpsListener(config, config.tls, connections, handler, log);
  const connectionCounts = () => ({
    open: connections.open + (https?.sessions ?? 0),
    parked: connections.parked,
    http2: https?.sessions ?? 0,
  });
  state.connections = connectionCounts;
  let connected: Promise<void> | undefined;
  const connect = () =>
    (connected ??= Promise.all(Object.values(pools).map((pool) => pool.start())).then(() => markReady()));
  let tlsPort: number | undefined;
  return {
    get tlsPort() {
      return tlsPort;
    },
    listeners: https === undefined ? [plain] : [plain, https.server],
    adopt: (socket) => serve(socket, true),
    state,
    handler,
    connect,
    async listen(handles) {
      const port = await listen(plain, config.host, config.port, handles?.[0]);
      const tls = config.tls;
      // The predecessor's HTTPS socket, unless this configuration moved the listener to another port.
      const handed = handles?.[1];
      const reuse = handed !== undefined && tls !== undefined && [0, portOf(handed)].includes(tls.port);
      if (https !== undefined && tls !== undefined)
        tlsPort = await listen(https.server, tls.host, tls.port, reuse ? handed : undefined);
      // A socket this configuration does not listen on any more: this process lets it go (the predecessor closes its
      // own as it drains), so that nothing accepts on it once both are gone.
      if (handed !== undefined && !(reuse && https !== undefined)) handed.close();
      await connect();
      return port;
    },
    stopAccepting() {
      if (plain.listening) plain.close();
      if (https?.server.listening) https.server.close();
    },
    async shutdown() {
      state.draining = true;
      if (plain.listening) plain.close();
      if (https?.server.listening) https.server.close();
      // As nginx at a graceful stop: idle keep-alive connections close now, busy ones once their response is done.
      connections.closeIdle();
      https?.closeIdle();
      await settleWithin(
        Promise.all([connections.drained(), https?.drained()]).then(() => {}),
        config.shutdownGraceMs,
      );
      connections.closeAll();
      https?.closeAll();
      server.close();
      for (const pool of Object.values(pools)) pool.close();
    },
  };
}

/** ms a keep-alive connection stays with Node's HTTP server after a response before it is parked (client-connections.ts). */
const PARK_AFTER_MS = 1_000;

function portOf(server: NetServer): number | undefined {
  const address = server.address();
  return typeof address === 'object' && address !== null ? address.port : undefined;
}

function listen(server: NetServer, host: string, port: number, handle: NetServer | undefined): Promise<number> {
  return new Promise((resolve, reject) => {
    const onError = (err: NodeJS.ErrnoException) => {
      const why = err.code === 'EADDRINUSE' ? 'the address is already in use' : err.message;
      reject(new Error(`edge: cannot listen on ${host}:${port}: ${why}`, { cause: err }));
    };
    server.once('error', onError);
    const listening = () => {
      server.off('error', onError);
      resolve((server.address() as AddressInfo).port);
    };
    if (handle) server.listen(handle, listening);
    else server.listen(port, host, listening);
  });
}
