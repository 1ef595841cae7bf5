import { minorGcEvery, runService } from '@mono/runtime';
import { createLogger, shutdownTelemetry } from '@mono/telemetry';
import { loadMetricsConfig, loadTelemetryConfig, metricsEnvSchema, telemetryEnvSchema } from '@mono/telemetry/sdk';
import { buildEdge, type Edge } from './app';
import { describeEdgeConfig, edgeEnvSchema, loadEdgeConfig } from './config';
import { handOver, receiveListeners, reportTakeover, TAKEOVER_VARIABLE } from './handover';

const successor = process.env[TAKEOVER_VARIABLE] === '1';
delete process.env[TAKEOVER_VARIABLE];
let edge: Edge | undefined;

void runService({
  name: 'edge',
  argv: process.argv,
  env: process.env,
  config: { schema: edgeEnvSchema, load: loadEdgeConfig, describe: describeEdgeConfig },
  alsoReads: [
    { schema: telemetryEnvSchema, load: loadTelemetryConfig },
    { schema: metricsEnvSchema, load: loadMetricsConfig },
  ],
  logger: (config) => createLogger('edge', config.logLevel),
  admin: (config) => config.admin,
  successor,
  stopTimeoutMs: (config) => config.shutdownGraceMs + 1_000,
  async start(config, log) {
    const url = (port: number, host = config.host, scheme = 'http') =>
      `${scheme}://${host.includes(':') ? `[${host}]` : host}:${port}`;
    const ready = Promise.withResolvers<void>();
    edge = buildEdge(config, { log, onBodyBytes: minorGcEvery(), onReady: () => ready.resolve() });
    const running = edge;
    if (successor) {
      // The predecessor alone accepts until this edge's pools serve.
      await running.connect();
      await ready.promise;
    }
    const port = await running.listen(successor ? await receiveListeners() : undefined);
    const address = url(port);
    const tlsPort = running.tlsPort;
    const https =
      tlsPort === undefined || config.tls === undefined ? undefined : url(tlsPort, config.tls.host, 'https');
    log.info({ address, https, successor }, 'edge listening');
    void ready.promise.then(() => {
      log.info({ address }, 'stack ready');
      // The one line a person running `serve` waits for.
      if (!successor) process.stdout.write(`stack ready: ${address}\n`);
      else reportTakeover();
    });
    return {
      stats: () => running.state.snapshot(),
      ready: () => running.state.ready && !running.state.draining,
      async stop() {
        log.info('edge draining');
        await running.shutdown();
        await shutdownTelemetry(500);
      },
    };
  },
  async hangup(service, log) {
    if (edge === undefined) return;
    log.info('edge restarting: a new edge takes the listening sockets, this one drains');
    const pid = await handOver(edge.listeners, process.env);
    log.info({ successor: pid }, 'edge handed over');
    await service.stop();
  },
});
