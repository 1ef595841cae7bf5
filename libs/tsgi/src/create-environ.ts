import { CGI_KEYS, TSGI_KEYS, type CgiVariables, type Environ, type ErrorStream, type InputStream } from './environ';
import { addHttpVariables, httpVariables } from './http-variables';

/** The CGI variables a gateway sends for a request, before the HTTP_* view is added. */
export type RequestVariables = Pick<CgiVariables, (typeof CGI_KEYS)[number]>;

/** What only the process that runs the application can supply. */
export interface LiveParts {
  urlScheme: 'http' | 'https';
  headers: ReadonlyArray<readonly [string, string]>;
  /** A body of unknown length follows (CONTENT_LENGTH is ""): `tsgi.input_terminated`, read it to its end. */
  inputTerminated: boolean;
  /** Called once, when the application first reads from `tsgi.input`. */
  input: () => InputStream;
  errors: ErrorStream;
  signal: AbortSignal;
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

/**
 * Assembles an environ: the gateway's CGI variables, the HTTP_* view of the raw headers, and the `tsgi.*` keys, every
 * one a plain data property. The input stream behind `tsgi.input` is made when the application first reads it: most
 * requests never do. (Getters defined on each environ cost ~0.5 µs a request, more than the rest of it together.)
 * The keys every environ has come first, in one object literal; the others are added to it (ADR-0033).
 *
 * @example
 * const environ = createEnviron(variables, { urlScheme: 'http', headers, input: () => input, errors,
 *   signal, deadline: Infinity, multiprocess: false });
 */
export function createEnviron(variables: RequestVariables, live: LiveParts): Environ {
  const environ: Record<string, unknown> = {
    REQUEST_METHOD: variables.REQUEST_METHOD,
    SCRIPT_NAME: variables.SCRIPT_NAME,
    PATH_INFO: variables.PATH_INFO,
    QUERY_STRING: variables.QUERY_STRING,
    CONTENT_TYPE: variables.CONTENT_TYPE,
    CONTENT_LENGTH: variables.CONTENT_LENGTH,
    SERVER_NAME: variables.SERVER_NAME,
    SERVER_PORT: variables.SERVER_PORT,
    SERVER_PROTOCOL: variables.SERVER_PROTOCOL,
    REMOTE_ADDR: variables.REMOTE_ADDR,
    REMOTE_PORT: variables.REMOTE_PORT,
    REQUEST_URI: variables.REQUEST_URI,
    'tsgi.version': [1, 0],
    'tsgi.url_scheme': live.urlScheme,
    'tsgi.errors': live.errors,
    'tsgi.multithread': true,
    'tsgi.multiprocess': live.multiprocess,
    'tsgi.run_once': false,
    'tsgi.input_terminated': live.inputTerminated,
    'tsgi.headers': live.headers,
    'tsgi.deadline': live.deadline,
    'tsgi.input': new LazyInput(live.input),
    'tsgi.signal': live.signal,
  };
  // Below the keys above, in rising precedence: the application's env, the extra variables, the HTTP_* fields.
  let shadowed = false;
  if (live.env !== undefined) shadowed = addBelow(environ, live.env);
  if (live.extra !== undefined) shadowed = addBelow(environ, live.extra) || shadowed;
  if (shadowed) Object.assign(environ, httpVariables(live.headers));
  else addHttpVariables(environ, live.headers);
  return environ as unknown as Environ;
}

/** The keys every environ has, which nothing else replaces. */
const OWN_KEYS: ReadonlySet<string> = new Set([...CGI_KEYS, ...TSGI_KEYS]);

/** Adds the variables whose keys no environ has of its own; true when one of them is an HTTP_* key. */
function addBelow(environ: Record<string, unknown>, variables: Readonly<Record<string, string>>): boolean {
  let http = false;
  for (const key of Object.keys(variables)) {
    if (OWN_KEYS.has(key)) continue;
    environ[key] = variables[key];
    if (key.startsWith('HTTP_')) http = true;
  }
  return http;
}

/** `tsgi.input` that makes the real stream on the first read, readline or iteration. */
class LazyInput implements InputStream {
  readonly #make: () => InputStream;
  #stream: InputStream | undefined;

  constructor(make: () => InputStream) {
    this.#make = make;
  }

  read(size?: number): Promise<Uint8Array> {
    return this.#open().read(size);
  }

  readline(size?: number): Promise<Uint8Array> {
    return this.#open().readline(size);
  }

  [Symbol.asyncIterator](): AsyncIterator<Uint8Array> {
    return this.#open()[Symbol.asyncIterator]();
  }

  #open(): InputStream {
    this.#stream ??= this.#make();
    return this.#stream;
  }
}
