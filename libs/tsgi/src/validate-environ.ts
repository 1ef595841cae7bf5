import { CGI_KEYS, TSGI_KEYS, type Environ, type ErrorStream, type InputStream } from './environ';
import type { RequestCheck } from './validator';

const FLAGS = ['tsgi.multithread', 'tsgi.multiprocess', 'tsgi.run_once', 'tsgi.input_terminated'] as const;
const METHOD = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;

/** The server's side of the environ, before the application sees it (wsgiref's check_environ). */
export function checkEnviron(environ: Environ, check: RequestCheck): void {
  if (typeof environ !== 'object' || environ === null) {
    throw check.violation('environ.keys', `the environ is ${environ === null ? 'null' : typeof environ}`);
  }
  const missing = [...CGI_KEYS, ...TSGI_KEYS].filter((key) => !(key in environ));
  if (missing.length > 0) throw check.violation('environ.keys', `missing ${missing.join(', ')}`);
  for (const key of Object.keys(environ)) {
    if (key.includes('.')) continue;
    const value = environ[key];
    if (typeof value !== 'string') throw check.violation('environ.types', `${key} is ${typeof value}, not a string`);
  }
  checkTsgiTypes(environ, check);
  for (const key of ['HTTP_CONTENT_TYPE', 'HTTP_CONTENT_LENGTH']) {
    if (key in environ) throw check.violation('environ.http-vars', `${key} is set (use ${key.slice(5)})`);
  }
  if (!/^\d*$/.test(environ.CONTENT_LENGTH)) {
    throw check.violation('environ.content-length', `CONTENT_LENGTH is ${JSON.stringify(environ.CONTENT_LENGTH)}`);
  }
  const script = environ.SCRIPT_NAME;
  if (script !== '' && (!script.startsWith('/') || script.endsWith('/'))) {
    throw check.violation('environ.script-name', `SCRIPT_NAME is ${JSON.stringify(script)}`);
  }
  const path = environ.PATH_INFO;
  if ((path !== '' && !path.startsWith('/')) || (path === '' && script === '')) {
    throw check.violation(
      'environ.path-info',
      `PATH_INFO is ${JSON.stringify(path)} with SCRIPT_NAME ${JSON.stringify(script)}`,
    );
  }
}

function checkTsgiTypes(environ: Environ, check: RequestCheck): void {
  const wrong = (detail: string) => check.violation('environ.types', detail);
  const version = environ['tsgi.version'] as unknown;
  if (!Array.isArray(version) || version.length !== 2 || version[0] !== 1 || version[1] !== 0) {
    throw wrong(`tsgi.version is ${JSON.stringify(version)}, not [1, 0]`);
  }
  const scheme = environ['tsgi.url_scheme'] as unknown;
  if (scheme !== 'http' && scheme !== 'https') throw wrong(`tsgi.url_scheme is ${JSON.stringify(scheme)}`);
  for (const key of FLAGS) {
    if (typeof environ[key] !== 'boolean') throw wrong(`${key} is ${typeof environ[key]}, not a boolean`);
  }
  const headers = environ['tsgi.headers'] as unknown;
  const pair = (h: unknown) => Array.isArray(h) && h.length === 2 && h.every((part) => typeof part === 'string');
  if (!Array.isArray(headers) || !headers.every(pair)) throw wrong('tsgi.headers is not a list of [name, value]');
  if (!(environ['tsgi.signal'] instanceof AbortSignal)) throw wrong('tsgi.signal is not an AbortSignal');
  if (typeof environ['tsgi.deadline'] !== 'number') throw wrong('tsgi.deadline is not a number');
  if (!METHOD.test(environ.REQUEST_METHOD)) throw wrong(`REQUEST_METHOD is ${JSON.stringify(environ.REQUEST_METHOD)}`);
}

/**
 * Replaces `tsgi.input` with a checking wrapper, still made when the application first touches it: the server's
 * stream must give bytes and no more than CONTENT_LENGTH; the application must not ask past CONTENT_LENGTH.
 */
export function validateInput(environ: Environ, check: RequestCheck): void {
  const descriptor = Object.getOwnPropertyDescriptor(environ, 'tsgi.input');
  const original = () => (descriptor?.get ? (descriptor.get.call(environ) as unknown) : descriptor?.value);
  let wrapped: InputStream | undefined;
  Object.defineProperty(environ, 'tsgi.input', {
    enumerable: true,
    configurable: true,
    get() {
      wrapped ??= checkedInput(original(), check);
      return wrapped;
    },
  });
}

function checkedInput(input: unknown, check: RequestCheck): InputStream {
  const stream = input as Partial<InputStream> | null;
  if (
    !stream ||
    typeof stream.read !== 'function' ||
    typeof stream.readline !== 'function' ||
    typeof stream[Symbol.asyncIterator] !== 'function'
  ) {
    throw check.violation('environ.types', 'tsgi.input has no read(), readline() and async iterator');
  }
  const source = stream as InputStream;
  const declared = check.environ.CONTENT_LENGTH === '' ? Infinity : Number(check.environ.CONTENT_LENGTH);
  let delivered = 0;

  const asking = (what: string, size: number | undefined) => {
    if (size !== undefined && (!Number.isInteger(size) || size < 0)) {
      throw check.violation('input.size', `${what}(${String(size)})`);
    }
    if (size !== undefined && delivered >= declared) {
      throw check.violation('input.past-length', `${what}(${size}) after all ${declared} bytes were read`);
    }
  };
  const received = (what: string, chunk: unknown, size?: number): Uint8Array => {
    if (!(chunk instanceof Uint8Array)) {
      throw check.violation('input.bytes', `${what} gave ${typeof chunk}, not a Uint8Array`);
    }
    if (size !== undefined && chunk.byteLength > size) {
      throw check.violation('input.bytes', `${what}(${size}) gave ${chunk.byteLength} bytes`);
    }
    delivered += chunk.byteLength;
    if (delivered > declared) {
      throw check.violation('input.length', `the input gave ${delivered} bytes, CONTENT_LENGTH is ${declared}`);
    }
    return chunk;
  };

  return {
    async read(size?: number) {
      asking('read', size);
      return received('read', await source.read(size), size);
    },
    async readline(size?: number) {
      asking('readline', size);
      return received('readline', await source.readline(size), size);
    },
    async *[Symbol.asyncIterator]() {
      for await (const chunk of source) yield received('iteration', chunk);
    },
  };
}

/** Replaces `tsgi.errors` with a wrapper that checks the application writes strings. */
export function validateErrors(environ: Environ, check: RequestCheck): void {
  const errors = environ['tsgi.errors'] as Partial<ErrorStream> | undefined;
  if (!errors || typeof errors.write !== 'function' || typeof errors.writelines !== 'function') {
    throw check.violation('environ.types', 'tsgi.errors has no write() and writelines()');
  }
  const target = errors as ErrorStream;
  const checked: ErrorStream = {
    write(text) {
      if (typeof text !== 'string') throw check.violation('errors.text', `write(${typeof text})`);
      target.write(text);
    },
    writelines(lines) {
      for (const line of lines) this.write(line);
    },
    flush() {
      target.flush();
    },
  };
  Object.defineProperty(environ, 'tsgi.errors', { value: checked, enumerable: true, configurable: true });
}
