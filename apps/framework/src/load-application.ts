import { resolve } from 'node:path';
import type { Logger } from '@mono/telemetry';
import { fromExpress, fromFetch, type Application, type FetchHandler, type NodeListener } from '@mono/tsgi';
import { createDemoApp } from './demo-app';

interface AppModule {
  application?: unknown;
  app?: unknown;
  fetch?: unknown;
  default?: AppModule;
}

/**
 * The application to host, from FRAMEWORK_APP (a .js/.cjs module, or .ts with erasable syntax only, which Node 24
 * strips), else the demo Express app. The module exports one of:
 * `application` (a TSGI application), `app` (an Express app or any Node request listener, hosted unchanged), or
 * `fetch` (a Web `fetch(Request) → Response` handler), directly or on its default export.
 */
export function loadApplication(modulePath: string | undefined, log: Logger): Application {
  if (modulePath === undefined) return fromExpress(createDemoApp(log));
  const path = resolve(modulePath);
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- the module is named at run time
  const loaded = require(path) as AppModule;
  const exports = loaded.default && !loaded.application && !loaded.app && !loaded.fetch ? loaded.default : loaded;
  if (typeof exports.application === 'function') return exports.application as Application;
  if (typeof exports.app === 'function') return fromExpress(exports.app as NodeListener);
  if (typeof exports.fetch === 'function') return fromFetch((exports.fetch as FetchHandler).bind(exports));
  throw new Error(`framework: ${path} exports no \`application\`, \`app\` or \`fetch\` function`);
}
