import { join } from 'node:path';
import { ROOT, startService, type ServiceProcess } from './service-process';

export interface Stack {
  readonly edge: ServiceProcess;
  readonly gateway: ServiceProcess;
  readonly framework: ServiceProcess;
  /** http://127.0.0.1:<edge port> */
  readonly url: string;
  /** Starts the framework again on its port (after a test stopped it). */
  restartFramework(): Promise<ServiceProcess>;
  stop(): Promise<void>;
}

export interface StackOptions {
  /** For all three services; by default traces are not exported (OTEL_TRACES_EXPORTER=none). */
  common?: Record<string, string>;
  edge?: Record<string, string>;
  gateway?: Record<string, string>;
  framework?: Record<string, string>;
  /** A directory: the gateway and the framework listen on Unix sockets in it, as the shipped files have them. */
  sockets?: string;
}

/**
 * The three services as three processes on free ports (or, with `sockets`, the inner two on Unix sockets), wired
 * framework ← gateway ← edge.
 */
export async function startStack(options: StackOptions = {}): Promise<Stack> {
  const common = { OTEL_TRACES_EXPORTER: 'none', ...options.common };
  const { sockets } = options;
  const frameworkBase = {
    FRAMEWORK_CONFIG: join(ROOT, 'infra', 'config', 'framework.yaml'),
    FRAMEWORK_ADMIN: '127.0.0.1:0',
  };
  const frameworkListen: Record<string, string> =
    sockets === undefined ? { FRAMEWORK_PORT: '0' } : { FRAMEWORK_LISTEN: `unix:${join(sockets, 'framework.sock')}` };
  let framework = await startService('framework', {
    ...common,
    ...frameworkBase,
    ...frameworkListen,
    ...options.framework,
  });
  const gateway = await startService('gateway', {
    ...common,
    GATEWAY_CONFIG: join(ROOT, 'infra', 'config', 'gateway.yaml'),
    ...(sockets === undefined ? { GATEWAY_PORT: '0' } : { GATEWAY_LISTEN: `unix:${join(sockets, 'gateway.sock')}` }),
    GATEWAY_ADMIN: '127.0.0.1:0',
    GATEWAY_FRAMEWORK: framework.address,
    ...options.gateway,
  });
  const edge = await startService('edge', {
    ...common,
    EDGE_CONFIG: join(ROOT, 'infra', 'config', 'edge.yaml'),
    EDGE_PORT: '0',
    EDGE_ADMIN: '127.0.0.1:0',
    EDGE_GATEWAYS: gateway.address,
    ...options.edge,
  });
  // Until the stack has served once the edge answers 503 + Retry-After: 1; tests start from a ready stack.
  await edge.waitForLog((line) => line['msg'] === 'stack ready', 10_000);
  const frameworkEnv = {
    ...common,
    ...frameworkBase,
    ...options.framework,
    ...(sockets === undefined ? { FRAMEWORK_PORT: String(framework.port) } : frameworkListen),
  };
  return {
    edge,
    gateway,
    get framework() {
      return framework;
    },
    url: `http://127.0.0.1:${edge.port}`,
    async restartFramework() {
      framework = await startService('framework', frameworkEnv);
      return framework;
    },
    async stop() {
      await Promise.all([edge.stop(), gateway.stop(), framework.stop()]);
    },
  };
}
