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
  /** Called once, when the application first touches `tsgi.input`. */
  input: () => InputStream;
  errors: ErrorStream;
  /** Called once, when the application first touches `tsgi.signal`. */
  signal: () => AbortSignal;
  deadline: number;
  multiprocess: boolean;
  /** Further CGI variables (REQUEST_ID, …); they never replace the ones above. */
  extra?: Readonly<Record<string, string>>;
}

/**
 * Assembles an environ: the gateway's CGI variables, the HTTP_* view of the raw headers, and the `tsgi.*` keys.
 * The input stream and the abort signal are made when first used: most requests touch neither.
 *
 * @example
 * const environ = createEnviron(variables, { urlScheme: 'http', headers, input: () => input, errors,
 *   signal: () => signal, deadline: Infinity, multiprocess: false });
 */
export function createEnviron(variables: RequestVariables, live: LiveParts): Environ {
  let input: InputStream | undefined;
  let signal: AbortSignal | undefined;
  return {
    ...live.extra,
    ...httpVariables(live.headers),
    ...variables,
    'tsgi.version': [1, 0],
    'tsgi.url_scheme': live.urlScheme,
    get 'tsgi.input'() {
      input ??= live.input();
      return input;
    },
    'tsgi.errors': live.errors,
    'tsgi.multithread': true,
    'tsgi.multiprocess': live.multiprocess,
    'tsgi.run_once': false,
    'tsgi.input_terminated': true,
    'tsgi.headers': live.headers,
    get 'tsgi.signal'() {
      signal ??= live.signal();
      return signal;
    },
    'tsgi.deadline': live.deadline,
  };
}
