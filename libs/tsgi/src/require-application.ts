import { resolve } from 'node:path';
import type { Application } from './environ';
import { fromExpress, type NodeListener } from './from-express';
import { fromFetch, type FetchHandler } from './from-fetch';

/** How an application is written: an Express app (or any Node listener), a Web fetch handler, or a TSGI application. */
export type ApplicationKind = 'express' | 'fetch' | 'tsgi';

/** `path[:export[:kind]]`, parsed. */
export interface ApplicationSpec {
  path: string;
  /** The export that is the application; without it the module's conventional exports are looked for. */
  exportName?: string;
  /** Without it, the kind follows from the value (see `requireApplication`). */
  kind?: ApplicationKind;
}

/** What `loadApplication` found: the application, and where and what it is, for the log. */
export interface LoadedApplication {
  application: Application;
  kind: ApplicationKind;
  /** The absolute path of the module. */
  path: string;
  /** The export it came from; `module.exports` for the module itself. */
  exportName: string;
}

const KINDS: readonly string[] = ['express', 'fetch', 'tsgi'] satisfies ApplicationKind[];
const SPEC = /^(.+?)(?::([A-Za-z_$][\w$]*)(?::([a-z]+))?)?$/;

/**
 * Parses a module spec the way uWSGI's `module=pkg:app` reads: `path[:export[:kind]]`, the kind one of `express`,
 * `fetch` or `tsgi`. Throws a message that names what is wrong.
 *
 * @example
 * parseApplicationSpec('examples/tsgi-demo/dist/index.cjs:application:tsgi')
 * // { path: 'examples/tsgi-demo/dist/index.cjs', exportName: 'application', kind: 'tsgi' }
 */
export function parseApplicationSpec(spec: string): ApplicationSpec {
  const match = SPEC.exec(spec);
  if (match === null || (match[1] as string).trim() === '') {
    throw new Error(`${JSON.stringify(spec)} is not a module spec: path[:export[:express|fetch|tsgi]]`);
  }
  const [, path, exportName, kind] = match as unknown as [string, string, string | undefined, string | undefined];
  if (kind !== undefined && !KINDS.includes(kind)) {
    throw new Error(`${JSON.stringify(spec)}: the kind is express, fetch or tsgi, not ${JSON.stringify(kind)}`);
  }
  return {
    path,
    ...(exportName === undefined ? {} : { exportName }),
    ...(kind === undefined ? {} : { kind: kind as ApplicationKind }),
  };
}

/**
 * Loads an application by module spec (uWSGI's `module=`) and returns it with its kind: `path[:export[:kind]]`, the
 * path a .js or .cjs module (relative paths from the working directory), or .ts with erasable syntax only (Node 24
 * strips it). See `requireApplication` for how the application is found and its kind told.
 *
 * @example
 * const { application, kind } = loadApplication('examples/fetch-demo/dist/index.cjs');
 */
export function loadApplication(spec: string): LoadedApplication {
  const { path: relative, exportName, kind } = parseApplicationSpec(spec);
  const path = resolve(relative);
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- the module is named at run time
  const loaded = require(path) as unknown;
  if (exportName !== undefined) {
    const value = (loaded as Record<string, unknown> | null)?.[exportName];
    if (value === undefined) throw new Error(`${path} has no export \`${exportName}\``);
    return adapt(value, kind ?? kindOf(value, exportName), path, exportName);
  }
  const found = conventional(loaded as AppModule) ?? conventional((loaded as AppModule).default);
  if (found === undefined) throw new Error(`${path} exports no \`application\`, \`app\` or \`fetch\` function`);
  return adapt(found.value, kind ?? found.kind, path, found.exportName);
}

/**
 * Loads an application by module spec, `path[:export[:kind]]`, as a TSGI application. With an export named, the
 * value's kind is told from its shape unless the spec says it: an object with a `fetch` method is a Web fetch
 * handler (hosted through `fromFetch`), a function with `handle` and `set` an Express app (`fromExpress`), any other
 * function a TSGI application — except a function exported as `fetch`, which is a fetch handler; `:express` hosts
 * any Node `(req, res)` listener. Without an export the module gives its application by convention: `application`
 * (TSGI), `app` (an Express app or any Node listener), or itself when it has a `fetch` function (a fetch handler),
 * directly, on its default export, or as `module.exports` itself (classified by shape).
 *
 * @example
 * const application = requireApplication('examples/fetch-demo/dist/index.cjs');
 */
export function requireApplication(spec: string): Application {
  return loadApplication(spec).application;
}

interface AppModule {
  application?: unknown;
  app?: unknown;
  fetch?: unknown;
  default?: AppModule;
}

function conventional(
  exports: AppModule | undefined,
): { value: unknown; kind: ApplicationKind; exportName: string } | undefined {
  if (exports === undefined || exports === null) return undefined;
  if (typeof exports.application === 'function')
    return { value: exports.application, kind: 'tsgi', exportName: 'application' };
  if (typeof exports.app === 'function') return { value: exports.app, kind: 'express', exportName: 'app' };
  if (typeof exports.fetch === 'function') return { value: exports, kind: 'fetch', exportName: 'module.exports' };
  if (typeof exports === 'function') return { value: exports, kind: kindOf(exports, ''), exportName: 'module.exports' };
  return undefined;
}

function kindOf(value: unknown, exportName: string): ApplicationKind {
  if (typeof value === 'object' && value !== null && typeof (value as { fetch?: unknown }).fetch === 'function') {
    return 'fetch';
  }
  if (typeof value === 'function') {
    const fn = value as { handle?: unknown; set?: unknown };
    if (typeof fn.handle === 'function' && typeof fn.set === 'function') return 'express';
    return exportName === 'fetch' ? 'fetch' : 'tsgi';
  }
  return 'tsgi';
}

function adapt(value: unknown, kind: ApplicationKind, path: string, exportName: string): LoadedApplication {
  const where = `${path}: \`${exportName}\``;
  switch (kind) {
    case 'express':
      if (typeof value !== 'function')
        throw new Error(`${where} is not an Express app or a Node listener (a function)`);
      return { application: fromExpress(value as NodeListener), kind, path, exportName };
    case 'fetch': {
      const handler = fetchHandler(value);
      if (handler === undefined)
        throw new Error(`${where} is not a fetch handler (a function, or an object with \`fetch\`)`);
      return { application: fromFetch(handler), kind, path, exportName };
    }
    case 'tsgi':
      if (typeof value !== 'function') throw new Error(`${where} is not a TSGI application (a function)`);
      return { application: value as Application, kind, path, exportName };
  }
}

function fetchHandler(value: unknown): FetchHandler | undefined {
  if (typeof value === 'function' && typeof (value as { fetch?: unknown }).fetch !== 'function') {
    return value as FetchHandler;
  }
  const fetch = (value as { fetch?: unknown } | null)?.fetch;
  return typeof fetch === 'function' ? (fetch as FetchHandler).bind(value) : undefined;
}
