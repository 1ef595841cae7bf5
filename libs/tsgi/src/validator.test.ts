import { describe, expect, it } from 'vitest';
import type { ConformanceError } from './conformance-error';
import { CONFORMANCE_RULES, type ConformanceRuleId } from './conformance-rules';
import type { Application, Environ, InputStream, ResponseBody, StartResponse } from './environ';
import { createInputStream } from './input-stream';
import { invoke, testEnviron, type TestRequest } from './testing';
import { validator } from './validator';

type RuleOf<Side> = {
  [K in ConformanceRuleId]: (typeof CONFORMANCE_RULES)[K]['side'] extends Side ? K : never;
}[ConformanceRuleId];

const bytes = (text: string) => Buffer.from(text);
const GRACE_MS = 50;

/** A validator whose violations are collected, with a promise for the first one. */
function watched(app: Application) {
  const violations: ConformanceError[] = [];
  let first!: (v: ConformanceError) => void;
  const caught = new Promise<ConformanceError>((resolve) => (first = resolve));
  const validated = validator(app, {
    graceMs: GRACE_MS,
    onViolation: (violation) => {
      violations.push(violation);
      first(violation);
    },
  });
  return { validated, violations, caught };
}

const ok: StartResponse = () => () => {};
const hello: Application = (_environ, startResponse) => {
  startResponse('200 OK', [['Content-Type', 'text/plain']]);
  return [bytes('hi')];
};

function inputOf(chunks: unknown[]): InputStream {
  return createInputStream(
    (async function* () {
      yield* chunks as Uint8Array[];
    })(),
  );
}

function withInput(environ: Environ, input: unknown): Environ {
  return Object.defineProperty(environ, 'tsgi.input', { value: input, enumerable: true, configurable: true });
}

/** Drains a body as a server would, without calling close() unless told to. */
async function drain(body: ResponseBody): Promise<void> {
  for await (const chunk of body as AsyncIterable<Uint8Array>) void chunk;
}

/** Applications that break one rule each, run by a correct host (`invoke`). */
const brokenApplications: Record<RuleOf<'application'>, { app: Application; request?: TestRequest; abort?: true }> = {
  'status.line': { app: (_e, start) => (start('200', []), []) },
  'headers.list': { app: (_e, start) => (start('200 OK', { 'Content-Type': 'text/plain' } as never), []) },
  'headers.name': { app: (_e, start) => (start('200 OK', [['Content Type', 'text/plain']]), []) },
  'headers.value': { app: (_e, start) => (start('200 OK', [['X-Note', 'a\r\nSet-Cookie: x=1']]), []) },
  'headers.hop-by-hop': { app: (_e, start) => (start('200 OK', [['Connection', 'close']]), []) },
  'start_response.once': {
    app: (_e, start) => {
      start('200 OK', []);
      start('404 Not Found', []);
      return [];
    },
  },
  'start_response.before-body': {
    app: (_e, start) =>
      (function* () {
        yield bytes('too early');
        start('200 OK', []);
      })(),
  },
  'body.iterable': { app: (_e, start) => (start('200 OK', []), bytes('one Uint8Array') as never) },
  'body.chunks': { app: (_e, start) => (start('200 OK', []), ['a string'] as never) },
  'body.no-content': { app: (_e, start) => (start('204 No Content', []), [bytes('x')]) },
  'errors.text': {
    app: (environ, start) => {
      environ['tsgi.errors'].write(42 as never);
      start('200 OK', []);
      return [];
    },
  },
  'input.size': {
    app: async (environ, start) => {
      await environ['tsgi.input'].read(1.5);
      start('200 OK', []);
      return [];
    },
    request: { method: 'POST', headers: [['Content-Length', '3']], body: [bytes('abc')] },
  },
  'input.past-length': {
    app: async (environ, start) => {
      await environ['tsgi.input'].read(3);
      await environ['tsgi.input'].read(1);
      start('200 OK', []);
      return [];
    },
    request: { method: 'POST', headers: [['Content-Length', '3']], body: [bytes('abc')] },
  },
  'signal.honoured': {
    app: (_e, start) => {
      start('200 OK', []);
      return (async function* () {
        yield bytes('first');
        await new Promise(() => {});
      })();
    },
    abort: true,
  },
};

/** Servers that break one rule each, around a correct application. */
const brokenServers: Record<RuleOf<'server'>, (app: Application) => Promise<unknown>> = {
  'environ.keys': async (app) => {
    const environ = testEnviron() as Partial<Environ>;
    delete environ.REMOTE_ADDR;
    return app(environ as Environ, ok);
  },
  'environ.types': async (app) => app(Object.assign(testEnviron(), { 'tsgi.version': [1, 1] }), ok),
  'environ.http-vars': async (app) => app(Object.assign(testEnviron(), { HTTP_CONTENT_LENGTH: '0' }), ok),
  'environ.content-length': async (app) => app(Object.assign(testEnviron(), { CONTENT_LENGTH: '-1' }), ok),
  'environ.script-name': async (app) =>
    Promise.resolve(app(testEnviron({ uri: '/app/x', scriptName: '/app' }), ok)).then(() =>
      app(Object.assign(testEnviron(), { SCRIPT_NAME: '/app/' }), ok),
    ),
  'environ.path-info': async (app) => app(Object.assign(testEnviron(), { SCRIPT_NAME: '', PATH_INFO: '' }), ok),
  'input.bytes': async (app) => {
    const text = async () => 'text, not bytes';
    const input = { read: text, readline: text, [Symbol.asyncIterator]: inputOf([])[Symbol.asyncIterator] };
    return app(withInput(testEnviron({ method: 'POST' }), input), ok);
  },
  'input.length': async (app) => {
    const environ = testEnviron({ method: 'POST', headers: [['Content-Length', '2']] });
    return app(withInput(environ, inputOf([bytes('four')])), ok);
  },
  'start_response.flush': async (app) => app(testEnviron(), (() => undefined) as never),
  'start_response.exc-info': async (app) => drain(await app(testEnviron({ uri: '/late-failure' }), ok)),
  'body.close': async (app) => drain(await app(testEnviron(), ok)),
  'body.read-after-close': async (app) => {
    const body = await app(testEnviron(), ok);
    await body.close?.();
    return drain(body);
  },
};

/** A correct application for the broken servers: reads its input, flushes, and fails late on /late-failure. */
const reader: Application = async (environ, startResponse) => {
  const body = await environ['tsgi.input'].read();
  const flush = startResponse('200 OK', [['Content-Type', 'text/plain']]);
  if (environ.PATH_INFO !== '/late-failure') return [body];
  flush();
  return (async function* () {
    yield bytes('partial');
    startResponse('500 Internal Server Error', [], new Error('late'));
  })();
};

describe('validator', () => {
  it('should have a broken application or a broken server for every rule', () => {
    expect([...Object.keys(brokenApplications), ...Object.keys(brokenServers)].sort()).toEqual(
      Object.keys(CONFORMANCE_RULES).sort(),
    );
  });

  it.each(Object.entries(brokenApplications))(
    'should catch an application that breaks %s, naming the rule',
    async (rule, { app, request, abort }) => {
      const { validated, caught } = watched(app);
      const recording = invoke(validated, request);
      if (abort) {
        while (recording.body === '') await new Promise((resolve) => setImmediate(resolve));
        recording.abort();
      }
      const violation = await caught;
      expect(violation.rule).toBe(rule);
      expect(violation.side).toBe('application');
      expect(violation.message).toContain(`TSGI rule ${rule} broken by the application`);
      if (abort) return; // the application ignores the abort: its response never ends
      await recording.done;
      expect(recording.events.map((e) => e.type)).toContain('fail');
    },
  );

  it.each(Object.entries(brokenServers))(
    'should catch a server that breaks %s, naming the rule',
    async (rule, server) => {
      const { validated, caught } = watched(reader);
      await server(validated).catch(() => {});
      const violation = await caught;
      expect(violation.rule).toBe(rule);
      expect(violation.side).toBe('server');
      expect(violation.message).toContain(`TSGI rule ${rule} broken by the server`);
    },
  );

  it('should throw the violation to the call that broke the rule', async () => {
    const { validated } = watched((_e, start) => (start('200', []), []));
    await expect(validated(testEnviron(), ok)).rejects.toThrow(/TSGI rule status\.line broken by the application/);
  });

  it('should catch close() called twice', async () => {
    const { validated, violations } = watched(hello);
    const body = await validated(testEnviron(), ok);
    for (const _ of body as Iterable<Uint8Array>) void _;
    await body.close?.();
    expect(() => body.close?.()).toThrow(/TSGI rule body.close broken by the server: close\(\) was called 2 times/);
    expect(violations).toHaveLength(1);
  });

  it('should pass a correct application through a correct host unchanged, Content-Length included', async () => {
    const { validated, violations } = watched(hello);
    const recording = invoke(validated);
    await recording.done;
    expect(recording.events.map((e) => e.type)).toEqual(['head', 'data', 'end']);
    expect(recording.headers).toEqual([
      ['Content-Type', 'text/plain'],
      ['Content-Length', '2'],
    ]);
    expect(violations).toEqual([]);
  });

  it('should write violations to tsgi.errors by default', async () => {
    const lines: string[] = [];
    const environ = testEnviron();
    environ['tsgi.errors'].write = (text) => void lines.push(text);
    await Promise.resolve(validator((_e, start) => (start('200', []), []))(environ, ok)).catch(() => {});
    expect(lines.join('')).toMatch(/^TSGI rule status\.line broken by the application: status "200"/);
  });
});
