import { addresses, count, flag, host, loadConfig, logLevel, port, text, type Env } from '@mono/config';
import * as v from 'valibot';

/** Every variable the edge reads; README.md lists them (a test keeps the two in step). */
export const edgeEnvSchema = v.object({
  EDGE_HOST: host('127.0.0.1', 'Address the HTTP server binds'),
  EDGE_PORT: port(8_080, 'HTTP port (0 picks a free one)'),
  EDGE_GATEWAYS: addresses('127.0.0.1:50051', 'Comma-separated host:port of gateway instances, balanced round-robin'),
  EDGE_MAX_BODY_BYTES: count(1 << 30, 'Largest request body (client_max_body_size); 413 beyond; 0: no limit'),
  EDGE_MAX_HEADER_BYTES: count(16_384, 'Largest request line + header section; 431 (or 414) beyond', {
    min: 1_024,
    max: 1 << 20,
  }),
  EDGE_HEADER_TIMEOUT_MS: count(60_000, 'ms to receive the header section (client_header_timeout); 408 beyond', {
    min: 1,
  }),
  EDGE_REQUEST_TIMEOUT_MS: count(300_000, 'ms to receive the whole request; 408 beyond; 0: no limit'),
  EDGE_UPSTREAM_TIMEOUT_MS: count(
    60_000,
    'Deadline for a response to complete, sent down the stack; 504 beyond; 0: none',
  ),
  EDGE_KEEPALIVE_TIMEOUT_MS: count(75_000, 'ms an idle client connection stays open (keepalive_timeout)'),
  EDGE_FAIL_TIMEOUT_MS: count(10_000, 'ms a gateway that failed is skipped while others are up (fail_timeout)'),
  EDGE_ACCESS_LOG: flag(true, 'One JSON access-log line per request'),
  EDGE_HEALTH_PATH: text('/_edge/health', 'Path the edge answers itself with its health (200, or 503 while draining)'),
  EDGE_HEALTH_QUIET: flag(
    true,
    'Health checks get no span and no access-log line (false: traced and logged like any request)',
  ),
  EDGE_TRACE_INCOMING: v.pipe(
    v.optional(v.picklist(['continue', 'link']), 'continue'),
    v.description("A client's traceparent: continue its trace, or (untrusted clients) start a new one linked to it"),
  ),
  EDGE_SHUTDOWN_GRACE_MS: count(10_000, 'ms that requests in flight get to finish after SIGTERM/SIGINT'),
  LOG_LEVEL: logLevel(),
});

export const edgeConfigSchema = v.pipe(
  edgeEnvSchema,
  v.transform((env) => ({
    host: env.EDGE_HOST,
    port: env.EDGE_PORT,
    gateways: env.EDGE_GATEWAYS,
    maxBodyBytes: env.EDGE_MAX_BODY_BYTES,
    maxHeaderBytes: env.EDGE_MAX_HEADER_BYTES,
    headerTimeoutMs: env.EDGE_HEADER_TIMEOUT_MS,
    requestTimeoutMs: env.EDGE_REQUEST_TIMEOUT_MS,
    upstreamTimeoutMs: env.EDGE_UPSTREAM_TIMEOUT_MS,
    keepAliveTimeoutMs: env.EDGE_KEEPALIVE_TIMEOUT_MS,
    failTimeoutMs: env.EDGE_FAIL_TIMEOUT_MS,
    accessLog: env.EDGE_ACCESS_LOG,
    healthPath: env.EDGE_HEALTH_PATH as string,
    healthQuiet: env.EDGE_HEALTH_QUIET,
    traceIncoming: env.EDGE_TRACE_INCOMING,
    shutdownGraceMs: env.EDGE_SHUTDOWN_GRACE_MS,
    logLevel: env.LOG_LEVEL,
  })),
);

export type EdgeConfig = v.InferOutput<typeof edgeConfigSchema>;

export function loadEdgeConfig(env: Env): Readonly<EdgeConfig> {
  return loadConfig('edge', edgeConfigSchema, env);
}
