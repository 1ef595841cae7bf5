import { frameworkBoundary } from '@mono/contracts';
import type { Logger } from '@mono/telemetry';
import { settleWithin } from '@mono/runtime';
import { addExchangeService, createGrpcServer, frameworkHopErrors } from '@mono/transport';
import { validator, type Application } from '@mono/tsgi';
import type { FrameworkConfig } from './config';
import { createPipeline } from './pipeline';

export interface FrameworkDeps {
  app: Application;
  log: Logger;
  /** Told of every body byte moved to and from the gateway (main.ts nudges the GC with it: ADR-0003). */
  onBodyBytes?: ((bytes: number) => void) | undefined;
}

export interface Framework {
  /** Binds, then reports SERVING on grpc.health.v1; resolves with the port. */
  listen(): Promise<number>;
  /** NOT_SERVING, refuse new requests, let those in flight finish (up to the grace period), stop. */
  shutdown(): Promise<void>;
  /** Requests handed to the application since start. */
  readonly requests: number;
  /** Requests in flight now. */
  readonly inFlight: number;
  /** Takes new requests: listening and not draining (`/readyz`). */
  readonly ready: boolean;
}

/**
 * The framework service (Flask's role): hosts one TSGI application behind the gateway → framework boundary.
 * Nothing happens until `listen()`.
 */
export function buildFramework(config: Readonly<FrameworkConfig>, { app, log, onBodyBytes }: FrameworkDeps): Framework {
  const grpc = createGrpcServer(frameworkBoundary.rpcService, 'framework');
  const counter = { requests: 0 };
  const hosted = config.validate ? validated(app, log) : app;
  const pipeline = createPipeline(hosted, { multiprocess: config.multiprocess, log, counter });
  const exchange = addExchangeService(grpc.server, frameworkBoundary, pipeline, {
    errors: frameworkHopErrors.server,
    onBodyBytes,
  });
  let serving = false;
  return {
    get requests() {
      return counter.requests;
    },
    get inFlight() {
      return exchange.inFlight;
    },
    get ready() {
      return serving;
    },
    async listen() {
      const port = await grpc.listen(config.host, config.port);
      grpc.serving();
      serving = true;
      return port;
    },
    async shutdown() {
      serving = false;
      grpc.notServing();
      await settleWithin(exchange.drain(), config.shutdownGraceMs);
      grpc.forceShutdown();
    },
  };
}

/** FRAMEWORK_VALIDATE: the application behind the interface's validator, each violation logged with its rule. */
function validated(app: Application, log: Logger): Application {
  return validator(app, {
    onViolation: (violation) => log.error({ rule: violation.rule, side: violation.side }, violation.message),
  });
}
