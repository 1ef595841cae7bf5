import { runService } from '@mono/runtime';
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
    const framework = buildFramework(config, { app: loadApplication(config.appModule), log });
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
