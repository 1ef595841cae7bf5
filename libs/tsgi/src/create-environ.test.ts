import { describe, expect, it, vi } from 'vitest';
import { createEnviron, type LiveParts, type RequestVariables } from './create-environ';
import { createInputStream } from './input-stream';

const VARIABLES: RequestVariables = {
  REQUEST_METHOD: 'POST',
  SCRIPT_NAME: '',
  PATH_INFO: '/upload',
  QUERY_STRING: '',
  CONTENT_TYPE: 'text/plain',
  CONTENT_LENGTH: '11',
  SERVER_NAME: 'localhost',
  SERVER_PORT: '8080',
  SERVER_PROTOCOL: 'HTTP/1.1',
  REMOTE_ADDR: '127.0.0.1',
  REMOTE_PORT: '40000',
  REQUEST_URI: '/upload',
};

async function* chunks(...parts: string[]) {
  for (const part of parts) yield new TextEncoder().encode(part);
}

function live(overrides: Partial<LiveParts> = {}): LiveParts {
  return {
    urlScheme: 'http',
    headers: [['Host', 'localhost:8080']],
    inputTerminated: false,
    input: () => createInputStream(chunks('line one\n', 'two')),
    errors: { write() {}, writelines() {}, flush() {} },
    signal: new AbortController().signal,
    deadline: Infinity,
    multiprocess: false,
    ...overrides,
  };
}

describe('createEnviron', () => {
  it('makes every key a plain, enumerable property of its own', () => {
    const environ = createEnviron(VARIABLES, live());
    for (const key of ['tsgi.input', 'tsgi.signal', 'tsgi.errors', 'PATH_INFO', 'HTTP_HOST']) {
      const descriptor = Object.getOwnPropertyDescriptor(environ, key);
      expect(descriptor, key).toMatchObject({ enumerable: true });
      expect(descriptor && 'value' in descriptor, key).toBe(true);
    }
  });

  it('makes the input stream on the first read, once, and reads through it', async () => {
    const input = vi.fn(live().input);
    const environ = createEnviron(VARIABLES, live({ input }));
    const stream = environ['tsgi.input'];
    expect(input).not.toHaveBeenCalled();
    expect(new TextDecoder().decode(await stream.readline())).toBe('line one\n');
    expect(new TextDecoder().decode(await stream.read())).toBe('two');
    expect(input).toHaveBeenCalledTimes(1);
  });

  it('iterates the body with for await', async () => {
    const environ = createEnviron(VARIABLES, live());
    const parts: string[] = [];
    for await (const chunk of environ['tsgi.input']) parts.push(new TextDecoder().decode(chunk));
    expect(parts.join('')).toBe('line one\ntwo');
  });

  it('lets the CGI variables win over HTTP_* fields, and those over extra and env variables', () => {
    const environ = createEnviron(
      VARIABLES,
      live({
        headers: [['X-Mode', 'header']],
        extra: { REQUEST_ID: 'r1', HTTP_X_MODE: 'extra', PATH_INFO: 'extra' },
        env: { APP_MODE: 'env', REQUEST_ID: 'env' },
      }),
    ) as unknown as Record<string, unknown>;
    expect(environ).toMatchObject({ APP_MODE: 'env', REQUEST_ID: 'r1', HTTP_X_MODE: 'header', PATH_INFO: '/upload' });
  });

  it('lets neither extra nor env variables replace any key every environ has', () => {
    const own = Object.keys(createEnviron(VARIABLES, live({ headers: [] })));
    const shadow = Object.fromEntries(own.map((key) => [key, 'replaced']));
    for (const options of [{ extra: shadow }, { env: shadow }, { extra: shadow, env: shadow }]) {
      const environ = createEnviron(VARIABLES, live({ headers: [], ...options })) as unknown as Record<string, unknown>;
      for (const key of own) expect(environ[key], key).not.toBe('replaced');
    }
  });

  it('joins repeated header fields, and replaces an extra or env HTTP_* variable with the field', () => {
    const headers: Array<[string, string]> = [
      ['X-Rep', 'a'],
      ['x-rep', 'b'],
      ['Cookie', 'c=1'],
      ['Cookie', 'd=2'],
    ];
    for (const options of [{}, { extra: { HTTP_X_REP: 'extra' } }, { env: { HTTP_COOKIE: 'env' } }]) {
      const environ = createEnviron(VARIABLES, live({ headers, ...options })) as unknown as Record<string, unknown>;
      expect(environ).toMatchObject({ HTTP_X_REP: 'a, b', HTTP_COOKIE: 'c=1; d=2' });
    }
  });
});
