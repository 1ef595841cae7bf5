import { count, flag, host, loadConfig, logLevel, port, text, type Env } from '@mono/config';
import * as v from 'valibot';

/** Every variable the framework service reads; README.md lists them (a test keeps the two in step). */
export const frameworkEnvSchema = v.object({
  FRAMEWORK_HOST: host('127.0.0.1', 'Address the gRPC server binds'),
  FRAMEWORK_PORT: port(50_061, 'gRPC port (0 picks a free one)'),
  FRAMEWORK_APP: text(
    undefined,
    'Module hosted, by path; it exports `application` (a TSGI application), `app` (an Express app) or `fetch` (a Web fetch handler); default: the demo Express app (examples/express-demo)',
  ),
  FRAMEWORK_MULTIPROCESS: flag(false, 'Value of tsgi.multiprocess: other framework processes serve the same app'),
  FRAMEWORK_VALIDATE: flag(
    false,
    'Check every request against the interface rules (the TSGI validator): each violation is logged by rule id and, when caught in a call, fails the request',
  ),
  FRAMEWORK_SHUTDOWN_GRACE_MS: count(10_000, 'ms that requests in flight get to finish after SIGTERM/SIGINT'),
  LOG_LEVEL: logLevel(),
});

export const frameworkConfigSchema = v.pipe(
  frameworkEnvSchema,
  v.transform((env) => ({
    host: env.FRAMEWORK_HOST,
    port: env.FRAMEWORK_PORT,
    appModule: env.FRAMEWORK_APP,
    multiprocess: env.FRAMEWORK_MULTIPROCESS,
    validate: env.FRAMEWORK_VALIDATE,
    shutdownGraceMs: env.FRAMEWORK_SHUTDOWN_GRACE_MS,
    logLevel: env.LOG_LEVEL,
  })),
);

export type FrameworkConfig = v.InferOutput<typeof frameworkConfigSchema>;

export function loadFrameworkConfig(env: Env): Readonly<FrameworkConfig> {
  return loadConfig('framework', frameworkConfigSchema, env);
}
