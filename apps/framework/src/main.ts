import { minorGcEvery, runService } from '@mono/runtime';
import { createLogger, shutdownTelemetry } from '@mono/telemetry';
import { loadMetricsConfig, loadTelemetryConfig, metricsEnvSchema, telemetryEnvSchema } from '@mono/telemetry/sdk';
import { buildFramework } from './app';
import { describeFrameworkConfig, frameworkEnvSchema, loadFrameworkConfig } from './config';
import { loadApplications } from './load-applications';

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
    // Loads each module and finds its export, as at start; the applications themselves are not called.
    const loaded = loadApplications(config.applications, process.env);
    return `applications: ${loaded.map((a) => `${a.name} (${a.kind}, ${a.source})`).join(', ')}, loaded`;
  },
  async start(config, log) {
    const applications = loadApplications(config.applications, process.env);
    const framework = buildFramework(config, { applications, log, onBodyBytes: minorGcEvery() });
    const port = await framework.listen();
    log.info(
      {
        address: `${config.host}:${port}`,
        applications: Object.fromEntries(applications.map((a) => [a.name, `${a.kind} ${a.source}`])),
      },
      'framework listening',
    );
    return {
      stats: () => framework.stats(),
      ready: () => framework.ready,
      async stop() {
        log.info('framework draining');
        await framework.shutdown();
        await shutdownTelemetry(500);
      },
    };
  },
});
