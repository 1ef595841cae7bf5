import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Server as NetServer } from 'node:net';
import { gatewayBoundary, type HttpRequest } from '@mono/contracts';
import { settleWithin } from '@mono/runtime';
import type { Logger } from '@mono/telemetry';
import { gatewayHopErrors, observePools, Pool } from '@mono/transport';
import type { LineOut } from './access-log';
import { clientErrorHandler } from './client-error';
import { ClientTrust } from './client-trust';
import type { EdgeConfig } from './config';
import { edgeMetrics } from './edge-metrics';
import { EdgeResponse } from './edge-response';
import { EdgeState } from './edge-state';
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
}

export interface Edge {
  readonly server: Server;
  readonly state: EdgeState;
  /** The request pipeline the server runs (tests inject requests into it without a port). */
  readonly handler: (req: IncomingMessage, res: ServerResponse) => void;
  /** Resolves the gateway pools and opens their streams (listen does it too). */
  connect(): Promise<void>;
  /**
   * Listens — on `host:port`, or on a socket handed over by the edge this one replaces — and opens the gateway pools;
   * resolves with the port.
   */
  listen(handle?: NetServer): Promise<number>;
  /** Stops accepting, lets requests in flight finish (up to the grace period), closes everything. */
  shutdown(): Promise<void>;
}

/** The edge service (nginx's role). Nothing happens until `listen()`. */
export function buildEdge(config: Readonly<EdgeConfig>, { log, onBodyBytes, onReady, accessOut }: EdgeDeps): Edge {
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
  const server = createServer(
    {
      maxHeaderSize: config.maxHeaderBytes,
      headersTimeout: config.headerTimeoutMs,
      requestTimeout: config.requestTimeoutMs,
      keepAliveTimeout: config.keepAliveTimeoutMs,
      connectionsCheckingInterval: 1_000,
      // A request without Host gets the edge's own 400 (framing), not Node's bare one.
      requireHostHeader: false,
      ServerResponse: EdgeResponse,
    },
    handler,
  );
  // Expect: 100-continue reaches the pipeline, which sends 100 once the limits passed; any other Expect gets 417.
  server.on('checkContinue', handler);
  server.on('checkExpectation', handler);
  // While draining, a keep-alive connection is closed as soon as its response is done, as nginx does at a graceful
  // stop: otherwise the edge would wait for the client (or keepAliveTimeout) to close it before it could exit.
  server.on('request', (_req, res) => {
    res.once('finish', () => {
      if (state.draining) setImmediate(() => server.closeIdleConnections());
    });
  });
  server.on('clientError', clientErrorHandler(createRejection(config, deps), config));
  let connected: Promise<void> | undefined;
  const connect = () =>
    (connected ??= Promise.all(Object.values(pools).map((pool) => pool.start())).then(() => markReady()));
  return {
    server,
    state,
    handler,
    connect,
    async listen(handle) {
      const port = await listen(server, config.host, config.port, handle);
      await connect();
      return port;
    },
    async shutdown() {
      state.draining = true;
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeIdleConnections();
      await settleWithin(closed, config.shutdownGraceMs);
      server.closeAllConnections();
      for (const pool of Object.values(pools)) pool.close();
    },
  };
}

function listen(server: Server, host: string, port: number, handle: NetServer | undefined): Promise<number> {
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
