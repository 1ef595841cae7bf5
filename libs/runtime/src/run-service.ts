import { ConfigError, unknownVariables, type Env } from '@mono/config';
import { startAdminServer, type AdminOptions, type AdminServer } from './admin-server';
import { compactionFields, compactWhenIdle } from './compact-when-idle';
import { checkConfig, describeUnknown } from './check-config';
import type { ServiceConfig } from './service-config';

/** A started service, as `runService` stops it. */
export interface RunningService {
  /** Drains and stops; resolves when the process may exit. */
  stop(): Promise<void>;
  /** The admin listener's `/stats`, and one JSON line `{"msg":"stats",…}` on stdout on SIGUSR2 (tools/bench). */
  stats?(): Record<string, unknown> | Promise<Record<string, unknown>>;
  /** The admin listener's `/metrics` when the service gathers them itself (a master, from its workers). */
  metrics?(): Promise<string | undefined>;
  /** Takes new requests (`/readyz`): started, its upstreams served once, not draining. */
  ready?(): boolean;
  /** Lets go of what it keeps for the next burst, before an idle compaction (compactWhenIdle's `beforeCompact`). */
  beforeCompact?(): void;
}

/** Starts the admin listener; while its port is taken, tries again every 100 ms for up to `retryMs`. */
async function startAdminWithin(retryMs: number, options: AdminOptions): Promise<AdminServer> {
  const until = Date.now() + retryMs;
  for (;;) {
    try {
      return await startAdminServer(options);
    } catch (err) {
      if (Date.now() >= until || !String((err as Error).message).includes('already in use')) throw err;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
}

/** The part of a logger `runService` uses (pino's fits). */
export interface Warner {
  warn(fields: Record<string, unknown>, message: string): void;
  info(fields: Record<string, unknown>, message: string): void;
}

export interface ServiceMain<C, L extends Warner> {
  /** edge, gateway, framework: names the service in messages; its variables start with the name in capitals. */
  name: string;
  argv: readonly string[];
  env: Env;
  /** The service's own variables. One with its prefix that it does not know is a warning, or a --check-config problem. */
  config: ServiceConfig<C>;
  /** Other variables the process reads (OpenTelemetry's), checked and printed by --check-config with its own. */
  alsoReads?: readonly ServiceConfig<unknown>[];
  logger: (config: C) => L;
  /** --check-config only, once the variables are valid: what else to check without starting (the framework loads its application); may return a line to print. */
  check?: (config: C, log: L) => Promise<string | void> | string | void;
  start: (config: C, log: L) => Promise<RunningService>;
  /** `host:port` of the admin listener (/healthz /readyz /stats /metrics); port 0 picks a free one. */
  admin?: (config: C) => string;
  /**
   * This process takes over from one that still holds the admin port (the edge's restart): the admin listener starts
   * after the service, retrying the port until the predecessor let it go.
   */
  successor?: boolean;
  /** SIGHUP (a restart or reload); resolves when this process may exit. Without it SIGHUP is ignored. */
  hangup?: (running: RunningService, log: L) => Promise<void>;
  /** How long `stop` may take after SIGTERM/SIGINT before the process exits anyway. */
  stopTimeoutMs: (config: C) => number;
}

const CHECK_CONFIG = '--check-config';

/**
 * The process around a service. `--check-config` validates the whole configuration without starting anything and
 * prints the effective one (every variable, its value and where it came from), exit 0, or every problem, exit 2:
 * `nginx -t` and `-T` in one. Otherwise: validate (every problem at once, exit 2), warn about each variable with the
 * service's prefix that it does not know, start (a failure such as a port in use: one clear line, exit 1), and on
 * SIGTERM/SIGINT stop gracefully; a second signal, or a stop that takes too long, exits at once. SIGUSR2 prints the
 * service's counters.
 *
 * @example
 * void runService({ name: 'edge', argv: process.argv, env: process.env, config: { schema, load }, logger, start, stopTimeoutMs });
 */
export async function runService<C, L extends Warner>(main: ServiceMain<C, L>): Promise<void> {
  const { name, env, config: own, logger, start, stopTimeoutMs } = main;
  const args = main.argv.slice(2);
  const unexpected = args.find((arg) => arg !== CHECK_CONFIG);
  if (unexpected !== undefined) {
    process.stderr.write(`${name}: unknown argument ${unexpected}\nusage: ${name} [${CHECK_CONFIG}]\n`);
    process.exit(2);
  }
  const prefix = `${name.toUpperCase()}_`;
  if (args.includes(CHECK_CONFIG)) {
    const { check } = main;
    const report = await checkConfig(
      prefix,
      [own, ...(main.alsoReads ?? [])],
      env,
      check && ((config: C) => check(config, logger(config))),
    );
    if (report.problems.length > 0) {
      process.stderr.write(`${new ConfigError(name, report.problems).message}\n`);
      process.exit(2);
    }
    process.stdout.write(`${name}: configuration ok\n${report.effective.join('\n')}\n`);
    process.exit(0);
  }

  let config: C;
  try {
    config = own.load(env);
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    process.stderr.write(`${err.message}\n`);
    process.exit(2);
  }
  const log = logger(config);
  for (const unknown of unknownVariables(env, prefix, Object.keys(own.schema.entries))) {
    log.warn({ variable: unknown.name, suggestion: unknown.suggestion }, `${describeUnknown(unknown)}; ignored`);
  }
  let running: RunningService | undefined;
  let admin: AdminServer | undefined;
  const openAdmin = async (retryMs: number) => {
    if (!main.admin) return;
    const address = main.admin(config);
    admin = await startAdminWithin(retryMs, {
      name,
      address,
      ready: () => running?.ready?.() ?? running !== undefined,
      stats: () => running?.stats?.() ?? {},
      metrics: () => running?.metrics?.(),
    });
    log.info({ address: `${address.slice(0, address.lastIndexOf(':'))}:${admin.port}` }, `${name} admin listening`);
  };
  try {
    if (!main.successor) await openAdmin(0);
    running = await start(config, log);
    if (main.successor) await openAdmin(10_000);
  } catch (err) {
    process.stderr.write(`${err instanceof Error ? err.message : String(err)}\n`);
    process.exit(1);
  }
  const service = running;
  compactWhenIdle({
    beforeCompact: () => service.beforeCompact?.(),
    onCompact: (compaction) => log.info(compactionFields(compaction), 'idle: heap compacted'),
  });
  let stopping = false;
  const onSignal = (signal: NodeJS.Signals) => {
    if (stopping) process.exit(130);
    stopping = true;
    const timer = setTimeout(() => process.exit(1), stopTimeoutMs(config));
    timer.unref();
    service.stop().then(
      async () => {
        await admin?.close();
        process.exit(0);
      },
      (err: unknown) => {
        process.stderr.write(`${name}: stop after ${signal} failed: ${String(err)}\n`);
        process.exit(1);
      },
    );
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  const { hangup } = main;
  process.on('SIGHUP', () => {
    if (stopping || hangup === undefined) return;
    stopping = true;
    hangup(service, log).then(
      async () => {
        await admin?.close();
        process.exit(0);
      },
      (err: unknown) => {
        stopping = false;
        log.warn({ err: String(err) }, `${name}: restart failed; this process keeps serving`);
      },
    );
  });
  process.on('SIGUSR2', () => {
    const memory = Object.fromEntries(
      Object.entries(process.memoryUsage()).map(([k, v]) => [k, Math.round(v / 1048576)]),
    );
    void Promise.resolve(service.stats?.()).then((stats) =>
      process.stdout.write(`${JSON.stringify({ service: name, msg: 'stats', ...stats, memoryMiB: memory })}\n`),
    );
  });
}
