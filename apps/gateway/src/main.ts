import { boundAddress } from '@mono/config';
import { minorGcEvery, runService } from '@mono/runtime';
import { createLogger, shutdownTelemetry } from '@mono/telemetry';
import { loadMetricsConfig, loadTelemetryConfig, metricsEnvSchema, telemetryEnvSchema } from '@mono/telemetry/sdk';
import { buildGateway } from './app';
import { describeGatewayConfig, gatewayEnvSchema, loadGatewayConfig } from './config';

void runService({
  name: 'gateway',
  argv: process.argv,
  env: process.env,
  config: { schema: gatewayEnvSchema, load: loadGatewayConfig, describe: describeGatewayConfig },
  alsoReads: [
    { schema: telemetryEnvSchema, load: loadTelemetryConfig },
    { schema: metricsEnvSchema, load: loadMetricsConfig },
  ],
  logger: (config) => createLogger('gateway', config.logLevel),
  admin: (config) => config.admin,
  stopTimeoutMs: (config) => config.shutdownGraceMs + 1_000,
  async start(config, log) {
    const gateway = buildGateway(config, { log, onBodyBytes: minorGcEvery() });
    const port = await gateway.listen();
    log.info(
      {
        address: boundAddress(config.listen, port),
        pools: Object.fromEntries(Object.entries(config.pools).map(([name, pool]) => [name, pool.servers])),
        mounts: config.mounts.map((m) => `${m.path || '/'} → ${m.pool}`),
      },
      'gateway listening',
    );
    return {
      stats: () => gateway.stats.snapshot(),
      ready: () => gateway.ready,
      async stop() {
        log.info('gateway draining');
        await gateway.shutdown();
        await shutdownTelemetry(500);
      },
    };
  },
});
