import { minorGcEvery, runService } from '@mono/runtime';
import { createLogger, shutdownTelemetry } from '@mono/telemetry';
import { buildEdge } from './app';
import { loadEdgeConfig } from './config';

void runService({
  name: 'edge',
  argv: process.argv,
  loadConfig: () => loadEdgeConfig(process.env),
  stopTimeoutMs: (config) => config.shutdownGraceMs + 1_000,
  async start(config) {
    const log = createLogger('edge', config.logLevel);
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
