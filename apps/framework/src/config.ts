import {
  address,
  count,
  describeConfig,
  duration,
  flag,
  host,
  loadServiceConfig,
  logLevel,
  port,
  text,
  type Env,
  type ServiceConfigSpec,
} from '@mono/config';
import * as v from 'valibot';

/**
 * Every variable the framework service reads; README.md lists them (a test keeps the two in step). They override the
 * service-wide values of the configuration file (FRAMEWORK_CONFIG) (docs/adr/0005).
 */
export const frameworkEnvSchema = v.object({
  FRAMEWORK_CONFIG: text(undefined, 'The configuration file (YAML, infra/config/framework.yaml); without it: defaults'),
  FRAMEWORK_HOST: host('127.0.0.1', 'Address the gRPC server binds'),
  FRAMEWORK_PORT: port(50_061, 'gRPC port (0 picks a free one)'),
  FRAMEWORK_ADMIN: text('127.0.0.1:9061', 'host:port of the admin listener: /healthz /readyz /stats /metrics'),
  FRAMEWORK_APP: text(
    undefined,
    'Module hosted, by path; it exports `application` (a TSGI application), `app` (an Express app) or `fetch` (a Web fetch handler); default: the demo Express app (examples/express-demo)',
  ),
  FRAMEWORK_MULTIPROCESS: flag(false, 'Value of tsgi.multiprocess: other framework processes serve the same app'),
  FRAMEWORK_VALIDATE: flag(
    false,
    'Check every request against the interface rules (the TSGI validator): each violation is logged by rule id and, when caught in a call, fails the request',
  ),
  FRAMEWORK_SHUTDOWN_GRACE_MS: count(30_000, 'ms that requests in flight get to finish after SIGTERM/SIGINT'),
  LOG_LEVEL: logLevel(),
});

const frameworkFile = v.strictObject({
  listen: v.optional(address(), '127.0.0.1:50061'),
  admin: v.optional(address(), '127.0.0.1:9061'),
  /** The module hosted (its `application`, `app` or `fetch` export); absent: the demo Express app. */
  app: v.optional(v.pipe(v.string(), v.minLength(1))),
  multiprocess: v.optional(v.boolean(), false),
  validate: v.optional(v.boolean(), false),
  drain: v.optional(v.strictObject({ grace: duration(30_000) }), {}),
  log: v.optional(v.picklist(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']), 'info'),
});

/** The file (infra/config/framework.yaml documents every setting). */
export const frameworkFileSchema = v.pipe(
  frameworkFile,
  v.transform((file) => {
    const colon = file.listen.lastIndexOf(':');
    return {
      host: file.listen.slice(0, colon).replace(/^\[|\]$/g, ''),
      port: Number(file.listen.slice(colon + 1)),
      admin: file.admin,
      appModule: file.app,
      multiprocess: file.multiprocess,
      validate: file.validate,
      shutdownGraceMs: file.drain.grace,
      logLevel: file.log,
    };
  }),
);

export type FrameworkConfig = v.InferOutput<typeof frameworkFileSchema>;

export const frameworkConfigSpec: ServiceConfigSpec<typeof frameworkFileSchema, typeof frameworkEnvSchema> = {
  service: 'framework',
  file: frameworkFileSchema,
  env: frameworkEnvSchema,
  applyEnv(file, set) {
    if (set.FRAMEWORK_HOST !== undefined || set.FRAMEWORK_PORT !== undefined) {
      const listen = (file['listen'] as string | undefined) ?? '127.0.0.1:50061';
      const colon = listen.lastIndexOf(':');
      const host = set.FRAMEWORK_HOST ?? listen.slice(0, colon).replace(/^\[|\]$/g, '');
      const port = set.FRAMEWORK_PORT ?? listen.slice(colon + 1);
      file['listen'] = host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`;
    }
    if (set.FRAMEWORK_ADMIN !== undefined) file['admin'] = set.FRAMEWORK_ADMIN;
    if (set.FRAMEWORK_APP !== undefined) file['app'] = set.FRAMEWORK_APP;
    if (set.FRAMEWORK_MULTIPROCESS !== undefined) file['multiprocess'] = set.FRAMEWORK_MULTIPROCESS;
    if (set.FRAMEWORK_VALIDATE !== undefined) file['validate'] = set.FRAMEWORK_VALIDATE;
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
