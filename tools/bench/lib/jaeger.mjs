// The Jaeger the traced configurations export to: the repo's binary and config, its span counter exposed.
import { execFileSync } from 'node:child_process';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { ProcessGroup } from './processes.mjs';

const ROOT = join(import.meta.dirname, '..', '..', '..');

/** @returns {Promise<number>} */
function freePort() {
  return new Promise((resolve) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const { port } = /** @type {import('node:net').AddressInfo} */ (server.address());
      server.close(() => resolve(port));
    });
  });
}

export async function startJaeger() {
  const bin = execFileSync('bash', [join(ROOT, 'tools', 'jaeger', 'ensure-jaeger.sh')], { encoding: 'utf8' }).trim();
  const [otlpGrpc, otlpHttp, query, queryGrpc, health, metrics] = await Promise.all(
    Array.from({ length: 6 }, freePort),
  );
  const group = new ProcessGroup();
  const child = group.spawn(bin, ['--config', join(ROOT, 'infra', 'jaeger', 'config.yaml')], {
    env: {
      OTEL_TRACES_EXPORTER: 'none',
      JAEGER_LOG_LEVEL: 'warn',
      JAEGER_METRICS_LEVEL: 'basic',
      JAEGER_MAX_TRACES: '2000000',
      JAEGER_OTLP_GRPC_PORT: String(otlpGrpc),
      JAEGER_OTLP_HTTP_PORT: String(otlpHttp),
      JAEGER_QUERY_PORT: String(query),
      JAEGER_QUERY_GRPC_PORT: String(queryGrpc),
      JAEGER_HEALTH_PORT: String(health),
      JAEGER_METRICS_PORT: String(metrics),
    },
  });
  for (let i = 0; i < 300; i += 1) {
    try {
      if ((await fetch(`http://127.0.0.1:${query}/api/services`)).ok) break;
    } catch {
      // starting
    }
    await sleep(100);
  }
  /** Spans Jaeger's OTLP receiver accepted so far. */
  const accepted = async () => {
    const text = await (await fetch(`http://127.0.0.1:${metrics}/metrics`)).text();
    let total = 0;
    for (const line of text.split('\n')) {
      if (line.startsWith('otelcol_receiver_accepted_spans')) total += Number(line.slice(line.lastIndexOf(' ') + 1));
    }
    return total;
  };
  return {
    otlpHttp: `http://127.0.0.1:${otlpHttp}`,
    pids: () => group.pids(),
    pid: child.pid,
    accepted,
    /**
     * Waits until the count has not moved for `quietMs`, at most `limitMs`. Services export every 0.5 s, and a service
     * whose export failed keeps its spans and sends them again 1 s later, then 2 s after that
     * (libs/telemetry's BufferingExporter): a quiet second could fall between a failure and its retry.
     */
    async settledAccepted({ quietMs = 3_000, limitMs = 30_000 } = {}) {
      let last = await accepted();
      let quietSince = Date.now();
      const deadline = quietSince + limitMs;
      while (Date.now() < deadline) {
        await sleep(500);
        const now = await accepted();
        if (now !== last) {
          last = now;
          quietSince = Date.now();
        } else if (Date.now() - quietSince >= quietMs) return now;
      }
      return last;
    },
    stop: () => group.stop(),
  };
}
