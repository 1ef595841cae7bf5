import { forwardingFrameworkBoundary, forwardingGatewayBoundary, type ForwardedEnviron } from '@mono/contracts';
import { clearStaleSocket, settleWithin } from '@mono/runtime';
import type { Logger } from '@mono/telemetry';
import {
  addExchangeService,
  createGrpcServer,
  frameworkHopErrors,
  gatewayHopErrors,
  HEAD_BACKSTOP_MS,
  observePools,
  Pool,
} from '@mono/transport';
import { Admission } from './admission';
import type { GatewayConfig } from './config';
import { gatewayMetrics } from './gateway-metrics';
import { LimitAgreement } from './limit-agreement';
import { gatewayLimits, mountLimits } from './limits';
import { GatewayStats, type Mount } from './gateway-stats';
import { createPipeline } from './pipeline';

export interface GatewayDeps {
  log: Logger;
  /** Told of every body byte moved on either hop (main.ts nudges the GC with it: ADR-0003). */
  onBodyBytes?: ((bytes: number) => void) | undefined;
}

export interface Gateway {
  /**
   * Binds and opens the framework pools; reports SERVING on grpc.health.v1 once every pool has a serving instance
   * (so that an edge never sends it a request it can only fail). Resolves with the port.
   */
  listen(): Promise<number>;
  /** NOT_SERVING, goaway, let those in flight finish (up to the grace period), stop. */
  shutdown(): Promise<void>;
  /** Takes new requests: listening, its pools served once, not draining (`/readyz`). */
  readonly ready: boolean;
  readonly stats: GatewayStats;
}

/** The gateway service (uWSGI's role). Nothing happens until `listen()`. */
export function buildGateway(config: Readonly<GatewayConfig>, { log, onBodyBytes }: GatewayDeps): Gateway {
  const grpc = createGrpcServer(forwardingGatewayBoundary.rpcService, 'gateway');
  let serving = false;
  let draining = false;
  const markServing = () => {
    if (serving || draining || !Object.values(pools).every((pool) => pool.ready)) return;
    serving = true;
    grpc.serving();
    log.info('gateway serving');
  };
  const pools: Record<string, Pool<ForwardedEnviron>> = {};
  // The margin the gateway keeps of the edge's budget is shared: the framework's 504 may come that much less 50 ms
  // past the limit it was sent, and the gateway's own 504 for a framework that never answers then has the 50 ms the
  // edge's backstop waits, and those 50, to reach the edge. A 504 held up on a busy host still names its layer.
  const headBackstopMs = Math.max(HEAD_BACKSTOP_MS, config.deadlineMarginMs - HEAD_BACKSTOP_MS);
  for (const [name, settings] of Object.entries(config.pools)) {
    pools[name] = new Pool(
      forwardingFrameworkBoundary,
      settings,
      { errors: frameworkHopErrors.client, headBackstopMs, onBodyBytes },
      {
        events: {
          onMember: (address, event) => {
            log.info({ pool: name, address, event }, `framework ${event}`);
            if (event === 'serving') markServing();
          },
          onResolveError: (server) => log.warn({ pool: name, server }, 'framework name does not resolve'),
          onLimits: (limits) => agreement.poolChanged(name, limits),
        },
      },
    );
  }
  observePools('gateway', pools);
  const own = gatewayLimits(config);
  const mounts: Mount[] = config.mounts.map((mount) => ({
    path: mount.path,
    poolName: mount.pool,
    pool: pools[mount.pool] as Pool<ForwardedEnviron>,
    app: mount.app,
    admission: new Admission(mount.limits),
    limits: mountLimits(own),
  }));
  // ADR-0014: the frameworks' limits reach the mounts on their pool, and the edges hear the smallest of all.
  const agreement = new LimitAgreement(own, mounts, pools, log);
  const stats = new GatewayStats(mounts, pools);
  const exchange = addExchangeService(
    grpc.server,
    forwardingGatewayBoundary,
    createPipeline(config, { mounts, stats, metrics: gatewayMetrics(mounts), log, ready: () => serving }),
    { errors: gatewayHopErrors.server, onBodyBytes, limits: agreement.announced },
  );
  agreement.announceTo((limits) => exchange.announce(limits));
  return {
    stats,
    get ready() {
      return serving && !draining;
    },
    async listen() {
      await clearStaleSocket(config.listen, 'gateway');
      const port = await grpc.listen(config.listen);
      await Promise.all(Object.values(pools).map((pool) => pool.start()));
      markServing();
      return port;
    },
    async shutdown() {
      draining = true;
      grpc.notServing();
      await settleWithin(exchange.drain(), config.shutdownGraceMs);
      for (const pool of Object.values(pools)) pool.close();
      grpc.forceShutdown();
    },
  };
}
