import { resolve } from 'node:path';
import type { Logger } from '@mono/telemetry';
import { fromExpress, type Application } from '@mono/tsgi';
import { createDemoApp } from './demo-app';

/**
 * The application to host: the `application` export of FRAMEWORK_APP (a .js module, or a .ts one with erasable
 * syntax only, which Node 24 strips), else the demo Express app.
 */
export function loadApplication(modulePath: string | undefined, log: Logger): Application {
  if (modulePath === undefined) return fromExpress(createDemoApp(log));
  const path = resolve(modulePath);
  const loaded = require(path) as { application?: unknown; default?: { application?: unknown } };
  const application = loaded.application ?? loaded.default?.application;
  if (typeof application !== 'function') {
    throw new Error(`framework: ${path} has no \`application\` export (a TSGI application function)`);
  }
  return application as Application;
}
