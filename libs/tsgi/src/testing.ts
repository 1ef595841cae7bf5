import { createEnviron, type RequestVariables } from './create-environ';
import type { ConformanceError } from './conformance-error';
import { describeEnviron } from './describe-environ';
import type { Application, Environ, ErrorStream, HeaderList, ResponseBody } from './environ';
import { createInputStream } from './input-stream';
import { runApplication, type ResponseOutput } from './run-application';
import { validator } from './validator';

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
  /** Resolves once `count` events of `type` were recorded (at once if they were): wait on it instead of sleeping. */
  until(type: Recording['events'][number]['type'], count?: number): Promise<void>;
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
    inputTerminated: chunks.length > 0 && variables.CONTENT_LENGTH === '',
    input: () =>
      createInputStream(
        (async function* () {
          yield* chunks;
        })(),
      ),
    errors,
    signal: controller.signal,
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
  const waiting = new Set<() => void>();
  const record = (event: Recording['events'][number]) => {
    events.push(event);
    for (const check of waiting) check();
  };
  let aborted = false;
  let onAbort: (() => void) | undefined;
  const output: ResponseOutput = {
    get aborted() {
      return aborted;
    },
    whenAborted: (listener) => (onAbort = listener),
    head: (code, reason, headers) => record({ type: 'head', code, reason, headers }),
    write: (chunk) => record({ type: 'data', chunk: Buffer.from(chunk) }),
    end: () => record({ type: 'end' }),
    fail: (error, headSent) => record({ type: 'fail', error, headSent }),
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
    until(type, count = 1) {
      return new Promise((resolve) => {
        const check = () => {
          if (events.filter((e) => e.type === type).length < count) return;
          waiting.delete(check);
          resolve();
        };
        waiting.add(check);
        check();
      });
    },
    abort() {
      aborted = true;
      controller.abort();
      onAbort?.();
    },
  };
}

/** One request of the conformance suite, for any server: what to send and what must come back. */
export interface ConformanceCase {
  name: string;
  method: 'GET' | 'POST';
  target: string;
  /** Body chunks, sent with a Content-Length unless `chunked`. */
  body?: string[];
  chunked?: boolean;
  /** The client goes away after the first body bytes: the server must abort the signal and close the body. */
  abort?: true;
  status: number;
  response?: string;
}

/** The requests that exercise every rule of the server's side through `conformanceProbe`. */
export const CONFORMANCE_CASES: readonly ConformanceCase[] = [
  { name: 'a one-chunk body', method: 'GET', target: '/hello', status: 200, response: 'Hello World!' },
  { name: 'the environ', method: 'GET', target: '/environ?a=1', status: 200 },
  {
    name: 'read(size) up to CONTENT_LENGTH',
    method: 'POST',
    target: '/read',
    body: ['abc', 'defgh', 'ij'],
    status: 200,
    response: 'abcdefghij',
  },
  {
    name: 'read() of a chunked body',
    method: 'POST',
    target: '/read',
    body: ['abc', 'def'],
    chunked: true,
    status: 200,
    response: 'abcdef',
  },
  {
    name: 'readline() to the end',
    method: 'POST',
    target: '/readline',
    body: ['one\ntw', 'o\nthree'],
    status: 200,
    response: 'one\n|two\n|three|',
  },
  {
    name: 'the input iterated and streamed back',
    method: 'POST',
    target: '/iterate',
    body: ['x'.repeat(70_000), 'y'],
    status: 200,
    response: `${'x'.repeat(70_000)}y`,
  },
  { name: 'an empty POST', method: 'POST', target: '/read', body: [], status: 200, response: '' },
  {
    name: 'flush() then chunks as they come',
    method: 'GET',
    target: '/stream',
    status: 200,
    response: 'one\ntwo\nthree\n',
  },
  { name: 'a 204 without a body', method: 'GET', target: '/empty', status: 204, response: '' },
  {
    name: 'headers replaced with excInfo before the head',
    method: 'GET',
    target: '/replace',
    status: 503,
    response: 'replaced',
  },
  { name: 'the client going away mid-body', method: 'GET', target: '/wait', abort: true, status: 200 },
];

/**
 * A correct application behind `validator`, for checking a server's side of the interface: it reads the input in
 * every way the interface allows, streams, flushes, replaces its headers with excInfo and waits for the abort.
 * `violations` collects what the validator caught; `closed()` resolves when the server closed the next body.
 *
 * @example
 * const probe = conformanceProbe();
 * // serve probe.application, send each of CONFORMANCE_CASES, then:
 * await probe.closed(); expect(probe.violations).toEqual([]);
 */
export function conformanceProbe(): {
  application: Application;
  violations: ConformanceError[];
  closed(): Promise<void>;
} {
  const violations: ConformanceError[] = [];
  const closes: Array<() => void> = [];
  let pending = 0;
  const onClose = () => {
    const waiter = closes.shift();
    if (waiter) waiter();
    else pending += 1;
  };
  const application = validator(probeRoutes(onClose), { onViolation: (violation) => violations.push(violation) });
  return {
    application,
    violations,
    closed: () => {
      if (pending > 0) {
        pending -= 1;
        return Promise.resolve();
      }
      return new Promise((resolve) => closes.push(resolve));
    },
  };
}

function probeRoutes(onClose: () => void): Application {
  const closable = (body: Uint8Array[] | AsyncIterable<Uint8Array>): ResponseBody =>
    Array.isArray(body)
      ? Object.assign(body, { close: onClose })
      : { [Symbol.asyncIterator]: () => body[Symbol.asyncIterator](), close: onClose };
  const text: HeaderList = [['Content-Type', 'text/plain']];
  return async function probe(environ, startResponse) {
    const input = environ['tsgi.input'];
    switch (environ.PATH_INFO) {
      case '/hello':
        startResponse('200 OK', text);
        return closable([Buffer.from('Hello World!')]);
      case '/environ':
        startResponse('200 OK', [['Content-Type', 'application/json']]);
        return closable([Buffer.from(JSON.stringify(describeEnviron(environ)))]);
      case '/read': {
        const chunks: Uint8Array[] = [];
        if (environ.CONTENT_LENGTH === '') chunks.push(await input.read());
        for (let left = Number(environ.CONTENT_LENGTH); left > 0;) {
          const chunk = await input.read(Math.min(left, 4));
          if (chunk.byteLength === 0) break;
          chunks.push(chunk);
          left -= chunk.byteLength;
        }
        startResponse('200 OK', text);
        return closable([Buffer.concat(chunks)]);
      }
      case '/readline': {
        const lines: string[] = [];
        for (let line = await input.readline(); line.byteLength > 0; line = await input.readline()) {
          lines.push(Buffer.from(line).toString());
        }
        startResponse('200 OK', text);
        return closable([Buffer.from(lines.map((line) => `${line}|`).join(''))]);
      }
      case '/iterate':
        startResponse('200 OK', text);
        return closable(
          (async function* () {
            for await (const chunk of input) yield chunk;
          })(),
        );
      case '/stream': {
        const flush = startResponse('200 OK', text);
        flush();
        return closable(
          (async function* () {
            for (const line of ['one', 'two', 'three']) {
              await new Promise((resolve) => setImmediate(resolve));
              yield Buffer.from(`${line}\n`);
            }
          })(),
        );
      }
      case '/empty':
        startResponse('204 No Content', []);
        return closable([]);
      case '/replace':
        startResponse('200 OK', text);
        startResponse('503 Service Unavailable', text, new Error('changed its mind before the head'));
        return closable([Buffer.from('replaced')]);
      case '/wait': {
        const signal = environ['tsgi.signal'];
        startResponse('200 OK', text);
        return closable(
          (async function* () {
            yield Buffer.from('waiting for the client to leave\n');
            if (!signal.aborted)
              await new Promise((resolve) => signal.addEventListener('abort', resolve, { once: true }));
          })(),
        );
      }
      default:
        startResponse('404 Not Found', text);
        return closable([Buffer.from('Not Found')]);
    }
  };
}
