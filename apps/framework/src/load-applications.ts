import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { loadApplication, type Application, type ApplicationKind } from '@mono/tsgi';
import type { ApplicationConfig } from './config';

/** The demo Express app's bundle (the express-demo project's build), loaded by path like any other module. */
export const DEMO_APP = join('examples', 'express-demo', 'dist', 'index.cjs');

/** One application the framework hosts, as loaded. */
export interface HostedApplication {
  /** What the gateway's mounts name it by; the first of a list is the default one. */
  readonly name: string;
  readonly app: Application;
  /** Its own variables, in its environ for every request. */
  readonly env: Readonly<Record<string, string>>;
  /** Where it came from (`path:export`) and what it is, for the log and /stats. */
  readonly source?: string;
  readonly kind?: ApplicationKind;
}

/**
 * Loads every application the configuration names, the default one (the demo Express app when it names no module)
 * first. Each module loads with the application's own variables set in `processEnv` (the process's environment,
 * given by main.ts) and the previous values put back afterwards: `require` is synchronous, so what a module reads
 * from process.env as it loads (the twelve-factor habit) is its own; per request they are in its environ
 * (docs/adr/0010-applications-and-reloads.md). A module that fails to load fails them all, each failure named.
 */
export function loadApplications(
  configs: readonly ApplicationConfig[],
  processEnv: Record<string, string | undefined>,
): HostedApplication[] {
  const problems: string[] = [];
  const loaded: HostedApplication[] = [];
  for (const config of configs) {
    const spec = config.module ?? findDemoApp(__dirname);
    try {
      const { application, kind, path, exportName } = withVariables(processEnv, config.env, () =>
        loadApplication(spec),
      );
      loaded.push({ name: config.name, app: application, env: config.env, source: `${path}:${exportName}`, kind });
    } catch (err) {
      // Its first line: Node puts the require stack under a missing module's message.
      const reason = (err instanceof Error ? err.message : String(err)).split('\n')[0];
      problems.push(`application ${config.name} (${spec}): ${reason}`);
    }
  }
  if (problems.length > 0) throw new Error(problems.join('\n'));
  return loaded;
}

/**
 * DEMO_APP in `from` or the nearest directory above it that has one, as Node looks for node_modules: the workspace
 * root when the framework runs from apps/framework/dist, /app in its container image.
 */
export function findDemoApp(from: string): string {
  for (let dir = from; ; dir = dirname(dir)) {
    const candidate = join(dir, DEMO_APP);
    if (existsSync(candidate)) return candidate;
    if (dirname(dir) === dir) {
      throw new Error(
        `framework: FRAMEWORK_APP is unset and no ${DEMO_APP} was found above ${from} (build it: npx nx build express-demo)`,
      );
    }
  }
}

function withVariables<T>(
  target: Record<string, string | undefined>,
  variables: Readonly<Record<string, string>>,
  load: () => T,
): T {
  const saved = new Map<string, string | undefined>();
  for (const [name, value] of Object.entries(variables)) {
    saved.set(name, target[name]);
    target[name] = value;
  }
  try {
    return load();
  } finally {
    for (const [name, value] of saved) {
      if (value === undefined) delete target[name];
      else target[name] = value;
    }
  }
}
