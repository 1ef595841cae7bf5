import { execFileSync, spawn } from 'node:child_process';
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
  /** For OTEL_EXPORTER_OTLP_ENDPOINT. */
  readonly otlpHttp: string;
  readonly queryUrl: string;
  stop(): Promise<void>;
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
 * A real Jaeger v2 process (the binary tools/jaeger builds and caches) on free ports, with the repo's config, ready
 * when its query API answers.
 */
export async function startJaeger(): Promise<Jaeger> {
  const bin = execFileSync('bash', [join(ROOT, 'tools', 'jaeger', 'ensure-jaeger.sh')], { encoding: 'utf8' }).trim();
  const [otlpGrpc, otlpHttp, query, queryGrpc, health] = await Promise.all([
    freePort(),
    freePort(),
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
      // Jaeger's own tracer would export to the default OTLP port.
      OTEL_TRACES_EXPORTER: 'none',
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
    queryUrl,
    async stop() {
      if (child.exitCode === null) child.kill('SIGTERM');
      await exited;
    },
  };
}
