/**
 * TSGI, the TypeScript Server Gateway Interface: PEP 3333 (WSGI) for TypeScript. README.md is the specification;
 * these are its types.
 */

/** Header fields as ordered `[name, value]` pairs: original case, repeated fields kept. */
export type HeaderList = Array<[name: string, value: string]>;

/** `tsgi.input`: the request body, streamed. Reads past the end return an empty chunk (PEP 3333's simulated EOF). */
export interface InputStream extends AsyncIterable<Uint8Array> {
  /** Up to `size` bytes (all that is left without `size`); an empty array at the end. */
  read(size?: number): Promise<Uint8Array>;
  /** One line including its `\n` (at most `size` bytes); an empty array at the end. */
  readline(size?: number): Promise<Uint8Array>;
}

/** `tsgi.errors`: where an application writes diagnostics (the framework's log, with the request's trace id). */
export interface ErrorStream {
  write(text: string): void;
  writelines(lines: Iterable<string>): void;
  flush(): void;
}

/** The CGI variables of a request (PEP 3333 "environ Variables"): strings, "" when absent. */
export interface CgiVariables {
  REQUEST_METHOD: string;
  /** The application's mount point: "" at the root, else starts with "/" and never ends with it. */
  SCRIPT_NAME: string;
  /** The path below the mount point, percent-decoded; "" or starts with "/". */
  PATH_INFO: string;
  /** As received, without "?", not decoded. */
  QUERY_STRING: string;
  CONTENT_TYPE: string;
  CONTENT_LENGTH: string;
  SERVER_NAME: string;
  SERVER_PORT: string;
  SERVER_PROTOCOL: string;
  REMOTE_ADDR: string;
  REMOTE_PORT: string;
  /** The request-target as received, undecoded (uWSGI's REQUEST_URI). */
  REQUEST_URI: string;
  /** The HTTP request header fields, one variable per name (PEP 3333); see `httpVariables`. */
  [variable: `HTTP_${string}`]: string;
  /** Further variables the gateway sets (REQUEST_ID, …). */
  [variable: string]: unknown;
}

/** The keys PEP 3333 names `wsgi.*`, under this interface's prefix. */
export interface TsgiVariables {
  'tsgi.version': readonly [1, 0];
  'tsgi.url_scheme': 'http' | 'https';
  'tsgi.input': InputStream;
  'tsgi.errors': ErrorStream;
  /** Whether the application may be invoked again while a call is still running (true: requests interleave). */
  'tsgi.multithread': boolean;
  /** Whether other processes run the same application object (several framework instances). */
  'tsgi.multiprocess': boolean;
  'tsgi.run_once': boolean;
  /** The input ends at the body's end even without Content-Length (chunked bodies): always true here. */
  'tsgi.input_terminated': boolean;
  /** The request header fields, raw and in order: what `HTTP_*` flattens. */
  'tsgi.headers': ReadonlyArray<readonly [string, string]>;
  /** Aborts when the client goes away, the head is not sent by the deadline, or the body idles; stop work and return. */
  'tsgi.signal': AbortSignal;
  /** Epoch milliseconds by which the response head must be sent (Infinity without a head limit). */
  'tsgi.deadline': number;
}

export type Environ = CgiVariables & TsgiVariables;

/** The CGI variables every environ has (`CgiVariables`' keys). */
export const CGI_KEYS = [
  'REQUEST_METHOD',
  'SCRIPT_NAME',
  'PATH_INFO',
  'QUERY_STRING',
  'CONTENT_TYPE',
  'CONTENT_LENGTH',
  'SERVER_NAME',
  'SERVER_PORT',
  'SERVER_PROTOCOL',
  'REMOTE_ADDR',
  'REMOTE_PORT',
  'REQUEST_URI',
] as const satisfies ReadonlyArray<keyof CgiVariables>;

/** The `tsgi.*` keys every environ has (`TsgiVariables`' keys). */
export const TSGI_KEYS = [
  'tsgi.version',
  'tsgi.url_scheme',
  'tsgi.input',
  'tsgi.errors',
  'tsgi.multithread',
  'tsgi.multiprocess',
  'tsgi.run_once',
  'tsgi.input_terminated',
  'tsgi.headers',
  'tsgi.signal',
  'tsgi.deadline',
] as const satisfies ReadonlyArray<keyof TsgiVariables>;

/** PEP 3333's exc_info: the error being handled, when an application replaces its headers after a failure. */
export type ExcInfo = unknown;

/**
 * Sends the response head now, before any body bytes: for streaming responses whose first chunk comes later.
 * (PEP 3333's start_response returns a legacy `write()`; TSGI returns this instead.)
 */
export type Flush = () => void;

/**
 * Records the response status (`"200 OK"`) and header fields. Nothing is sent until the first non-empty body chunk,
 * the end of an empty body, or `flush()`. A second call needs `excInfo`; after the head was sent it throws `excInfo`.
 */
export type StartResponse = (status: string, headers: HeaderList, excInfo?: ExcInfo) => Flush;

/** The response body: chunks of bytes, sent as they come. `close()`, when present, is always called. */
export type ResponseBody = (Iterable<Uint8Array> | AsyncIterable<Uint8Array>) & {
  close?: () => void | Promise<void>;
};

/**
 * A TSGI application: WSGI's `application(environ, start_response)` (PEP 3333; docs/background.md).
 *
 * @example
 * const hello: Application = (environ, startResponse) => {
 *   startResponse('200 OK', [['Content-Type', 'text/plain']]);
 *   return [Buffer.from('Hello World!')];
 * };
 */
export type Application = (environ: Environ, startResponse: StartResponse) => ResponseBody | Promise<ResponseBody>;
