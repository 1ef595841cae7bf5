import { resolve } from 'node:path';
import { minorGcEvery, runService } from '@mono/runtime';
import { createLogger, shutdownTelemetry } from '@mono/telemetry';
import { loadMetricsConfig, loadTelemetryConfig, metricsEnvSchema, telemetryEnvSchema } from '@mono/telemetry/sdk';
import { buildFramework } from './app';
import { describeFrameworkConfig, frameworkEnvSchema, loadFrameworkConfig } from './config';
import { loadApplication } from './load-application';

void runService({
  name: 'framework',
  argv: process.argv,
  env: process.env,
  config: { schema: frameworkEnvSchema, load: loadFrameworkConfig, describe: describeFrameworkConfig },
  alsoReads: [
    { schema: telemetryEnvSchema, load: loadTelemetryConfig },
    { schema: metricsEnvSchema, load: loadMetricsConfig },
  ],
  logger: (config) => createLogger('framework', config.logLevel),
  admin: (config) => config.admin,
  stopTimeoutMs: (config) => config.shutdownGraceMs + 1_000,
  check(config) {
    // Loads the module and finds its export, as at start; the application itself is not called.
    try {
      loadApplication(config.appModule);
    } catch (err) {
      // Its first line: Node puts the require stack under a missing module's message.
      const reason = (err instanceof Error ? err.message : String(err)).split('\n')[0]?.replace(/^framework: /, '');
      throw new Error(reason?.startsWith('FRAMEWORK_APP') ? reason : `FRAMEWORK_APP: ${reason}`);
    }
    return `application: ${config.appModule === undefined ? 'the demo Express app' : resolve(config.appModule)}, loaded`;
  },
  async start(config, log) {
    const app = loadApplication(config.appModule);
    const framework = buildFramework(config, { app, log, onBodyBytes: minorGcEvery() });
    const port = await framework.listen();
    log.info({ address: `${config.host}:${port}` }, 'framework listening');
    return {
      stats: () => ({ requests: framework.requests, inFlight: framework.inFlight }),
      ready: () => framework.ready,
      async stop() {
        log.info('framework draining');
        await framework.shutdown();
        await shutdownTelemetry(500);
      },
    };
  },
});
