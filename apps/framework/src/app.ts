import { frameworkBoundary } from '@mono/contracts';
import type { Logger } from '@mono/telemetry';
import { settleWithin } from '@mono/runtime';
import { addExchangeService, createGrpcServer } from '@mono/transport';
import { validator, type Application } from '@mono/tsgi';
import type { FrameworkConfig } from './config';
import { createHost } from './host';

export interface FrameworkDeps {
  app: Application;
  log: Logger;
}

export interface Framework {
  /** Binds, then reports SERVING on grpc.health.v1; resolves with the port. */
  listen(): Promise<number>;
  /** NOT_SERVING, refuse new requests, let those in flight finish (up to the grace period), stop. */
  shutdown(): Promise<void>;
  /** Requests handed to the application since start. */
  readonly requests: number;
}

/**
 * The framework service (Flask's role): hosts one TSGI application behind the gateway → framework boundary.
 * Nothing happens until `listen()`.
 */
export function buildFramework(config: Readonly<FrameworkConfig>, { app, log }: FrameworkDeps): Framework {
  const grpc = createGrpcServer(frameworkBoundary.rpcService, 'framework');
  const counter = { requests: 0 };
  const hosted = config.validate ? validated(app, log) : app;
  const host = createHost(hosted, { multiprocess: config.multiprocess, log, counter });
  const exchange = addExchangeService(grpc.server, frameworkBoundary, host, {
    errors: {
      deadline: 'FW_ERR_DEADLINE_EXCEEDED',
      cancelled: 'TRANSPORT_ERR_CANCELLED',
      protocol: 'TRANSPORT_ERR_PROTOCOL',
      internal: 'FW_ERR_INTERNAL',
      shuttingDown: 'FW_ERR_SHUTTING_DOWN',
    },
  });
  return {
    get requests() {
      return counter.requests;
    },
    async listen() {
      const port = await grpc.listen(config.host, config.port);
      grpc.serving();
      return port;
    },
    async shutdown() {
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
