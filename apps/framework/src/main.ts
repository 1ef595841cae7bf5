import { minorGcEvery, runService } from '@mono/runtime';
import { createLogger, shutdownTelemetry } from '@mono/telemetry';
import { buildFramework } from './app';
import { loadFrameworkConfig } from './config';
import { loadApplication } from './load-application';

void runService({
  name: 'framework',
  argv: process.argv,
  loadConfig: () => loadFrameworkConfig(process.env),
  stopTimeoutMs: (config) => config.shutdownGraceMs + 1_000,
  async start(config) {
    const log = createLogger('framework', config.logLevel);
    const app = loadApplication(config.appModule);
    const framework = buildFramework(config, { app, log, onBodyBytes: minorGcEvery() });
    const port = await framework.listen();
    log.info({ address: `${config.host}:${port}` }, 'framework listening');
    return {
      stats: () => ({ requests: framework.requests }),
      async stop() {
        log.info('framework draining');
        await framework.shutdown();
        await shutdownTelemetry(500);
      },
    };
  },
});
