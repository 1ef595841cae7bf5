import { Socket } from 'node:net';
import { minorGcEvery, runService, type RunningService } from '@mono/runtime';
import {
  createLogger,
  mergeExpositions,
  parseExposition,
  prometheusText,
  shutdownTelemetry,
  type Logger,
} from '@mono/telemetry';
import { loadMetricsConfig, loadTelemetryConfig, metricsEnvSchema, telemetryEnvSchema } from '@mono/telemetry/sdk';
import { buildEdge, type Edge } from './app';
import { releaseFreeParsers } from './client-connections';
import { describeEdgeConfig, edgeEnvSchema, loadEdgeConfig, type EdgeConfig } from './config';
import { ConnectionBalance } from './connection-balance';
import { EdgeWorkers, WORKER_VARIABLE, type FromWorker, type ToWorker } from './edge-workers';
import { handOver, receiveListeners, reportTakeover, TAKEOVER_VARIABLE } from './handover';
import { mergeSnapshots } from './merge-snapshots';

const successor = process.env[TAKEOVER_VARIABLE] === '1';
delete process.env[TAKEOVER_VARIABLE];
/** This process's number among the edge's workers: 0 for the primary, which every other one was started by. */
const worker = Number(process.env[WORKER_VARIABLE] ?? 0);
delete process.env[WORKER_VARIABLE];
let edge: Edge | undefined;
let edgeWorkers: EdgeWorkers | undefined;
/** How long the edge's readiness (and a restart's takeover) waits for its workers to start; then it goes on without. */
const WORKERS_START_MS = 10_000;

void runService({
  name: 'edge',
  argv: process.argv,
  env: process.env,
  config: { schema: edgeEnvSchema, load: loadEdgeConfig, describe: describeEdgeConfig },
  alsoReads: [
    { schema: telemetryEnvSchema, load: loadTelemetryConfig },
    { schema: metricsEnvSchema, load: loadMetricsConfig },
  ],
  logger: (config) => {
    const log = createLogger('edge', config.logLevel);
    return worker === 0 ? log : log.child({ worker });
  },
  // A worker has none: the primary's admin listener answers for all of them.
  ...(worker === 0 ? { admin: (config: Readonly<EdgeConfig>) => config.admin } : {}),
  successor,
  stopTimeoutMs: (config) => config.shutdownGraceMs + 1_000,
  start: (config, log) => (worker === 0 ? startPrimary(config, log) : startWorker(config, log)),
  async hangup(service, log) {
    if (edge === undefined || worker !== 0) return;
    log.info('edge restarting: a new edge takes the listening sockets, this one drains');
    const pid = await handOver(edge.listeners, process.env);
    // From here the successor alone accepts: this edge's workers, too, take no new connection with the old config.
    edge.stopAccepting();
    await edgeWorkers?.stopAccepting();
    log.info({ successor: pid }, 'edge handed over');
    await service.stop();
  },
});

function url(host: string, port: number, scheme = 'http'): string {
  return `${scheme}://${host.includes(':') ? `[${host}]` : host}:${port}`;
}

/** The edge that holds the listening sockets (or takes them over on a restart), serves, and starts the workers. */
async function startPrimary(config: Readonly<EdgeConfig>, log: Logger): Promise<RunningService> {
  const ready = Promise.withResolvers<void>();
  // With workers, a new connection goes to the process holding the fewest (connection-balance.ts).
  const balance =
    config.workers > 1
      ? new ConnectionBalance({
          open: () => running.state.connections().open,
          report: (open) => workers.tellLoad(open, (n) => balance?.takenFrom(n) ?? 0),
          pass: (to, socket) => workers.pass(to, socket),
        })
      : undefined;
  const workers = new EdgeWorkers({
    log,
    env: process.env,
    onLoad: (n, open, taken) => balance?.heard(n, open, taken),
    // A worker that just began to accept holds next to nothing, and has not heard what this process holds: each may
    // pass the other connections from now on, not from their next reports, which then correct the counts.
    onServing: (n) => {
      balance?.heard(n, 0, 0);
      balance?.reportNow();
    },
    onConnection: (n, socket) => {
      running.adopt(socket);
      balance?.took(n);
    },
    onExit: (n) => balance?.forget(n),
    onUnsent: (socket) => running.adopt(socket),
  });
  edgeWorkers = workers;
  edge = buildEdge(config, {
    log,
    onBodyBytes: minorGcEvery(),
    onReady: () => ready.resolve(),
    balance,
  });
  const running = edge;
  // The workers start now, so that their start overlaps this one's, and wait for the listening sockets.
  workers.start(config.workers);
  const workersBy = Date.now() + WORKERS_START_MS;
  let port: number;
  try {
    if (successor) {
      // The predecessor alone accepts until this edge's pools serve, and its workers' do.
      await running.connect();
      await ready.promise;
      await workers.settled('asked', workersBy);
    }
    port = await running.listen(successor ? await receiveListeners(running.listeners) : undefined);
  } catch (err) {
    await workers.stop();
    throw err;
  }
  const address = url(config.host, port);
  const tlsPort = running.tlsPort;
  const https = tlsPort === undefined || config.tls === undefined ? undefined : url(config.tls.host, tlsPort, 'https');
  log.info({ address, https, successor, workers: config.workers }, 'edge listening');
  workers.listen(running.listeners);
  // Ready once every process accepts: clients that connect in a burst when it says so (or, on a restart, once the
  // predecessor stops accepting) are spread over all of them, not held for their lives by the one that was up first.
  let started = false;
  void Promise.all([ready.promise, workers.settled('serving', workersBy)]).then(() => {
    // Stopped meanwhile (its workers gone with it): never ready, and a successor leaves its predecessor serving.
    if (running.state.draining) return;
    started = true;
    log.info({ address }, 'stack ready');
    // The one line a person running `serve` waits for.
    if (!successor) process.stdout.write(`stack ready: ${address}\n`);
    else reportTakeover();
  });
  return {
    beforeCompact: releaseFreeParsers,
    async stats() {
      const own = running.state.snapshot();
      const { snapshots, workers: others } = await workers.stats();
      const primary = {
        worker: 0,
        pid: process.pid,
        state: 'serving',
        requests: own.requests,
        inFlight: own.inFlight,
        connections: own.connections.open,
      };
      return { ...mergeSnapshots(own, snapshots), workers: [primary, ...others], respawns: workers.respawns };
    },
    ...(config.workers > 1
      ? {
          async metrics() {
            const own = await prometheusText()?.();
            if (own === undefined) return undefined;
            const { live, retired } = await workers.metrics();
            return mergeExpositions([own, ...live].map(parseExposition), retired);
          },
        }
      : {}),
    ready: () => running.state.ready && started && !running.state.draining,
    async stop() {
      log.info('edge draining');
      balance?.stop();
      await Promise.all([running.shutdown(), workers.stop()]);
      await shutdownTelemetry(500);
    },
  };
}

/** A worker: once its pools serve, it takes the primary's listening sockets, serves, and answers for its counters. */
async function startWorker(config: Readonly<EdgeConfig>, log: Logger): Promise<RunningService> {
  const send = (message: FromWorker) => new Promise<void>((resolve) => process.send?.(message, () => resolve()));
  // A primary gone before this worker serves leaves it nothing to wait for; once it serves, it drains. Node emits
  // 'disconnect' only once every descriptor this worker sent was acknowledged, which a primary that died cannot do:
  // the reports, four times a second, notice the channel closed too.
  let orphaned: () => void = () => process.exit(0);
  process.once('disconnect', () => orphaned());
  const ready = Promise.withResolvers<void>();
  // A worker hears how many connections the primary holds, and passes a new one to it (only) when it holds fewer.
  const balance = new ConnectionBalance({
    open: () => running.state.connections().open,
    report: (open) => {
      if (process.connected) void send({ type: 'load', open, taken: balance.takenFrom(0) });
      else orphaned();
    },
    pass(_, socket) {
      if (!process.connected) return false;
      // A failed send has lost the connection (Node closed it); the callback keeps the error from crashing this.
      process.send?.({ type: 'connection' } satisfies FromWorker, socket, undefined, (err: Error | null) => {
        if (err) log.warn({ err: err.message }, 'edge worker: passing a connection to the primary failed');
      });
      return true;
    },
  });
  const running = buildEdge(config, {
    log,
    onBodyBytes: minorGcEvery(),
    onReady: () => ready.resolve(),
    balance,
  });
  await running.connect();
  await ready.promise;
  await running.listen(await receiveListeners(running.listeners));
  const metrics = async () => prometheusText()?.();
  // Asked to stop, or its primary gone (its IPC channel closed): it drains as on SIGTERM — once: a second signal
  // would make runService exit at once, and `serve`'s Ctrl-C reaches the workers as well as the primary.
  let signalled = false;
  for (const signal of ['SIGTERM', 'SIGINT'] as const) process.on(signal, () => (signalled = true));
  const stop = () => {
    if (!signalled) process.kill(process.pid, 'SIGTERM');
  };
  orphaned = stop;
  process.on('message', (message: ToWorker, handle: unknown) => {
    if (message.type === 'load') balance.heard(0, message.open, message.taken);
    else if (message.type === 'connection') {
      if (!(handle instanceof Socket)) return;
      running.adopt(handle);
      balance.took(0);
    } else if (message.type === 'stop') stop();
    else if (message.type === 'close') {
      running.stopAccepting();
      void send({ type: 'close', id: message.id });
    } else if (message.type === 'stats') void send({ type: 'stats', id: message.id, stats: running.state.snapshot() });
    else void metrics().then((text) => send({ type: 'metrics', id: message.id, text }));
  });
  void send({ type: 'ready', pid: process.pid });
  return {
    beforeCompact: releaseFreeParsers,
    stats: () => running.state.snapshot(),
    ready: () => running.state.ready && !running.state.draining,
    async stop() {
      log.info('edge worker draining');
      balance.stop();
      await running.shutdown();
      if (process.connected) await send({ type: 'final', stats: running.state.snapshot(), text: await metrics() });
      await shutdownTelemetry(500);
    },
  };
}
