import type { Environ, ErrorStream, InputStream } from './environ';
import { httpVariables } from './http-variables';

/** The CGI variables a gateway sends for a request, before the HTTP_* view is added. */
export interface RequestVariables {
  REQUEST_METHOD: string;
  SCRIPT_NAME: string;
  PATH_INFO: string;
  QUERY_STRING: string;
  CONTENT_TYPE: string;
  CONTENT_LENGTH: string;
  SERVER_NAME: string;
  SERVER_PORT: string;
  SERVER_PROTOCOL: string;
  REMOTE_ADDR: string;
  REMOTE_PORT: string;
  REQUEST_URI: string;
}

/** What only the process that runs the application can supply. */
export interface LiveParts {
  urlScheme: 'http' | 'https';
  headers: ReadonlyArray<readonly [string, string]>;
  /** A body of unknown length follows (CONTENT_LENGTH is ""): `tsgi.input_terminated`, read it to its end. */
  inputTerminated: boolean;
  /** Called once, when the application first touches `tsgi.input`. */
  input: () => InputStream;
  errors: ErrorStream;
  /** Called once, when the application first touches `tsgi.signal`. */
  signal: () => AbortSignal;
  deadline: number;
  multiprocess: boolean;
  /** Further CGI variables (REQUEST_ID, …); they never replace the ones above. */
  extra?: Readonly<Record<string, string>>;
  /**
   * The application's own environment variables, which PEP 3333 lets the environ carry (as mod_wsgi's SetEnv does);
   * every other key wins over them.
   */
  env?: Readonly<Record<string, string>>;
}

/** Per-request state behind the lazy keys, on the environ itself under a symbol (not enumerable). */
const LIVE = Symbol('tsgi.live');

interface Lazy {
  live: LiveParts;
  input?: InputStream;
  signal?: AbortSignal;
}

type WithLive = { [LIVE]: Lazy };

/**
 * The lazy keys' accessors, the same functions for every environ. Accessors made per request (a getter in the
 * object literal) give each environ a hidden class of its own, and that class holds on to the request's closures
 * from the old generation: every request's objects were promoted, which made each scavenge take ~10 ms
 * (docs/adr/0003-memory.md).
 */
const LAZY_KEYS: PropertyDescriptorMap = {
  'tsgi.input': {
    enumerable: true,
    configurable: true,
    get(this: WithLive) {
      const lazy = this[LIVE];
      lazy.input ??= lazy.live.input();
      return lazy.input;
    },
  },
  'tsgi.signal': {
    enumerable: true,
    configurable: true,
    get(this: WithLive) {
      const lazy = this[LIVE];
      lazy.signal ??= lazy.live.signal();
      return lazy.signal;
    },
  },
};

/**
 * Assembles an environ: the gateway's CGI variables, the HTTP_* view of the raw headers, and the `tsgi.*` keys.
 * The input stream and the abort signal are made when first used: most requests touch neither.
 *
 * @example
 * const environ = createEnviron(variables, { urlScheme: 'http', headers, input: () => input, errors,
 *   signal: () => signal, deadline: Infinity, multiprocess: false });
 */
export function createEnviron(variables: RequestVariables, live: LiveParts): Environ {
  const environ = {
    ...live.env,
    ...live.extra,
    ...httpVariables(live.headers),
    ...variables,
    'tsgi.version': [1, 0],
    'tsgi.url_scheme': live.urlScheme,
    'tsgi.errors': live.errors,
    'tsgi.multithread': true,
    'tsgi.multiprocess': live.multiprocess,
    'tsgi.run_once': false,
    'tsgi.input_terminated': live.inputTerminated,
    'tsgi.headers': live.headers,
    'tsgi.deadline': live.deadline,
  };
  Object.defineProperty(environ, LIVE, { value: { live } satisfies Lazy });
  return Object.defineProperties(environ, LAZY_KEYS) as unknown as Environ;
}
