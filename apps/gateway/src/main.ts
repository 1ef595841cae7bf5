import { minorGcEvery, runService } from '@mono/runtime';
import { createLogger, shutdownTelemetry } from '@mono/telemetry';
import { buildGateway } from './app';
import { loadGatewayConfig } from './config';

void runService({
  name: 'gateway',
  argv: process.argv,
  loadConfig: () => loadGatewayConfig(process.env),
  stopTimeoutMs: (config) => config.shutdownGraceMs + 1_000,
  async start(config) {
    const log = createLogger('gateway', config.logLevel);
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
