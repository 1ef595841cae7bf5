import {
  address,
  applyHostPort,
  count,
  describeConfig,
  duration,
  flag,
  host,
  loadServiceConfig,
  logLevel,
  oneAddress,
  port,
  size,
  text,
  type Env,
  type ServiceConfigSpec,
} from '@mono/config';
import { CGI_KEYS, parseApplicationSpec } from '@mono/tsgi';
import * as v from 'valibot';

/** The name the default application is reported and logged under; a mount's `app` "" (or this) reaches it. */
export const DEFAULT_APPLICATION = 'default';

const LISTEN = '127.0.0.1:50061';

/**
 * Every variable the framework service reads; README.md lists them (a test keeps the two in step). They override the
 * service-wide values of the configuration file (FRAMEWORK_CONFIG) (docs/adr/0005).
 */
export const frameworkEnvSchema = v.object({
  FRAMEWORK_CONFIG: text(undefined, 'The configuration file (YAML, infra/config/framework.yaml); without it: defaults'),
  FRAMEWORK_LISTEN: oneAddress(
    undefined,
    "Where the gRPC server listens: host:port, [v6]:port or unix:/path (a Unix domain socket); default: the file's `listen`, else 127.0.0.1:50061",
  ),
  FRAMEWORK_HOST: host(
    '127.0.0.1',
    "Address the gRPC server binds (TCP: in place of the file's socket; ignored with FRAMEWORK_LISTEN)",
  ),
  FRAMEWORK_PORT: port(
    50_061,
    "gRPC port (0 picks a free one; TCP: in place of the file's socket; ignored with FRAMEWORK_LISTEN)",
  ),
  FRAMEWORK_ADMIN: text('127.0.0.1:9061', 'host:port of the admin listener: /healthz /readyz /stats /metrics'),
  FRAMEWORK_APP: text(
    undefined,
    'The default application, by module spec path[:export[:kind]], the kind express, fetch or tsgi (its `application`, `app` or `fetch` export when none is named); default: the demo Express app (examples/express-demo)',
  ),
  FRAMEWORK_MULTIPROCESS: flag(false, 'Value of tsgi.multiprocess: other framework processes serve the same app'),
  FRAMEWORK_VALIDATE: flag(
    false,
    'Check every request against the interface rules (the TSGI validator): each violation is logged by rule id and, when caught in a call, fails the request',
  ),
  FRAMEWORK_MASTER: flag(
    true,
    'A master process holds the port and runs the applications in a worker process, which SIGHUP replaces without failing a request (chain reload); false: one process, no reloads',
  ),
  FRAMEWORK_WATCH: flag(false, 'Reload when a file an application loaded changes (`serve` sets it)'),
  FRAMEWORK_MAX_REQUESTS: count(0, 'Replace the worker after this many requests (uWSGI max-requests); 0: never'),
  FRAMEWORK_RELOAD_ON_RSS: count(
    0,
    'Replace the worker once it is resident above this many MiB (uWSGI reload-on-rss); 0: never',
  ),
  FRAMEWORK_MAX_HEADER_BYTES: count(
    0,
    'Largest request line + header section the framework takes; 431 beyond (the edge refuses it first); 0: no limit',
  ),
  FRAMEWORK_MAX_BODY_BYTES: count(
    0,
    "Largest request body (Flask's MAX_CONTENT_LENGTH); 413 beyond, the application's input fails (the edge refuses it first); 0: no limit",
  ),
  FRAMEWORK_SHUTDOWN_GRACE_MS: count(30_000, 'ms that requests in flight get to finish after SIGTERM/SIGINT'),
  LOG_LEVEL: logLevel(),
});

/** The CGI variables of the environ: an application's own variable may not take one of these names. */
const CGI_NAMES = new Set<string>([...CGI_KEYS, 'REQUEST_ID', 'HTTPS']);

const moduleSpec = v.pipe(
  v.string(),
  v.minLength(1, 'a module spec: path[:export[:express|fetch|tsgi]]'),
  v.rawCheck(({ dataset, addIssue }) => {
    if (!dataset.typed) return;
    try {
      parseApplicationSpec(dataset.value);
    } catch (err) {
      addIssue({ message: (err as Error).message });
    }
  }),
);

const variables = v.record(
  v.pipe(
    v.string(),
    v.regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'a variable name: letters, digits and _'),
    v.check(
      (name) => !CGI_NAMES.has(name) && !name.startsWith('HTTP_'),
      'a CGI variable of the environ (REQUEST_METHOD, PATH_INFO, HTTP_*, …): choose another name',
    ),
  ),
  v.pipe(v.union([v.string(), v.number(), v.boolean()], 'a string, number or boolean'), v.transform(String)),
);

const application = v.strictObject({
  /** What the gateway's mounts name it by (`app`). */
  name: v.pipe(v.string(), v.regex(/^[a-z][a-z0-9-]*$/, 'an application name: a-z, 0-9, -')),
  module: moduleSpec,
  /** Its own environment variables: in its environ for every request, and in process.env while its module loads. */
  env: v.optional(variables, {}),
});

const frameworkFile = v.strictObject({
  listen: v.optional(address(), LISTEN),
  admin: v.optional(address(), '127.0.0.1:9061'),
  /** The default application: a module spec, or { module, env }; absent: the demo Express app. */
  app: v.optional(
    v.union(
      [moduleSpec, v.strictObject({ module: v.optional(moduleSpec), env: v.optional(variables, {}) })],
      'a module spec, or { module, env }',
    ),
  ),
  applications: v.optional(v.array(application), []),
  multiprocess: v.optional(v.boolean(), false),
  validate: v.optional(v.boolean(), false),
  /** What the framework takes of a request, for every application (announced to the gateways in front). */
  limits: v.optional(v.strictObject({ headers: size(0), body: size(0) }), {}),
  master: v.optional(v.boolean(), true),
  reload: v.optional(
    v.strictObject({
      watch: v.optional(v.boolean(), false),
      maxRequests: v.optional(v.pipe(v.number(), v.integer(), v.minValue(0)), 0),
      maxResident: size(0),
      readyTimeout: duration(30_000),
    }),
    {},
  ),
  drain: v.optional(v.strictObject({ grace: duration(30_000) }), {}),
  log: v.optional(v.picklist(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']), 'info'),
});

/** The file (infra/config/framework.yaml documents every setting). */
export const frameworkFileSchema = v.pipe(
  frameworkFile,
  v.check(
    (file) => new Set(file.applications.map((a) => a.name)).size === file.applications.length,
    'two applications have the same name',
  ),
  v.check(
    (file) => file.applications.every((a) => a.name !== DEFAULT_APPLICATION),
    `"${DEFAULT_APPLICATION}" is the name of the default application (\`app\`): give this one another`,
  ),
  v.check(
    (file) => file.master || (file.reload.maxRequests === 0 && file.reload.maxResident === 0 && !file.reload.watch),
    'reloads (reload.watch, reload.maxRequests, reload.maxResident) need master: true',
  ),
  v.transform(resolve),
);

export type FrameworkConfig = v.InferOutput<typeof frameworkFileSchema>;
export type ApplicationConfig = FrameworkConfig['applications'][number];

export const frameworkConfigSpec: ServiceConfigSpec<typeof frameworkFileSchema, typeof frameworkEnvSchema> = {
  service: 'framework',
  file: frameworkFileSchema,
  env: frameworkEnvSchema,
  applyEnv(file, set) {
    const listen = (file['listen'] as string | undefined) ?? LISTEN;
    file['listen'] =
      set.FRAMEWORK_LISTEN ??
      applyHostPort(listen, set.FRAMEWORK_HOST, set.FRAMEWORK_PORT, { host: '127.0.0.1', port: 50_061 });
    if (set.FRAMEWORK_ADMIN !== undefined) file['admin'] = set.FRAMEWORK_ADMIN;
    if (set.FRAMEWORK_APP !== undefined) {
      const app = file['app'];
      file['app'] = typeof app === 'object' && app !== null ? { ...app, module: set.FRAMEWORK_APP } : set.FRAMEWORK_APP;
    }
    if (set.FRAMEWORK_MULTIPROCESS !== undefined) file['multiprocess'] = set.FRAMEWORK_MULTIPROCESS;
    if (set.FRAMEWORK_VALIDATE !== undefined) file['validate'] = set.FRAMEWORK_VALIDATE;
    if (set.FRAMEWORK_MASTER !== undefined) file['master'] = set.FRAMEWORK_MASTER;
    const limits = { ...(file['limits'] as Record<string, unknown> | undefined) };
    if (set.FRAMEWORK_MAX_HEADER_BYTES !== undefined) limits['headers'] = set.FRAMEWORK_MAX_HEADER_BYTES;
    if (set.FRAMEWORK_MAX_BODY_BYTES !== undefined) limits['body'] = set.FRAMEWORK_MAX_BODY_BYTES;
    file['limits'] = limits;
    const reload = { ...(file['reload'] as Record<string, unknown> | undefined) };
    if (set.FRAMEWORK_WATCH !== undefined) reload['watch'] = set.FRAMEWORK_WATCH;
    if (set.FRAMEWORK_MAX_REQUESTS !== undefined) reload['maxRequests'] = set.FRAMEWORK_MAX_REQUESTS;
    if (set.FRAMEWORK_RELOAD_ON_RSS !== undefined) reload['maxResident'] = set.FRAMEWORK_RELOAD_ON_RSS * 1_048_576;
    file['reload'] = reload;
    if (set.FRAMEWORK_SHUTDOWN_GRACE_MS !== undefined) file['drain'] = { grace: set.FRAMEWORK_SHUTDOWN_GRACE_MS };
    if (set.LOG_LEVEL !== undefined) file['log'] = set.LOG_LEVEL;
  },
};

export function loadFrameworkConfig(env: Env): Readonly<FrameworkConfig> {
  return loadServiceConfig(frameworkConfigSpec, env);
}

/** The effective configuration as `--check-config` prints it (nginx -T). */
export function describeFrameworkConfig(config: Readonly<FrameworkConfig>): string {
  return describeConfig(config);
}

type FileOutput = v.InferOutput<typeof frameworkFile>;

/** The file as the service uses it: the default application first, then the others, each with its own variables. */
function resolve(file: FileOutput) {
  const app = typeof file.app === 'string' ? { module: file.app, env: {} } : (file.app ?? { env: {} });
  return {
    listen: file.listen,
    admin: file.admin,
    /** The first is the default application; its `module` undefined: the demo Express app. */
    applications: [
      { name: DEFAULT_APPLICATION, module: app.module as string | undefined, env: app.env as Record<string, string> },
      ...file.applications.map((a) => ({ name: a.name, module: a.module as string | undefined, env: a.env })),
    ],
    multiprocess: file.multiprocess,
    validate: file.validate,
    limits: { headerBytes: file.limits.headers, bodyBytes: file.limits.body },
    master: file.master,
    reload: {
      watch: file.reload.watch,
      maxRequests: file.reload.maxRequests,
      maxResidentBytes: file.reload.maxResident,
      readyTimeoutMs: file.reload.readyTimeout,
    },
    shutdownGraceMs: file.drain.grace,
    logLevel: file.log,
  };
}
