import { createEnviron, type RequestVariables } from './create-environ';
import type { Application, Environ, ErrorStream, HeaderList } from './environ';
import { createInputStream } from './input-stream';
import { runApplication, type ResponseOutput } from './run-application';

export interface TestRequest {
  method?: string;
  uri?: string;
  scriptName?: string;
  headers?: HeaderList;
  body?: Uint8Array[];
  remoteAddr?: string;
  urlScheme?: 'http' | 'https';
}

/** Everything the host sent, in order, as a client on the other side of the gateway would see it. */
export interface Recording {
  events: Array<
    | { type: 'head'; code: number; reason: string; headers: HeaderList }
    | { type: 'data'; chunk: Buffer }
    | { type: 'end' }
    | { type: 'fail'; error: unknown; headSent: boolean }
  >;
  readonly status: number | undefined;
  readonly headers: HeaderList;
  readonly body: string;
  readonly done: Promise<void>;
  /** Simulates the client going away: the host aborts and closes the body. */
  abort(): void;
}

/** An environ for a request, with the body from `body` and a fresh abort signal. */
export function testEnviron(request: TestRequest = {}, controller = new AbortController()): Environ {
  const uri = request.uri ?? '/';
  const scriptName = request.scriptName ?? '';
  const [pathPart, query = ''] = uri.split('?') as [string, string?];
  const headers = request.headers ?? [['Host', 'example.test']];
  const header = (name: string) => headers.find(([n]) => n.toLowerCase() === name)?.[1] ?? '';
  const variables: RequestVariables = {
    REQUEST_METHOD: request.method ?? 'GET',
    SCRIPT_NAME: scriptName,
    PATH_INFO: decodeURIComponent(pathPart.slice(scriptName.length)),
    QUERY_STRING: query,
    CONTENT_TYPE: header('content-type'),
    CONTENT_LENGTH: header('content-length'),
    SERVER_NAME: 'example.test',
    SERVER_PORT: '80',
    SERVER_PROTOCOL: 'HTTP/1.1',
    REMOTE_ADDR: request.remoteAddr ?? '192.0.2.10',
    REMOTE_PORT: '51000',
    REQUEST_URI: uri,
  };
  const chunks = request.body ?? [];
  const errors: ErrorStream = { write() {}, writelines() {}, flush() {} };
  return createEnviron(variables, {
    urlScheme: request.urlScheme ?? 'http',
    headers,
    input: () =>
      createInputStream(
        (async function* () {
          yield* chunks;
        })(),
      ),
    errors,
    signal: () => controller.signal,
    deadline: Infinity,
    multiprocess: false,
    extra: { REQUEST_ID: 'test-request' },
  });
}

/** Runs `app` on a request through the interface's host and records what it sends. */
export function invoke(app: Application, request: TestRequest = {}): Recording {
  const controller = new AbortController();
  const environ = testEnviron(request, controller);
  const events: Recording['events'] = [];
  let aborted = false;
  let onAbort: (() => void) | undefined;
  const output: ResponseOutput = {
    get aborted() {
      return aborted;
    },
    whenAborted: (listener) => (onAbort = listener),
    head: (code, reason, headers) => events.push({ type: 'head', code, reason, headers }),
    write: (chunk) => {
      events.push({ type: 'data', chunk: Buffer.from(chunk) });
    },
    end: () => events.push({ type: 'end' }),
    fail: (error, headSent) => events.push({ type: 'fail', error, headSent }),
  };
  const done = runApplication(app, environ, output);
  return {
    events,
    done,
    get status() {
      const head = events.find((e) => e.type === 'head');
      return head?.type === 'head' ? head.code : undefined;
    },
    get headers() {
      const head = events.find((e) => e.type === 'head');
      return head?.type === 'head' ? head.headers : [];
    },
    get body() {
      return Buffer.concat(events.flatMap((e) => (e.type === 'data' ? [e.chunk] : []))).toString();
    },
    abort() {
      aborted = true;
      controller.abort();
      onAbort?.();
    },
  };
}
