import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { requireApplication, type Application } from '@mono/tsgi';

/** The demo Express app's bundle (the express-demo project's build), loaded by path like any other module. */
export const DEMO_APP = join('examples', 'express-demo', 'dist', 'index.cjs');

/**
 * The application to host: the module FRAMEWORK_APP names (see `requireApplication` for what it may export), else
 * the demo Express app.
 */
export function loadApplication(modulePath: string | undefined): Application {
  return requireApplication(modulePath ?? findDemoApp(__dirname));
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
