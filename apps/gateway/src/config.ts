import {
  address,
  addresses,
  applyHostPort,
  count,
  describeConfig,
  duration,
  host,
  list,
  loadServiceConfig,
  logLevel,
  mountPath,
  oneAddress,
  pool,
  poolSettings,
  port,
  size,
  text,
  type Env,
  type ServiceConfigSpec,
} from '@mono/config';
import * as v from 'valibot';

const LISTEN = '127.0.0.1:50051';

/** The pool that GATEWAY_FRAMEWORK names and that a mount without its own pool uses. */
export const DEFAULT_POOL = 'framework';

/**
 * Every variable the gateway reads; README.md lists them (a test keeps the two in step). They override the service-wide
 * values of the configuration file (GATEWAY_CONFIG), never what a mount sets for itself (docs/adr/0005).
 */
export const gatewayEnvSchema = v.object({
  GATEWAY_CONFIG: text(undefined, 'The configuration file (YAML, infra/config/gateway.yaml); without it: defaults'),
  GATEWAY_LISTEN: oneAddress(
    undefined,
    "Where the gRPC server listens: host:port, [v6]:port or unix:/path (a Unix domain socket); default: the file's `listen`, else 127.0.0.1:50051",
  ),
  GATEWAY_HOST: host(
    '127.0.0.1',
    "Address the gRPC server binds (TCP: in place of the file's socket; ignored with GATEWAY_LISTEN)",
  ),
  GATEWAY_PORT: port(
    50_051,
    "gRPC port (0 picks a free one; TCP: in place of the file's socket; ignored with GATEWAY_LISTEN)",
  ),
  GATEWAY_ADMIN: text('127.0.0.1:9051', 'host:port of the admin listener: /healthz /readyz /stats /metrics'),
  GATEWAY_FRAMEWORK: addresses(
    '127.0.0.1:50061',
    'Comma-separated host:port (a DNS name: every address is a member) or unix:/path of the framework pool',
  ),
  GATEWAY_MOUNTS: list(
    '/',
    'Comma-separated mount points (uWSGI --mount), all on the framework pool; the longest match becomes SCRIPT_NAME',
    /^\/$|^(\/[^/?#%\s]+)+$/,
    'a mount is "/" or /segment[/segment…] without a trailing "/"',
  ),
  GATEWAY_MAX_CONCURRENCY: count(1_024, 'Requests in flight per mount at once', { min: 1 }),
  GATEWAY_MAX_QUEUE: count(1_024, 'Requests per mount that may wait for a slot; beyond: 503 + Retry-After'),
  GATEWAY_QUEUE_WAIT_MS: count(1_000, 'ms a request may wait for a slot; beyond: 503 + Retry-After; 0: no limit'),
  GATEWAY_TIMEOUT_MS: count(60_000, 'ms the framework has to send the response head; 0: only what the edge allows'),
  GATEWAY_IDLE_TIMEOUT_MS: count(60_000, 'Longest gap between two body chunks, ms; 0: only what the edge allows'),
  GATEWAY_MAX_DURATION_MS: count(0, 'Longest a request may run in all (uWSGI harakiri), ms; 0: no limit'),
  GATEWAY_MAX_HEADER_BYTES: count(
    65_536,
    "Largest request line + header section (uWSGI's buffer-size); 431 beyond (the edge refuses it first); 0: no limit",
  ),
  GATEWAY_MAX_BODY_BYTES: count(
    0,
    "Largest request body (uWSGI's limit-post); 413 beyond (the edge refuses it first); 0: no limit",
  ),
  GATEWAY_DEADLINE_MARGIN_MS: count(
    50,
    "ms of the head budget the gateway keeps; less 50 (at least 50): its wait past the framework's limit",
  ),
  GATEWAY_SHUTDOWN_GRACE_MS: count(30_000, 'ms that requests in flight get to finish after SIGTERM/SIGINT'),
  LOG_LEVEL: logLevel(),
});

/** A mount's admission: its requests in flight and its queue. */
const admission = {
  inFlight: v.optional(v.pipe(v.number(), v.integer(), v.minValue(1))),
  queue: v.optional(v.pipe(v.number(), v.integer(), v.minValue(0))),
  queueWait: v.optional(duration()),
};
const limits = v.strictObject(admission);
/**
 * The service-wide limits: every mount's admission, and what the gateway takes of any request (uWSGI's buffer-size and
 * limit-post, for the gateway as a whole: the edges hear the smallest of these and its frameworks', docs/adr/0014).
 */
const serviceLimits = v.strictObject({ ...admission, headers: size(65_536), body: size(0) });

const gatewayFile = v.strictObject({
  listen: v.optional(address(), LISTEN),
  admin: v.optional(address(), '127.0.0.1:9051'),
  pools: v.optional(v.record(v.pipe(v.string(), v.regex(/^[a-z][a-z0-9-]*$/, 'a pool name: a-z, 0-9, -')), pool()), {
    [DEFAULT_POOL]: { servers: '127.0.0.1:50061' },
  }),
  limits: v.optional(serviceLimits, {}),
  mounts: v.optional(
    v.array(
      v.strictObject({
        path: mountPath(),
        pool: v.optional(v.string(), DEFAULT_POOL),
        /** The application at the framework that serves the mount; "" is its default one. */
        app: v.optional(
          v.pipe(
            v.string(),
            v.regex(/^$|^[a-z][a-z0-9-]*$/, 'an application name, as the framework hosts it: a-z, 0-9, -'),
          ),
          '',
        ),
        limits: v.optional(limits, {}),
      }),
    ),
    [{ path: '/' }],
  ),
  timeouts: v.optional(
    v.strictObject({
      head: duration(60_000),
      idle: duration(60_000),
      maxDuration: duration(0),
      margin: duration(50),
    }),
    {},
  ),
  drain: v.optional(v.strictObject({ grace: duration(30_000) }), {}),
  log: v.optional(v.picklist(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']), 'info'),
});

/** The file (infra/config/gateway.yaml documents every setting). */
export const gatewayFileSchema = v.pipe(
  gatewayFile,
  v.check((file) => file.mounts.every((m) => m.pool in file.pools), 'a mount names a pool that pools does not define'),
  v.check(
    (file) => new Set(file.mounts.map((m) => m.path)).size === file.mounts.length,
    'two mounts have the same path',
  ),
  v.transform(resolve),
);

export type GatewayConfig = v.InferOutput<typeof gatewayFileSchema>;
export type MountConfig = GatewayConfig['mounts'][number];

export const gatewayConfigSpec: ServiceConfigSpec<typeof gatewayFileSchema, typeof gatewayEnvSchema> = {
  service: 'gateway',
  file: gatewayFileSchema,
  env: gatewayEnvSchema,
  applyEnv(file, set) {
    const listen = (file['listen'] as string | undefined) ?? LISTEN;
    file['listen'] =
      set.GATEWAY_LISTEN ??
      applyHostPort(listen, set.GATEWAY_HOST, set.GATEWAY_PORT, { host: '127.0.0.1', port: 50_051 });
    if (set.GATEWAY_ADMIN !== undefined) file['admin'] = set.GATEWAY_ADMIN;
    if (set.GATEWAY_FRAMEWORK !== undefined) {
      const pools = { ...(file['pools'] as Record<string, Record<string, unknown>> | undefined) };
      pools[DEFAULT_POOL] = { ...pools[DEFAULT_POOL], servers: set.GATEWAY_FRAMEWORK };
      file['pools'] = pools;
    }
    if (set.GATEWAY_MOUNTS !== undefined) file['mounts'] = set.GATEWAY_MOUNTS.map((path) => ({ path }));
    const fileLimits = { ...(file['limits'] as Record<string, unknown> | undefined) };
    if (set.GATEWAY_MAX_CONCURRENCY !== undefined) fileLimits['inFlight'] = set.GATEWAY_MAX_CONCURRENCY;
    if (set.GATEWAY_MAX_QUEUE !== undefined) fileLimits['queue'] = set.GATEWAY_MAX_QUEUE;
    if (set.GATEWAY_QUEUE_WAIT_MS !== undefined) fileLimits['queueWait'] = set.GATEWAY_QUEUE_WAIT_MS;
    if (set.GATEWAY_MAX_HEADER_BYTES !== undefined) fileLimits['headers'] = set.GATEWAY_MAX_HEADER_BYTES;
    if (set.GATEWAY_MAX_BODY_BYTES !== undefined) fileLimits['body'] = set.GATEWAY_MAX_BODY_BYTES;
    file['limits'] = fileLimits;
    const timeouts = { ...(file['timeouts'] as Record<string, unknown> | undefined) };
    if (set.GATEWAY_TIMEOUT_MS !== undefined) timeouts['head'] = set.GATEWAY_TIMEOUT_MS;
    if (set.GATEWAY_IDLE_TIMEOUT_MS !== undefined) timeouts['idle'] = set.GATEWAY_IDLE_TIMEOUT_MS;
    if (set.GATEWAY_MAX_DURATION_MS !== undefined) timeouts['maxDuration'] = set.GATEWAY_MAX_DURATION_MS;
    if (set.GATEWAY_DEADLINE_MARGIN_MS !== undefined) timeouts['margin'] = set.GATEWAY_DEADLINE_MARGIN_MS;
    file['timeouts'] = timeouts;
    if (set.GATEWAY_SHUTDOWN_GRACE_MS !== undefined) file['drain'] = { grace: set.GATEWAY_SHUTDOWN_GRACE_MS };
    if (set.LOG_LEVEL !== undefined) file['log'] = set.LOG_LEVEL;
  },
};

export function loadGatewayConfig(env: Env): Readonly<GatewayConfig> {
  return loadServiceConfig(gatewayConfigSpec, env);
}

/** The effective configuration as `--check-config` prints it (nginx -T). */
export function describeGatewayConfig(config: Readonly<GatewayConfig>): string {
  return describeConfig(config);
}

type FileOutput = v.InferOutput<typeof gatewayFile>;

/** The file as the service uses it: mounts inherit the service-wide limits and are sorted longest first. */
function resolve(file: FileOutput) {
  return {
    listen: file.listen,
    admin: file.admin,
    pools: Object.fromEntries(Object.entries(file.pools).map(([name, p]) => [name, poolSettings(p)])),
    mounts: file.mounts
      .map((mount) => ({
        path: mount.path === '/' ? '' : mount.path,
        pool: mount.pool,
        app: mount.app,
        limits: {
          maxInFlight: mount.limits.inFlight ?? file.limits.inFlight ?? 1_024,
          maxQueue: mount.limits.queue ?? file.limits.queue ?? 1_024,
          maxWaitMs: mount.limits.queueWait ?? file.limits.queueWait ?? 1_000,
        },
      }))
      .sort((a, b) => b.path.length - a.path.length),
    maxHeaderBytes: file.limits.headers,
    maxBodyBytes: file.limits.body,
    timeoutMs: file.timeouts.head,
    idleTimeoutMs: file.timeouts.idle,
    maxDurationMs: file.timeouts.maxDuration,
    deadlineMarginMs: file.timeouts.margin,
    shutdownGraceMs: file.drain.grace,
    logLevel: file.log,
  };
}
