import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { gatewayBoundary, type HttpRequest } from '@mono/contracts';
import { settleWithin } from '@mono/runtime';
import type { Logger } from '@mono/telemetry';
import { gatewayHopErrors, MuxClient } from '@mono/transport';
import { Balancer } from './balancer';
import { clientErrorHandler } from './client-error';
import type { EdgeConfig } from './config';
import { createPipeline } from './pipeline';

export interface EdgeDeps {
  log: Logger;
  /** Told of every body byte moved to and from the gateways (main.ts nudges the GC with it: ADR-0003). */
  onBodyBytes?: ((bytes: number) => void) | undefined;
}

export interface Edge {
  readonly server: Server;
  /** Binds and opens the gateway streams; resolves with the port. */
  listen(): Promise<number>;
  /** Stops accepting, lets requests in flight finish (up to the grace period), closes everything. */
  shutdown(): Promise<void>;
  /** Requests that reached the pipeline since start. */
  readonly requests: number;
}

/** The edge service (nginx's role). Nothing happens until `listen()`. */
export function buildEdge(config: Readonly<EdgeConfig>, { log, onBodyBytes }: EdgeDeps): Edge {
  let draining = false;
  const counter = { requests: 0 };
  const gateways = config.gateways.map(
    (address) =>
      new MuxClient<HttpRequest>(address, gatewayBoundary, {
        errors: gatewayHopErrors.client,
        onBodyBytes,
        onAvailability: (available, detail) =>
          available
            ? log.info({ gateway: address }, 'gateway reachable')
            : log.warn({ gateway: address, detail }, 'gateway unreachable'),
      }),
  );
  const server = createServer(
    {
      maxHeaderSize: config.maxHeaderBytes,
      headersTimeout: config.headerTimeoutMs,
      requestTimeout: config.requestTimeoutMs,
      keepAliveTimeout: config.keepAliveTimeoutMs,
      connectionsCheckingInterval: 1_000,
    },
    createPipeline(config, new Balancer(gateways, config.failTimeoutMs), log, () => draining, counter),
  );
  // While draining, a keep-alive connection is closed as soon as its response is done, as nginx does at a graceful
  // stop: otherwise the edge would wait for the client (or keepAliveTimeout) to close it before it could exit.
  server.on('request', (_req, res) => {
    res.once('finish', () => {
      if (draining) setImmediate(() => server.closeIdleConnections());
    });
  });
  server.on('clientError', clientErrorHandler(log, config.maxHeaderBytes));
  return {
    server,
    get requests() {
      return counter.requests;
    },
    listen: () =>
      listen(server, config.host, config.port).then((port) => {
        for (const gateway of gateways) gateway.warm();
        return port;
      }),
    async shutdown() {
      draining = true;
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeIdleConnections();
      await settleWithin(closed, config.shutdownGraceMs);
      server.closeAllConnections();
      for (const gateway of gateways) gateway.close();
    },
  };
}

function listen(server: Server, host: string, port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const onError = (err: NodeJS.ErrnoException) => {
      const why = err.code === 'EADDRINUSE' ? 'the address is already in use' : err.message;
      reject(new Error(`edge: cannot listen on ${host}:${port}: ${why}`, { cause: err }));
    };
    server.once('error', onError);
    server.listen(port, host, () => {
      server.off('error', onError);
      resolve((server.address() as AddressInfo).port);
    });
  });
}
