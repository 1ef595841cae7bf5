import { count, host, list, loadConfig, logLevel, oneAddress, port, type Env } from '@mono/config';
import * as v from 'valibot';

/** Every variable the gateway reads; README.md lists them (a test keeps the two in step). */
export const gatewayEnvSchema = v.object({
  GATEWAY_HOST: host('127.0.0.1', 'Address the gRPC server binds'),
  GATEWAY_PORT: port(50_051, 'gRPC port (0 picks a free one)'),
  GATEWAY_FRAMEWORK: oneAddress(
    '127.0.0.1:50061',
    'host:port of the framework service (one address: pools of framework instances are not supported yet)',
    'expected one host:port: the gateway calls a single framework instance (pools are not supported yet)',
  ),
  GATEWAY_MOUNTS: list(
    '/',
    'Comma-separated mount points (uWSGI --mount); the longest match becomes SCRIPT_NAME',
    /^\/$|^(\/[^/?#%\s]+)+$/,
    'a mount is "/" or /segment[/segment…] without a trailing "/"',
  ),
  GATEWAY_MAX_CONCURRENCY: count(1_024, 'Requests in flight to the framework at once', { min: 1 }),
  GATEWAY_MAX_QUEUE: count(1_024, 'Requests that may wait for a slot; beyond it: 503 with Retry-After'),
  GATEWAY_TIMEOUT_MS: count(60_000, 'Longest a request may run (uWSGI harakiri), ms; 0: only the edge deadline'),
  GATEWAY_DEADLINE_MARGIN_MS: count(20, 'ms of its deadline the gateway keeps for itself when calling the framework'),
  GATEWAY_SHUTDOWN_GRACE_MS: count(10_000, 'ms that requests in flight get to finish after SIGTERM/SIGINT'),
  LOG_LEVEL: logLevel(),
});

export const gatewayConfigSchema = v.pipe(
  gatewayEnvSchema,
  v.transform((env) => ({
    host: env.GATEWAY_HOST,
    port: env.GATEWAY_PORT,
    framework: env.GATEWAY_FRAMEWORK,
    mounts: env.GATEWAY_MOUNTS.map((m) => (m === '/' ? '' : m)).sort((a, b) => b.length - a.length),
    maxConcurrency: env.GATEWAY_MAX_CONCURRENCY,
    maxQueue: env.GATEWAY_MAX_QUEUE,
    timeoutMs: env.GATEWAY_TIMEOUT_MS,
    deadlineMarginMs: env.GATEWAY_DEADLINE_MARGIN_MS,
    shutdownGraceMs: env.GATEWAY_SHUTDOWN_GRACE_MS,
    logLevel: env.LOG_LEVEL,
  })),
);

export type GatewayConfig = v.InferOutput<typeof gatewayConfigSchema>;

export function loadGatewayConfig(env: Env): Readonly<GatewayConfig> {
  return loadConfig('gateway', gatewayConfigSchema, env);
}
