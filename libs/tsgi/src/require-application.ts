import { resolve } from 'node:path';
import type { Application } from './environ';
import { fromExpress, type NodeListener } from './from-express';
import { fromFetch, type FetchHandler } from './from-fetch';

interface AppModule {
  application?: unknown;
  app?: unknown;
  fetch?: unknown;
  default?: AppModule;
}

/**
 * Loads a module by path (uWSGI's `module=`) and returns the application it exports, as a TSGI application: a .js or
 * .cjs module, or .ts with erasable syntax only (Node 24 strips it). The module exports one of `application` (a TSGI
 * application), `app` (an Express app or any Node request listener, hosted unchanged through `fromExpress`) or
 * `fetch` (a Web `fetch(Request) → Response` handler, through `fromFetch`), directly or on its default export.
 *
 * @example
 * const application = requireApplication('examples/fetch-demo/dist/index.cjs');
 */
export function requireApplication(modulePath: string): Application {
  const path = resolve(modulePath);
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- the module is named at run time
  const loaded = require(path) as AppModule;
  const exports = loaded.default && !loaded.application && !loaded.app && !loaded.fetch ? loaded.default : loaded;
  if (typeof exports.application === 'function') return exports.application as Application;
  if (typeof exports.app === 'function') return fromExpress(exports.app as NodeListener);
  if (typeof exports.fetch === 'function') return fromFetch((exports.fetch as FetchHandler).bind(exports));
  throw new Error(`${path} exports no \`application\`, \`app\` or \`fetch\` function`);
}
