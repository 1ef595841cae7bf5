// A worker of the master (docs/adr/0010-applications-and-reloads.md): loads the applications as the configuration
// names them now, serves on the port the master holds (node:cluster), and obeys the master over IPC. Started by the
// master with the same Node flags and --require telemetry.cjs; never by hand.
import { boundAddress } from '@mono/config';
import { compactionFields, compactWhenIdle, minorGcEvery } from '@mono/runtime';
import { createLogger, prometheusText, shutdownTelemetry, type Logger } from '@mono/telemetry';
import { buildFramework, type Framework } from './app';
import { loadFrameworkConfig, type FrameworkConfig } from './config';
import { loadApplications } from './load-applications';
import { loadedFiles } from './loaded-files';
import type { FromWorker, ToWorker, WorkerSnapshot } from './worker-messages';

const generation = Number(process.env['MONO_FRAMEWORK_GENERATION'] ?? '1');
const RECYCLE_CHECK_MS = 1_000;

void main();

async function main(): Promise<void> {
  // The master coordinates stopping; a signal sent to this process alone (a process-tree kill) stops the service.
  process.on('SIGHUP', () => {});
  // The master is gone (killed): nothing supervises this worker any more, and its port is closed.
  process.on('disconnect', () => process.exit(1));
  let config: Readonly<FrameworkConfig>;
  let framework: Framework;
  let log: Logger;
  try {
    config = loadFrameworkConfig(process.env);
    log = createLogger('framework', config.logLevel).child({ worker: generation });
    const applications = loadApplications(config.applications, process.env);
    framework = buildFramework(config, { applications, log, onBodyBytes: minorGcEvery() });
    const port = await framework.listen();
    log.info(
      {
        address: boundAddress(config.listen, port),
        pid: process.pid,
        applications: Object.fromEntries(applications.map((a) => [a.name, `${a.kind} ${a.source}`])),
      },
      'framework listening',
    );
    send({ type: 'ready', port, files: loadedFiles(__dirname) });
    // The worker is the process that serves, and runService (which does this for the master) does not run here.
    compactWhenIdle({
      onCompact: (compaction) => log.info(compactionFields(compaction), 'idle: heap compacted'),
    });
  } catch (err) {
    send({ type: 'failed', reason: err instanceof Error ? err.message : String(err) }, () => process.exit(1));
    return;
  }
  const snapshot = (): WorkerSnapshot => ({ ...framework.stats(), rssBytes: process.memoryUsage.rss() });
  const metrics = async () => prometheusText()?.();
  let ending: Promise<void> | undefined;
  const end = (how: 'retire' | 'stop') => {
    ending ??= (async () => {
      log.info({ pid: process.pid }, how === 'retire' ? 'worker retiring: a new one serves' : 'framework draining');
      await (how === 'retire' ? framework.retire() : framework.shutdown());
      await shutdownTelemetry(500);
      send({ type: 'final', stats: snapshot(), text: await metrics() }, () => process.exit(0));
    })();
  };
  process.on('message', (message: ToWorker) => {
    switch (message.type) {
      case 'stats':
        send({ type: 'stats', id: message.id, stats: snapshot() });
        return;
      case 'metrics':
        void metrics().then((text) => send({ type: 'metrics', id: message.id, text }));
        return;
      case 'retire':
      case 'stop':
        end(message.type);
    }
  });
  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    process.on(signal, () => {
      send({ type: 'signalled', signal });
      end('stop');
    });
  }
  watchRecycling(config, framework, (reason) => send({ type: 'recycle', reason }));
}

/** FRAMEWORK_MAX_REQUESTS and FRAMEWORK_RELOAD_ON_RSS, checked every second; the master is asked once. */
function watchRecycling(config: Readonly<FrameworkConfig>, framework: Framework, recycle: (reason: string) => void) {
  const { maxRequests, maxResidentBytes } = config.reload;
  if (maxRequests === 0 && maxResidentBytes === 0) return;
  const timer = setInterval(() => {
    const requests = framework.stats().requests;
    const rss = maxResidentBytes > 0 ? process.memoryUsage.rss() : 0;
    let reason: string | undefined;
    if (maxRequests > 0 && requests >= maxRequests) reason = `served ${requests} requests (max ${maxRequests})`;
    else if (maxResidentBytes > 0 && rss > maxResidentBytes)
      reason = `resident ${Math.round(rss / 1_048_576)} MiB (max ${Math.round(maxResidentBytes / 1_048_576)})`;
    if (reason === undefined) return;
    clearInterval(timer);
    recycle(reason);
  }, RECYCLE_CHECK_MS);
  timer.unref();
}

function send(message: FromWorker, then?: () => void): void {
  if (process.connected) process.send?.(message, undefined, {}, () => then?.());
  else then?.();
}
