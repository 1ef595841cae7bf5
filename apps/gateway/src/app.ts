import { frameworkBoundary, gatewayBoundary } from '@mono/contracts';
import { settleWithin } from '@mono/runtime';
import type { Logger } from '@mono/telemetry';
import { addExchangeService, createGrpcServer, frameworkHopErrors, gatewayHopErrors, MuxClient } from '@mono/transport';
import { Admission } from './admission';
import type { GatewayConfig } from './config';
import { createPipeline } from './pipeline';

export interface GatewayDeps {
  log: Logger;
  /** Told of every body byte moved on either hop (main.ts nudges the GC with it: ADR-0003). */
  onBodyBytes?: ((bytes: number) => void) | undefined;
}

export interface Gateway {
  /** Binds, opens the framework stream, then reports SERVING on grpc.health.v1; resolves with the port. */
  listen(): Promise<number>;
  /** NOT_SERVING, refuse new requests, let those in flight finish (up to the grace period), stop. */
  shutdown(): Promise<void>;
  /** Requests that reached the pipeline since start. */
  readonly requests: number;
}

/** The gateway service (uWSGI's role). Nothing happens until `listen()`. */
export function buildGateway(config: Readonly<GatewayConfig>, { log, onBodyBytes }: GatewayDeps): Gateway {
  const grpc = createGrpcServer(gatewayBoundary.rpcService, 'gateway');
  const framework = new MuxClient(config.framework, frameworkBoundary, {
    errors: frameworkHopErrors.client,
    onBodyBytes,
    onAvailability: (available, detail) =>
      available
        ? log.info({ framework: config.framework }, 'framework reachable')
        : log.warn({ framework: config.framework, detail }, 'framework unreachable'),
  });
  const admission = new Admission({ maxInFlight: config.maxConcurrency, maxQueue: config.maxQueue, maxWaitMs: 1_000 });
  const counter = { requests: 0 };
  const exchange = addExchangeService(
    grpc.server,
    gatewayBoundary,
    createPipeline(config, { framework, admission, log, counter }),
    { errors: gatewayHopErrors.server, onBodyBytes },
  );
  return {
    get requests() {
      return counter.requests;
    },
    async listen() {
      const port = await grpc.listen(config.host, config.port);
      framework.warm();
      grpc.serving();
      return port;
    },
    async shutdown() {
      grpc.notServing();
      await settleWithin(exchange.drain(), config.shutdownGraceMs);
      framework.close();
      grpc.forceShutdown();
    },
  };
}
