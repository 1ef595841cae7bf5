import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { freePort } from './free-port';
import { ROOT } from './service-process';

/** Jaeger's view of one trace (`/api/traces/<id>`). */
export interface JaegerTrace {
  traceID: string;
  spans: JaegerSpan[];
  processes: Record<string, { serviceName: string }>;
}

export interface JaegerSpan {
  traceID: string;
  spanID: string;
  operationName: string;
  references: Array<{ refType: string; traceID: string; spanID: string }>;
  startTime: number;
  duration: number;
  processID: string;
  tags: Array<{ key: string; value: unknown }>;
}

/** Jaeger's HTTP query API. */
export interface JaegerApi {
  trace(traceId: string): Promise<JaegerTrace | undefined>;
  /** Trace ids of a service's traces that carry `tag=value`. */
  search(service: string, tag: string, value: string): Promise<string[]>;
  /** Polls until the trace holds at least `spans` spans (export is batched and asynchronous). */
  completeTrace(traceId: string, spans: number, timeoutMs?: number): Promise<JaegerTrace>;
}

export interface Jaeger extends JaegerApi {
  /** For OTEL_EXPORTER_OTLP_ENDPOINT (http/protobuf, http/json). */
  readonly otlpHttp: string;
  /** For OTEL_EXPORTER_OTLP_ENDPOINT with OTEL_EXPORTER_OTLP_PROTOCOL=grpc. */
  readonly otlpGrpc: string;
  /** The UI and the query API. */
  readonly queryUrl: string;
  /** Whether it serves the Jaeger UI (tools/jaeger/ensure-ui.sh found its assets), not a placeholder page. */
  readonly ui: boolean;
  stop(): Promise<void>;
}

export interface JaegerOptions {
  /** The OTLP/HTTP port, e.g. one that services were told to export to before Jaeger came up; free by default. */
  otlpHttpPort?: number;
}

export function jaegerApi(queryUrl: string): JaegerApi {
  const api: JaegerApi = {
    async trace(traceId) {
      const res = await fetch(`${queryUrl}/api/traces/${traceId}`);
      if (res.status === 404) return undefined;
      const body = (await res.json()) as { data?: JaegerTrace[] };
      return body.data?.[0];
    },
    async search(service, tag, value) {
      const params = new URLSearchParams({
        service,
        tags: JSON.stringify({ [tag]: value }),
        limit: '20',
        lookback: '1h',
      });
      const body = (await (await fetch(`${queryUrl}/api/traces?${params}`)).json()) as { data?: JaegerTrace[] };
      return (body.data ?? []).map((t) => t.traceID);
    },
    async completeTrace(traceId, spans, timeoutMs = 20_000) {
      const deadline = Date.now() + timeoutMs;
      let last: JaegerTrace | undefined;
      while (Date.now() < deadline) {
        last = await api.trace(traceId);
        if (last && last.spans.length >= spans) {
          await sleep(300);
          return (await api.trace(traceId)) as JaegerTrace;
        }
        await sleep(100);
      }
      throw new Error(`trace ${traceId} has ${last?.spans.length ?? 0} of ${spans} spans after ${timeoutMs} ms`);
    },
  };
  return api;
}

/**
 * A real Jaeger v2 process (the binary tools/jaeger builds and caches) on free ports, with the repo's config and the
 * Jaeger UI when its assets are at hand, ready when its query API answers.
 */
export async function startJaeger({ otlpHttpPort }: JaegerOptions = {}): Promise<Jaeger> {
  const tool = (script: string) => join(ROOT, 'tools', 'jaeger', script);
  const bin = execFileSync('bash', [tool('ensure-jaeger.sh')], { encoding: 'utf8' }).trim();
  const assets = spawnSync('bash', [tool('ensure-ui.sh')], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
  const uiPath = assets.status === 0 ? assets.stdout.trim() : '';
  const [otlpGrpc, otlpHttp, query, queryGrpc, health] = await Promise.all([
    freePort(),
    otlpHttpPort ?? freePort(),
    freePort(),
    freePort(),
    freePort(),
  ]);
  const child = spawn(bin, ['--config', join(ROOT, 'infra', 'jaeger', 'config.yaml')], {
    env: {
      ...process.env,
      JAEGER_OTLP_GRPC_PORT: String(otlpGrpc),
      JAEGER_OTLP_HTTP_PORT: String(otlpHttp),
      JAEGER_QUERY_PORT: String(query),
      JAEGER_QUERY_GRPC_PORT: String(queryGrpc),
      JAEGER_HEALTH_PORT: String(health),
      JAEGER_LOG_LEVEL: 'warn',
      JAEGER_UI_ASSETS_PATH: uiPath,
    },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const exited = new Promise<void>((resolve) => child.on('exit', () => resolve()));
  const queryUrl = `http://127.0.0.1:${query}`;
  const started = Date.now();
  for (;;) {
    if (child.exitCode !== null) throw new Error(`jaeger exited: ${stderr}`);
    try {
      if ((await fetch(`${queryUrl}/api/services`)).ok) break;
    } catch {
      // not listening yet
    }
    if (Date.now() - started > 30_000) throw new Error(`jaeger did not answer within 30 s: ${stderr}`);
    await sleep(100);
  }
  return {
    ...jaegerApi(queryUrl),
    otlpHttp: `http://127.0.0.1:${otlpHttp}`,
    otlpGrpc: `http://127.0.0.1:${otlpGrpc}`,
    queryUrl,
    ui: uiPath !== '',
    async stop() {
      if (child.exitCode === null) child.kill('SIGTERM');
      await exited;
    },
  };
}
