import { minorGcEvery, runService } from '@mono/runtime';
import { createLogger, shutdownTelemetry } from '@mono/telemetry';
import { loadTelemetryConfig, telemetryEnvSchema } from '@mono/telemetry/sdk';
import { buildGateway } from './app';
import { gatewayEnvSchema, loadGatewayConfig } from './config';

void runService({
  name: 'gateway',
  argv: process.argv,
  env: process.env,
  config: { schema: gatewayEnvSchema, load: loadGatewayConfig },
  alsoReads: [{ schema: telemetryEnvSchema, load: loadTelemetryConfig }],
  logger: (config) => createLogger('gateway', config.logLevel),
  stopTimeoutMs: (config) => config.shutdownGraceMs + 1_000,
  async start(config, log) {
    const gateway = buildGateway(config, { log, onBodyBytes: minorGcEvery() });
    const port = await gateway.listen();
    log.info(
      { address: `${config.host}:${port}`, framework: config.framework, mounts: config.mounts },
      'gateway listening',
    );
    return {
      stats: () => ({ requests: gateway.requests }),
      async stop() {
        log.info('gateway draining');
        await gateway.shutdown();
        await shutdownTelemetry(500);
      },
    };
  },
});
