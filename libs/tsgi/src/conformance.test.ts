import { setImmediate as tick } from 'node:timers/promises';
import express from 'express';
import { describe, expect, it } from 'vitest';
import type { ConformanceError } from './conformance-error';
import type { Application } from './environ';
import { fromExpress } from './from-express';
import { fromFetch } from './from-fetch';
import { CONFORMANCE_CASES, conformanceProbe, invoke, type ConformanceCase, type Recording } from './testing';
import { validator } from './validator';

/** Sends a case through the in-process host (`runApplication`); with `abort`, leaves after the first bytes. */
async function run(app: Application, c: ConformanceCase): Promise<Recording> {
  const body = c.body?.map((chunk) => Buffer.from(chunk));
  const length = body?.reduce((n, chunk) => n + chunk.byteLength, 0);
  const headers: Array<[string, string]> = [['Host', 'example.test']];
  if (body && !c.chunked) headers.push(['Content-Length', String(length)]);
  if (body && c.chunked) headers.push(['Transfer-Encoding', 'chunked']);
  const recording = invoke(app, { method: c.method, uri: c.target, headers, ...(body ? { body } : {}) });
  if (c.abort) {
    while (!recording.events.some((e) => e.type === 'data')) await tick();
    recording.abort();
  }
  await recording.done;
  return recording;
}

describe('conformance of the in-process host (runApplication)', () => {
  const probe = conformanceProbe();
  it.each(CONFORMANCE_CASES.map((c) => [c.name, c] as const))('should pass: %s', async (_name, c) => {
    const recording = await run(probe.application, c);
    await probe.closed();
    expect(probe.violations).toEqual([]);
    expect(recording.status).toBe(c.status);
    if (c.response !== undefined) expect(recording.body).toBe(c.response);
  });
});

const adapterCases: ConformanceCase[] = [
  { name: 'a whole body', method: 'GET', target: '/hello', status: 200, response: 'Hello World!' },
  { name: 'an echo with a length', method: 'POST', target: '/echo', body: ['ab', 'cd'], status: 200, response: 'abcd' },
  { name: 'a chunked echo', method: 'POST', target: '/echo', body: ['ab', 'cd'], chunked: true, status: 200 },
  { name: 'a stream flushed first', method: 'GET', target: '/stream', status: 200, response: 'one\ntwo\nthree\n' },
  { name: 'a 204', method: 'GET', target: '/empty', status: 204, response: '' },
  { name: 'a handler that throws', method: 'GET', target: '/boom', status: 500 },
  { name: 'the client going away mid-body', method: 'GET', target: '/wait', abort: true, status: 200 },
];

const expressApp = express()
  .get('/hello', (_req, res) => void res.send('Hello World!'))
  .post('/echo', (req, res) => {
    res.status(200).type('application/octet-stream');
    req.pipe(res);
  })
  .get('/stream', async (_req, res) => {
    res.type('text/plain').flushHeaders();
    for (const line of ['one', 'two', 'three']) {
      await tick();
      res.write(`${line}\n`);
    }
    res.end();
  })
  .get('/empty', (_req, res) => void res.status(204).end())
  .get('/boom', () => {
    throw new Error('boom');
  })
  .get('/wait', (_req, res) => {
    res.type('text/plain').write('waiting\n');
    res.on('close', () => res.end());
  });

function stream(lines: string[], signal?: AbortSignal): ReadableStream<Uint8Array> {
  return new ReadableStream({
    async start(controller) {
      for (const line of lines) {
        await tick();
        controller.enqueue(Buffer.from(line));
      }
      if (signal) await new Promise((resolve) => signal.addEventListener('abort', resolve, { once: true }));
      controller.close();
    },
  });
}

const fetchHandler = async (request: Request): Promise<Response> => {
  switch (new URL(request.url).pathname) {
    case '/hello':
      return new Response('Hello World!');
    case '/echo':
      return new Response(request.body, { headers: { 'Content-Type': 'application/octet-stream' } });
    case '/stream':
      return new Response(stream(['one\n', 'two\n', 'three\n']));
    case '/empty':
      return new Response(null, { status: 204 });
    case '/wait':
      return new Response(stream(['waiting\n'], request.signal));
    default:
      throw new Error('boom');
  }
};

describe.each([
  ['fromExpress', fromExpress(expressApp)],
  ['fromFetch', fromFetch(fetchHandler)],
])('conformance of %s', (_adapter, adapted) => {
  const violations: ConformanceError[] = [];
  const checked = validator(adapted, { onViolation: (violation) => violations.push(violation) });
  it.each(adapterCases.map((c) => [c.name, c] as const))('should pass: %s', async (_name, c) => {
    const recording = await run(checked, c);
    expect(violations).toEqual([]);
    if (c.status === 500) {
      expect(recording.status ?? 500).toBe(500);
      return;
    }
    expect(recording.status).toBe(c.status);
    if (c.response !== undefined) expect(recording.body).toBe(c.response);
  });
});
