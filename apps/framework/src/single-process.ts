import { boundAddress } from '@mono/config';
import type { RunningService } from '@mono/runtime';
import { clearStaleSocket, minorGcEvery } from '@mono/runtime';
import { createLogger, shutdownTelemetry } from '@mono/telemetry';
import { buildFramework } from './app';
import type { FrameworkConfig } from './config';
import { loadApplications } from './load-applications';

/**
 * The framework in this process, with no master (`master: false`): the applications load here, SIGHUP reloads
 * nothing, a crash ends the service. ~50 MiB less than a master and its worker (docs/adr/0010).
 */
export async function startSingleProcess(
  config: Readonly<FrameworkConfig>,
  processEnv: Record<string, string | undefined>,
): Promise<RunningService> {
  const log = createLogger('framework', config.logLevel);
  const applications = loadApplications(config.applications, processEnv);
  const framework = buildFramework(config, { applications, log, onBodyBytes: minorGcEvery() });
  await clearStaleSocket(config.listen, 'framework');
  const port = await framework.listen();
  log.info(
    {
      address: boundAddress(config.listen, port),
      pid: process.pid,
      applications: Object.fromEntries(applications.map((a) => [a.name, `${a.kind} ${a.source}`])),
    },
    'framework listening',
  );
  process.on('SIGHUP', () => log.warn('SIGHUP ignored: reloads need a master (master: true, FRAMEWORK_MASTER)'));
  return {
    stats: () => framework.stats(),
    ready: () => framework.ready,
    async stop() {
      log.info('framework draining');
      await framework.shutdown();
      await shutdownTelemetry(500);
    },
  };
}
