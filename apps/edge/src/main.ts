import { minorGcEvery, runService } from '@mono/runtime';
import { createLogger, shutdownTelemetry } from '@mono/telemetry';
import { loadTelemetryConfig, telemetryEnvSchema } from '@mono/telemetry/sdk';
import { buildEdge } from './app';
import { edgeEnvSchema, loadEdgeConfig } from './config';

void runService({
  name: 'edge',
  argv: process.argv,
  env: process.env,
  config: { schema: edgeEnvSchema, load: loadEdgeConfig },
  alsoReads: [{ schema: telemetryEnvSchema, load: loadTelemetryConfig }],
  logger: (config) => createLogger('edge', config.logLevel),
  stopTimeoutMs: (config) => config.shutdownGraceMs + 1_000,
  async start(config, log) {
    const edge = buildEdge(config, { log, onBodyBytes: minorGcEvery() });
    const port = await edge.listen();
    log.info({ address: `http://${config.host}:${port}`, gateways: config.gateways }, 'edge listening');
    return {
      stats: () => ({ requests: edge.requests }),
      async stop() {
        log.info('edge draining');
        await edge.shutdown();
        await shutdownTelemetry(500);
      },
    };
  },
});
