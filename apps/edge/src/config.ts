import { realpathSync, statSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { dirname, resolve as resolvePath } from 'node:path';
import {
  address,
  addresses,
  count,
  describeConfig,
  duration,
  flag,
  host,
  isUnix,
  joinHostPort,
  loadServiceConfig,
  logLevel,
  pool,
  poolSettings,
  port,
  size,
  splitHostPort,
  text,
  type Env,
  type ServiceConfigSpec,
} from '@mono/config';
import * as v from 'valibot';
import { cidr, headerFields, serverName } from './edge-file-types';
import { compressionSection } from './compression-config';
import { tlsSection } from './tls-config';

/** The pool that EDGE_GATEWAYS names and that a location without its own pool uses. */
export const DEFAULT_POOL = 'gateways';

/**
 * Every variable the edge reads; README.md lists them (a test keeps the two in step). They override the service-wide
 * values of the configuration file (EDGE_CONFIG), never what a location sets for itself (docs/adr/0005).
 */
export const edgeEnvSchema = v.object({
  EDGE_CONFIG: text(undefined, 'The configuration file (YAML, infra/config/edge.yaml); without it: defaults'),
  EDGE_HOST: host('127.0.0.1', 'Address the HTTP server binds'),
  EDGE_PORT: port(8_080, 'HTTP port (0 picks a free one)'),
  EDGE_ADMIN: text('127.0.0.1:9080', 'host:port of the admin listener: /healthz /readyz /stats /metrics'),
  EDGE_WORKERS: v.pipe(
    v.optional(v.union([v.literal('auto'), v.pipe(v.string(), v.regex(/^[1-9][0-9]?$/, 'auto or 1 to 99'))])),
    v.description('Processes that accept and serve clients (worker_processes): a number, or auto (one per CPU)'),
  ),
  EDGE_GATEWAYS: addresses(
    '127.0.0.1:50051',
    'Comma-separated host:port (a DNS name: every address is a member) or unix:/path of the gateway pool',
  ),
  EDGE_MAX_BODY_BYTES: count(1 << 20, 'Largest request body (client_max_body_size); 413 beyond; 0: no limit'),
  EDGE_MAX_HEADER_BYTES: count(16_384, 'Largest request line + header section; 431 (or 414) beyond', {
    min: 1_024,
    max: 1 << 20,
  }),
  EDGE_HEADER_TIMEOUT_MS: count(60_000, 'ms to receive the header section (client_header_timeout); 408 beyond', {
    min: 1,
  }),
  EDGE_REQUEST_TIMEOUT_MS: count(300_000, 'ms to receive the whole request; 408 beyond; 0: no limit'),
  EDGE_BODY_TIMEOUT_MS: count(
    60_000,
    'ms between two reads of a request body (client_body_timeout); 408 beyond (the connection then closes); 0: none',
  ),
  EDGE_BODY_BUFFER_BYTES: count(
    65_536,
    'A request body up to this size is read whole before it is forwarded (client_body_buffer_size); 0: stream at once',
  ),
  EDGE_UPSTREAM_HEAD_TIMEOUT_MS: count(
    60_000,
    'ms until the response head, passed down so that the innermost layer times out first; 504 beyond; 0: none',
  ),
  EDGE_UPSTREAM_IDLE_TIMEOUT_MS: count(
    60_000,
    'Longest gap between two body chunks in either direction (proxy_read_timeout); 504 beyond; 0: none',
  ),
  EDGE_RETRY_BODY_BYTES: count(1 << 20, 'Request-body bytes kept for a retry until a gateway accepted the request'),
  EDGE_KEEPALIVE_TIMEOUT_MS: count(75_000, 'ms an idle client connection stays open (keepalive_timeout)'),
  EDGE_MAX_CONNECTIONS: count(
    10_000,
    'Client connections open at once, per listener; new ones beyond are refused at once',
    {
      min: 1,
    },
  ),
  EDGE_TLS_PORT: port(
    8_443,
    'HTTPS port (HTTP/2 and HTTP/1.1), on the tls listen host or EDGE_HOST; needs a certificate',
  ),
  EDGE_TLS_CERT: text(
    undefined,
    'PEM certificate (with its chain) of the HTTPS listener; with EDGE_TLS_KEY, turns it on',
  ),
  EDGE_TLS_KEY: text(undefined, 'PEM private key of the HTTPS listener'),
  EDGE_FAIL_TIMEOUT_MS: count(10_000, 'ms a gateway that failed stays out before one trial request (fail_timeout)'),
  EDGE_ACCESS_LOG: flag(true, 'One access-log line per request, to standard output'),
  EDGE_ACCESS_LOG_FORMAT: v.pipe(
    v.optional(v.picklist(['json', 'combined']), 'json'),
    v.description("The access log's format: json (one object a line) or combined (nginx's, plus time and ids)"),
  ),
  EDGE_SERVER_NAMES: v.pipe(
    v.optional(v.pipe(v.string(), v.transform(splitList), v.array(serverName()))),
    v.description('Comma-separated host names this edge serves (server_name); any other Host gets 421; *: any'),
  ),
  EDGE_TRUSTED_PROXIES: v.pipe(
    v.optional(v.pipe(v.string(), v.transform(splitList), v.array(cidr()))),
    v.description('Comma-separated CIDRs whose X-Forwarded-*, Forwarded and X-Request-Id are believed (nginx realip)'),
  ),
  EDGE_HEALTH_PATH: text('/_edge/health', 'Path the edge answers itself with its health (200, or 503 while draining)'),
  EDGE_HEALTH_QUIET: flag(
    true,
    'Health checks get no span and no access-log line (false: traced and logged like any request)',
  ),
  EDGE_TRACE_INCOMING: v.pipe(
    v.optional(v.picklist(['continue', 'link']), 'continue'),
    v.description("A client's traceparent: continue its trace, or (untrusted clients) start a new one linked to it"),
  ),
  EDGE_SHUTDOWN_GRACE_MS: count(30_000, 'ms that requests in flight get to finish after SIGTERM/SIGINT'),
  LOG_LEVEL: logLevel(),
});

const locationLimits = v.strictObject({ body: v.optional(size()) });
const REDIRECT_STATUSES = [301, 302, 303, 307, 308] as const;
const redirect = v.strictObject({
  /** The Location; `$scheme`, `$host` and `$request_uri` are replaced (nginx's `return 301 https://$host$request_uri`). */
  to: v.pipe(v.string(), v.regex(/^[\x21-\x7e]+$/, 'a redirect target is visible ASCII without spaces')),
  status: v.optional(v.picklist(REDIRECT_STATUSES, 'a redirect status is 301, 302, 303, 307 or 308'), 301),
});
/** add_header and proxy_set_header: fields added to the location's responses, and set on its proxied requests. */
const locationHeaders = v.strictObject({
  response: v.optional(headerFields(), {}),
  request: v.optional(headerFields(), {}),
});
const locationTimeouts = v.strictObject({ head: v.optional(duration()), idle: v.optional(duration()) });

const edgeFile = v.strictObject({
  listen: v.optional(tcpAddress(), '127.0.0.1:8080'),
  admin: v.optional(address(), '127.0.0.1:9080'),
  /** worker_processes: processes that accept from the same listening sockets and serve; auto: one per CPU. */
  workers: v.optional(
    v.union(
      [
        v.literal('auto'),
        v.pipe(
          v.number(),
          v.integer('auto or 1 to 99'),
          v.minValue(1, 'auto or 1 to 99'),
          v.maxValue(99, 'auto or 1 to 99'),
        ),
      ],
      'auto or 1 to 99',
    ),
    1,
  ),
  /** server_name: the hosts this edge serves; any other Host gets 421 (a catch-all default_server). [] or *: any. */
  servers: v.optional(v.array(serverName()), []),
  /** set_real_ip_from: peers whose X-Forwarded-*, Forwarded and X-Request-Id are believed. */
  trustedProxies: v.optional(v.array(cidr()), []),
  /** Clients that get a Server-Timing header; by default the trusted proxies. */
  serverTiming: v.optional(v.array(cidr())),
  pools: v.optional(v.record(v.pipe(v.string(), v.regex(/^[a-z][a-z0-9-]*$/, 'a pool name: a-z, 0-9, -')), pool()), {
    [DEFAULT_POOL]: { servers: '127.0.0.1:50051' },
  }),
  /** What the edge accepts from clients (nginx's client_* directives). */
  client: v.optional(
    v.strictObject({
      maxHeaderBytes: v.optional(v.pipe(size(), v.minValue(1_024), v.maxValue(1 << 20)), 16_384),
      headerTimeout: duration(60_000),
      requestTimeout: duration(300_000),
      /** Between two reads of a request body (client_body_timeout): 408 beyond. */
      bodyTimeout: duration(60_000),
      /**
       * A request body up to this size is read whole before it is forwarded (client_body_buffer_size), so that a
       * slow small upload holds no application slot; a larger one, or the rest of one of unknown length, streams.
       */
      bodyBuffer: size(65_536),
      keepAliveTimeout: duration(75_000),
      /** Client connections open at once, per listener (worker_connections); new ones beyond are closed at once. */
      maxConnections: v.optional(v.pipe(v.number(), v.integer(), v.minValue(1)), 10_000),
    }),
    {},
  ),
  /** The service-wide defaults of every location. */
  limits: v.optional(v.strictObject({ body: size(1 << 20) }), {}),
  timeouts: v.optional(v.strictObject({ head: duration(60_000), idle: duration(60_000) }), {}),
  retry: v.optional(v.strictObject({ body: size(1 << 20) }), {}),
  locations: v.optional(
    v.array(
      v.strictObject({
        /** A prefix (the longest matching one wins), or with `exact: true` the whole path. */
        path: v.pipe(v.string(), v.startsWith('/', 'a location path starts with "/"')),
        exact: v.optional(v.boolean(), false),
        /** Where the location's requests go: a pool (by default `gateways`), a redirect, or files (root or alias). */
        pool: v.optional(v.string()),
        redirect: v.optional(redirect),
        /** Files under this directory, the whole path appended (nginx's `root`); relative to the file's directory. */
        root: v.optional(v.pipe(v.string(), v.minLength(1))),
        /** Files under this directory, the path below the location appended (nginx's `alias`). */
        alias: v.optional(v.pipe(v.string(), v.minLength(1))),
        /** What a static location serves for a directory, the first that exists; never a listing. */
        index: v.optional(v.union([v.string(), v.array(v.string())]), ['index.html']),
        /** Serve a file's .zst/.br/.gz sibling to a client that accepts it (nginx's gzip_static). */
        precompressed: v.optional(v.boolean(), true),
        headers: v.optional(locationHeaders, {}),
        limits: v.optional(locationLimits, {}),
        timeouts: v.optional(locationTimeouts, {}),
        /** client.bodyBuffer for this location; 0 streams every body as it arrives (proxy_request_buffering off). */
        bodyBuffer: v.optional(size()),
      }),
    ),
    [{ path: '/' }],
  ),
  tls: tlsSection,
  compression: compressionSection,
  /** Access log to standard output: json (true), combined, or false. */
  accessLog: v.optional(
    v.union([v.boolean(), v.picklist(['json', 'combined'])], 'expected true, false, json or combined'),
    true,
  ),
  health: v.optional(
    v.strictObject({
      path: v.optional(v.pipe(v.string(), v.startsWith('/')), '/_edge/health'),
      quiet: v.optional(v.boolean(), true),
    }),
    {},
  ),
  trace: v.optional(v.strictObject({ incoming: v.optional(v.picklist(['continue', 'link']), 'continue') }), {}),
  drain: v.optional(v.strictObject({ grace: duration(30_000) }), {}),
  log: v.optional(v.picklist(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']), 'info'),
});

/**
 * The file (infra/config/edge.yaml documents every setting). The checks across locations run even when the file has
 * mistakes elsewhere, so that `--check-config` lists every one at once.
 */
export const edgeFileSchema = v.pipe(
  edgeFile,
  v.rawCheck(({ dataset, addIssue }) => {
    for (const problem of locationProblems(dataset.value)) addIssue(problem);
  }),
  v.transform(resolve),
);

export type EdgeConfig = v.InferOutput<typeof edgeFileSchema>;
export type LocationConfig = EdgeConfig['locations'][number];

export const edgeConfigSpec: ServiceConfigSpec<typeof edgeFileSchema, typeof edgeEnvSchema> = {
  service: 'edge',
  file: edgeFileSchema,
  env: edgeEnvSchema,
  applyEnv(file, set) {
    const section = (key: string) => (file[key] = { ...(file[key] as Record<string, unknown> | undefined) });
    if (set.EDGE_HOST !== undefined || set.EDGE_PORT !== undefined) {
      const listen = splitHostPort((file['listen'] as string | undefined) ?? '127.0.0.1:8080');
      file['listen'] = joinHostPort(set.EDGE_HOST ?? listen.host, String(set.EDGE_PORT ?? listen.port));
    }
    if (set.EDGE_ADMIN !== undefined) file['admin'] = set.EDGE_ADMIN;
    if (set.EDGE_WORKERS !== undefined)
      file['workers'] = set.EDGE_WORKERS === 'auto' ? 'auto' : Number(set.EDGE_WORKERS);
    if (set.EDGE_GATEWAYS !== undefined || set.EDGE_FAIL_TIMEOUT_MS !== undefined) {
      const pools = section('pools') as Record<string, Record<string, unknown>>;
      const gateways = { ...pools[DEFAULT_POOL] };
      if (set.EDGE_GATEWAYS !== undefined) gateways['servers'] = set.EDGE_GATEWAYS;
      if (set.EDGE_FAIL_TIMEOUT_MS !== undefined) gateways['failTimeout'] = set.EDGE_FAIL_TIMEOUT_MS;
      pools[DEFAULT_POOL] = gateways;
    }
    const client = section('client');
    if (set.EDGE_MAX_HEADER_BYTES !== undefined) client['maxHeaderBytes'] = set.EDGE_MAX_HEADER_BYTES;
    if (set.EDGE_HEADER_TIMEOUT_MS !== undefined) client['headerTimeout'] = set.EDGE_HEADER_TIMEOUT_MS;
    if (set.EDGE_REQUEST_TIMEOUT_MS !== undefined) client['requestTimeout'] = set.EDGE_REQUEST_TIMEOUT_MS;
    if (set.EDGE_BODY_TIMEOUT_MS !== undefined) client['bodyTimeout'] = set.EDGE_BODY_TIMEOUT_MS;
    if (set.EDGE_BODY_BUFFER_BYTES !== undefined) client['bodyBuffer'] = set.EDGE_BODY_BUFFER_BYTES;
    if (set.EDGE_KEEPALIVE_TIMEOUT_MS !== undefined) client['keepAliveTimeout'] = set.EDGE_KEEPALIVE_TIMEOUT_MS;
    if (set.EDGE_MAX_CONNECTIONS !== undefined) client['maxConnections'] = set.EDGE_MAX_CONNECTIONS;
    if (set.EDGE_MAX_BODY_BYTES !== undefined) section('limits')['body'] = set.EDGE_MAX_BODY_BYTES;
    const timeouts = section('timeouts');
    if (set.EDGE_UPSTREAM_HEAD_TIMEOUT_MS !== undefined) timeouts['head'] = set.EDGE_UPSTREAM_HEAD_TIMEOUT_MS;
    if (set.EDGE_UPSTREAM_IDLE_TIMEOUT_MS !== undefined) timeouts['idle'] = set.EDGE_UPSTREAM_IDLE_TIMEOUT_MS;
    if (set.EDGE_RETRY_BODY_BYTES !== undefined) section('retry')['body'] = set.EDGE_RETRY_BODY_BYTES;
    if (set.EDGE_ACCESS_LOG === false) file['accessLog'] = false;
    else if (set.EDGE_ACCESS_LOG === true && file['accessLog'] === false) file['accessLog'] = true;
    if (set.EDGE_ACCESS_LOG_FORMAT !== undefined && file['accessLog'] !== false)
      file['accessLog'] = set.EDGE_ACCESS_LOG_FORMAT;
    if (set.EDGE_SERVER_NAMES !== undefined) file['servers'] = set.EDGE_SERVER_NAMES;
    if (set.EDGE_TRUSTED_PROXIES !== undefined) file['trustedProxies'] = set.EDGE_TRUSTED_PROXIES;
    const health = section('health');
    if (set.EDGE_HEALTH_PATH !== undefined) health['path'] = set.EDGE_HEALTH_PATH;
    if (set.EDGE_HEALTH_QUIET !== undefined) health['quiet'] = set.EDGE_HEALTH_QUIET;
    if (set.EDGE_TRACE_INCOMING !== undefined) section('trace')['incoming'] = set.EDGE_TRACE_INCOMING;
    if (set.EDGE_SHUTDOWN_GRACE_MS !== undefined) file['drain'] = { grace: set.EDGE_SHUTDOWN_GRACE_MS };
    if (set.LOG_LEVEL !== undefined) file['log'] = set.LOG_LEVEL;
    if (set.EDGE_CONFIG !== undefined) relativeToFile(file, dirname(set.EDGE_CONFIG));
    applyTlsEnv(file, set);
  },
};

/** EDGE_TLS_* turn the HTTPS listener on, or change the file's. */
function applyTlsEnv(file: Record<string, unknown>, set: Partial<v.InferOutput<typeof edgeEnvSchema>>): void {
  if (set.EDGE_TLS_PORT === undefined && set.EDGE_TLS_CERT === undefined && set.EDGE_TLS_KEY === undefined) return;
  const tls = { ...(file['tls'] as Record<string, unknown> | undefined) };
  if (set.EDGE_TLS_CERT !== undefined) tls['cert'] = resolvePath(set.EDGE_TLS_CERT);
  if (set.EDGE_TLS_KEY !== undefined) tls['key'] = resolvePath(set.EDGE_TLS_KEY);
  if (set.EDGE_TLS_PORT !== undefined || tls['listen'] === undefined) {
    const host = splitHostPort(String(tls['listen'] ?? file['listen'] ?? '127.0.0.1:8443')).host;
    tls['listen'] = joinHostPort(host, String(set.EDGE_TLS_PORT ?? 8_443));
  }
  file['tls'] = tls;
}

/** Paths in the file (static roots, certificates) are relative to the file's directory, as a person reading it expects. */
function relativeToFile(file: Record<string, unknown>, dir: string): void {
  if (Array.isArray(file['locations']))
    file['locations'] = file['locations'].map((location: unknown) => {
      if (typeof location !== 'object' || location === null) return location;
      const copy = { ...(location as Record<string, unknown>) };
      for (const key of ['root', 'alias'])
        if (typeof copy[key] === 'string' && copy[key] !== '') copy[key] = resolvePath(dir, copy[key]);
      return copy;
    });
  const tls = file['tls'];
  if (typeof tls === 'object' && tls !== null) {
    const copy = { ...(tls as Record<string, unknown>) };
    for (const key of ['cert', 'key'])
      if (typeof copy[key] === 'string' && copy[key] !== '') copy[key] = resolvePath(dir, copy[key]);
    file['tls'] = copy;
  }
}

export function loadEdgeConfig(env: Env): Readonly<EdgeConfig> {
  return loadServiceConfig(edgeConfigSpec, env);
}

/** The effective configuration as `--check-config` prints it (nginx -T). */
export function describeEdgeConfig(config: Readonly<EdgeConfig>): string {
  return describeConfig(config);
}

type FileOutput = v.InferOutput<typeof edgeFile>;

/** What is wrong across the locations of a file that may be invalid elsewhere: each with its location's path. */
function locationProblems(file: unknown): Array<{ message: string; path: [v.ObjectPathItem, v.ArrayPathItem] }> {
  const problems: Array<{ message: string; path: [v.ObjectPathItem, v.ArrayPathItem] }> = [];
  if (typeof file !== 'object' || file === null) return problems;
  const { locations, pools } = file as { locations?: unknown; pools?: unknown };
  if (!Array.isArray(locations)) return problems;
  const seen = new Set<string>();
  locations.forEach((location: unknown, index) => {
    if (typeof location !== 'object' || location === null) return;
    const { path, exact, pool, redirect, root, alias } = location as Record<string, unknown>;
    const at: [v.ObjectPathItem, v.ArrayPathItem] = [
      { type: 'object', origin: 'value', input: file as Record<string, unknown>, key: 'locations', value: locations },
      { type: 'array', origin: 'value', input: locations, key: index, value: location },
    ];
    const dir = root ?? alias;
    if ([pool, redirect, root, alias].filter((x) => x !== undefined).length > 1)
      problems.push({ message: 'a location is one of a pool, a redirect, a root or an alias', path: at });
    else if (dir !== undefined && !(typeof dir === 'string' && isDirectory(dir)))
      problems.push({
        message: `${root === undefined ? 'alias' : 'root'} ${String(dir)} is not a directory`,
        path: at,
      });
    else if (
      redirect === undefined &&
      dir === undefined &&
      typeof pools === 'object' &&
      pools !== null &&
      !(String(pool ?? DEFAULT_POOL) in pools)
    )
      problems.push({ message: `no pool ${String(pool ?? DEFAULT_POOL)} in pools`, path: at });
    const key = `${exact === true} ${String(path)}`;
    if (seen.has(key)) problems.push({ message: `another location has the path ${String(path)}`, path: at });
    seen.add(key);
  });
  return problems;
}

/** The file as the edge uses it: locations inherit the service-wide limits and timeouts. */
function resolve(file: FileOutput) {
  const { host, port } = splitHostPort(file.listen);
  return {
    host,
    port: Number(port),
    admin: file.admin,
    workers: file.workers === 'auto' ? availableParallelism() : file.workers,
    serverNames: file.servers.includes('*') ? [] : file.servers,
    trustedProxies: file.trustedProxies,
    serverTimingTo: file.serverTiming ?? file.trustedProxies,
    pools: Object.fromEntries(
      Object.entries(file.pools).map(([name, p]) => [name, { ...poolSettings(p), retainBodyBytes: file.retry.body }]),
    ),
    maxHeaderBytes: file.client.maxHeaderBytes,
    headerTimeoutMs: file.client.headerTimeout,
    requestTimeoutMs: file.client.requestTimeout,
    bodyTimeoutMs: file.client.bodyTimeout,
    keepAliveTimeoutMs: file.client.keepAliveTimeout,
    maxConnections: file.client.maxConnections,
    tls: file.tls === undefined ? undefined : resolveTls(file.tls),
    locations: file.locations.map((location) => ({
      path: location.path,
      exact: location.exact,
      pool: location.pool ?? DEFAULT_POOL,
      redirect: location.redirect,
      static: staticFiles(location),
      responseHeaders: Object.entries(location.headers.response),
      requestHeaders: Object.entries(location.headers.request),
      maxBodyBytes: location.limits.body ?? file.limits.body,
      bodyBufferBytes: location.bodyBuffer ?? file.client.bodyBuffer,
      headTimeoutMs: location.timeouts.head ?? file.timeouts.head,
      idleTimeoutMs: location.timeouts.idle ?? file.timeouts.idle,
      limitSettings: limitSettings(location),
    })),
    compression: file.compression,
    accessLog: file.accessLog === true ? ('json' as const) : file.accessLog,
    healthPath: file.health.path,
    healthQuiet: file.health.quiet,
    traceIncoming: file.trace.incoming,
    shutdownGraceMs: file.drain.grace,
    logLevel: file.log,
  };
}

/**
 * Where each limit of a location is set, as the messages about limits name it (docs/adr/0014): the location's own
 * setting, or the service-wide one it inherits and the variable over it.
 */
function limitSettings(location: FileOutput['locations'][number]) {
  const at = `edge.yaml locations[${location.path}]`;
  const own = (setting: string) => ({ setting: `${at}.${setting}`, variable: '' });
  return {
    body:
      location.limits.body === undefined
        ? { setting: 'edge.yaml limits.body', variable: 'EDGE_MAX_BODY_BYTES' }
        : own('limits.body'),
    head:
      location.timeouts.head === undefined
        ? { setting: 'edge.yaml timeouts.head', variable: 'EDGE_UPSTREAM_HEAD_TIMEOUT_MS' }
        : own('timeouts.head'),
    idle:
      location.timeouts.idle === undefined
        ? { setting: 'edge.yaml timeouts.idle', variable: 'EDGE_UPSTREAM_IDLE_TIMEOUT_MS' }
        : own('timeouts.idle'),
  };
}

function splitList(value: string): string[] {
  return value
    .split(',')
    .map((item) => item.trim())
    .filter(Boolean);
}

function resolveTls(tls: NonNullable<FileOutput['tls']>) {
  const { host, port } = splitHostPort(tls.listen);
  return { host, port: Number(port), cert: tls.cert, key: tls.key, http2: tls.http2 };
}

/** A static location's directory (real path: symlinks inside it are judged against it), index files and siblings. */
function staticFiles(location: FileOutput['locations'][number]) {
  const dir = location.root ?? location.alias;
  if (dir === undefined) return undefined;
  return {
    root: realpathSync(dir),
    alias: location.alias !== undefined,
    index: typeof location.index === 'string' ? [location.index] : location.index,
    precompressed: location.precompressed,
  };
}

function isDirectory(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}

/** The edge listens on TCP only: nginx's `listen unix:` is not built. */
function tcpAddress() {
  return v.pipe(
    address(),
    v.check((value) => !isUnix(value), 'expected host:port or [v6]:port (the edge listens on TCP)'),
  );
}
