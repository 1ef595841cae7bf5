import { join } from 'node:path';
import { runService, type RunningService } from '@mono/runtime';
import { loadMetricsConfig, loadTelemetryConfig, metricsEnvSchema, telemetryEnvSchema } from '@mono/telemetry/sdk';
import { describeFrameworkConfig, frameworkEnvSchema, loadFrameworkConfig, type FrameworkConfig } from './config';
import { createLineLogger, type LineLogger } from './line-logger';
import { loadApplications } from './load-applications';
import { Master } from './master';
import type * as SingleProcess from './single-process';

void runService({
  name: 'framework',
  argv: process.argv,
  env: process.env,
  config: { schema: frameworkEnvSchema, load: loadFrameworkConfig, describe: describeFrameworkConfig },
  alsoReads: [
    { schema: telemetryEnvSchema, load: loadTelemetryConfig },
    { schema: metricsEnvSchema, load: loadMetricsConfig },
  ],
  // pino is for the process that serves requests; a master logs a few lines (line-logger.ts).
  logger: (config) => createLineLogger('framework', config.logLevel),
  admin: (config) => config.admin,
  // The workers' grace period, and the time they take to exit after it.
  stopTimeoutMs: (config) => config.shutdownGraceMs + 2_000,
  check(config) {
    // Loads each module and finds its export, as a worker does; the applications themselves are not called.
    const loaded = loadApplications(config.applications, process.env);
    return `applications: ${loaded.map((a) => `${a.name} (${a.kind}, ${a.source})`).join(', ')}, loaded`;
  },
  async start(config, log) {
    if (!config.master) {
      // A bundle of its own (dist/single-process.cjs): a master never loads what serving needs (grpc-js, the host).
      // eslint-disable-next-line @typescript-eslint/no-require-imports -- loaded by path, as worker.cjs is forked
      const single = require(join(__dirname, 'single-process.cjs')) as typeof SingleProcess;
      return single.startSingleProcess(config, process.env);
    }
    return startMaster(config, log);
  },
});

async function startMaster(config: Readonly<FrameworkConfig>, log: LineLogger): Promise<RunningService> {
  const master = new Master(config, { exec: join(__dirname, 'worker.cjs'), log });
  await master.start();
  process.on('SIGHUP', () => master.reload('SIGHUP'));
  return {
    stats: () => master.stats(),
    metrics: () => master.metrics(),
    ready: () => master.ready,
    async stop() {
      log.info({}, 'framework stopping: its workers drain');
      await master.stop();
    },
  };
}
