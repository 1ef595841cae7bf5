import { boundAddress } from '@mono/config';
import { frameworkBoundary } from '@mono/contracts';
import type { Logger } from '@mono/telemetry';
import { settleWithin } from '@mono/runtime';
import { addExchangeService, createGrpcServer, frameworkHopErrors } from '@mono/transport';
import { validator, type Application } from '@mono/tsgi';
import { ApplicationTable } from './application-table';
import type { FrameworkConfig } from './config';
import { frameworkMetrics } from './framework-metrics';
import { FrameworkStats, type FrameworkSnapshot } from './framework-stats';
import { frameworkRequestLimits } from './limits';
import type { HostedApplication } from './load-applications';
import { createPipeline } from './pipeline';

export interface FrameworkDeps {
  /** What it hosts, the default application first (loadApplications). */
  applications: readonly HostedApplication[];
  log: Logger;
  /** Told of every body byte moved to and from the gateway (main.ts nudges the GC with it: ADR-0003). */
  onBodyBytes?: ((bytes: number) => void) | undefined;
}

export interface Framework {
  /** Binds, then reports SERVING on grpc.health.v1; resolves with the port. */
  listen(): Promise<number>;
  /** NOT_SERVING, refuse new requests, let those in flight finish (up to the grace period), stop. */
  shutdown(): Promise<void>;
  /**
   * Replaced by another process at the same address (a reload): stop listening, tell every connection and stream
   * goaway (their clients reconnect, to the new process), serve what still reaches this one, let it all finish (up to
   * the grace period), stop. Still SERVING meanwhile: the service is, through the new process.
   */
  retire(): Promise<void>;
  /** Requests in flight now, over every stream. */
  readonly inFlight: number;
  /** Takes new requests: listening and not draining (`/readyz`). */
  readonly ready: boolean;
  /** Its counters, whole and per application (`/stats`). */
  stats(): FrameworkSnapshot;
}

/**
 * The framework service (Flask's role): hosts TSGI applications behind the gateway → framework boundary, each request
 * going to the one its mount names. Nothing happens until `listen()`.
 */
export function buildFramework(
  config: Readonly<FrameworkConfig>,
  { applications, log, onBodyBytes }: FrameworkDeps,
): Framework {
  const grpc = createGrpcServer(frameworkBoundary.rpcService, 'framework');
  const table = new ApplicationTable(applications, config.validate ? (app) => validated(app, log) : (app) => app, log);
  const stats = new FrameworkStats(table, frameworkMetrics(table.entries));
  const requestLimits = frameworkRequestLimits(config);
  const pipeline = createPipeline({
    applications: table,
    stats,
    multiprocess: config.multiprocess,
    requestLimits,
    log,
  });
  // ADR-0014: every gateway hears what the framework takes as its stream opens, and refuses beyond it itself.
  const exchange = addExchangeService(grpc.server, frameworkBoundary, pipeline, {
    errors: frameworkHopErrors.server,
    onBodyBytes,
    limits: requestLimits.own,
  });
  let serving = false;
  let bound = '';
  return {
    get inFlight() {
      return exchange.inFlight;
    },
    get ready() {
      return serving;
    },
    stats: () => stats.snapshot(),
    async listen() {
      const port = await grpc.listen(config.listen);
      bound = boundAddress(config.listen, port);
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
    async retire() {
      // HTTP/2 GOAWAY on every connection first, so that the streams the clients open after the goaway below go on
      // new connections, which reach the new process.
      grpc.server.unbind(bound);
      await settleWithin(exchange.drain({ crossing: 'serve' }), config.shutdownGraceMs);
      serving = false;
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
