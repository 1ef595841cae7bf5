import { ConfigError } from '@mono/config';

/** A started service, as `runService` stops it. */
export interface RunningService {
  /** Drains and stops; resolves when the process may exit. */
  stop(): Promise<void>;
  /** Written to stdout as one JSON line `{"msg":"stats",…}` on SIGUSR2 (request counters, for tools/bench). */
  stats?(): Record<string, number>;
}

export interface ServiceMain<C> {
  name: string;
  argv: readonly string[];
  loadConfig: () => C;
  start: (config: C) => Promise<RunningService>;
  /** How long `stop` may take after SIGTERM/SIGINT before the process exits anyway. */
  stopTimeoutMs: (config: C) => number;
}

/**
 * The process around a service: validate the configuration once (all problems at once; `--check-config` stops
 * there, like `nginx -t`), start, and on SIGTERM/SIGINT stop gracefully; a second signal, or a stop that takes
 * too long, exits at once. A start-up failure (a port in use) prints one clear line and exits 1. SIGUSR2 prints
 * the service's counters.
 *
 * @example
 * void runService({ name: 'edge', argv: process.argv, loadConfig: () => loadEdgeConfig(process.env), start, stopTimeoutMs });
 */
export async function runService<C>({ name, argv, loadConfig, start, stopTimeoutMs }: ServiceMain<C>): Promise<void> {
  let config: C;
  try {
    config = loadConfig();
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    process.stderr.write(`${err.message}\n`);
    process.exit(2);
  }
  if (argv.includes('--check-config')) {
    process.stdout.write(`${name}: configuration ok\n`);
    return;
  }
  let running: RunningService;
  try {
    running = await start(config);
  } catch (err) {
    process.stderr.write(`${err instanceof Error ? err.message : String(err)}\n`);
    process.exit(1);
  }
  let stopping = false;
  const onSignal = (signal: NodeJS.Signals) => {
    if (stopping) process.exit(130);
    stopping = true;
    const timer = setTimeout(() => process.exit(1), stopTimeoutMs(config));
    timer.unref();
    running.stop().then(
      () => process.exit(0),
      (err: unknown) => {
        process.stderr.write(`${name}: stop after ${signal} failed: ${String(err)}\n`);
        process.exit(1);
      },
    );
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  process.on('SIGUSR2', () => {
    const memory = Object.fromEntries(
      Object.entries(process.memoryUsage()).map(([k, v]) => [k, Math.round(v / 1048576)]),
    );
    process.stdout.write(
      `${JSON.stringify({ service: name, msg: 'stats', ...running.stats?.(), memoryMiB: memory })}\n`,
    );
  });
}
