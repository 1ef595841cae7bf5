import { once } from 'node:events';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createRequire } from 'node:module';
import { context, propagation, ROOT_CONTEXT, trace } from '@opentelemetry/api';
import { setSamplingFacts } from '@mono/telemetry';
import { installTestTracing } from '@mono/telemetry/testing';
import type { Express, NextFunction, Request, Response, Router } from 'express';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expressInstrumentation } from './start-telemetry';

const tracing = installTestTracing();
setSamplingFacts({ parentBased: true, off: false, w3c: true });
const instrumentation = expressInstrumentation();
instrumentation.setTracerProvider(trace.getTracerProvider());
instrumentation.enable();
// Loaded through require after enable(), as the framework loads applications: the instrumentation patches it then.
const express = createRequire(import.meta.url)('express') as (() => Express) & { Router: () => Router };

// An Express app behind a server that runs each request in the context its traceparent gives, as the framework does:
// a middleware, a route, a router mounted under /r, and an error handler.
const activeSpanId = (_req: Request, res: Response) => {
  res.send(trace.getActiveSpan()?.spanContext().spanId ?? 'none');
};
const app = express();
app.use((_req: Request, res: Response, next: NextFunction) => {
  res.set('X-Middleware', 'ran');
  next();
});
app.get('/span', activeSpanId);
const router = express.Router();
router.get('/nested', activeSpanId);
app.use('/r', router);
app.get('/boom', () => {
  throw new Error('boom');
});
app.use((_err: Error, _req: Request, res: Response, _next: NextFunction) => {
  res.status(500).send('handled');
});
const server = createServer((req, res) => {
  const parent = propagation.extract(ROOT_CONTEXT, req.headers);
  context.with(parent, () => app(req, res));
});
let url = '';
beforeAll(async () => {
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/span`;
});
afterAll(async () => {
  server.close();
  instrumentation.disable();
  await tracing.uninstall();
});

const TRACE_ID = '0af7651916cd43dd8448eb211c80319c';
const PARENT_ID = 'b7ad6b7169203331';
const get = (path: string, flags: string) =>
  fetch(url.replace('/span', path), { headers: { traceparent: `00-${TRACE_ID}-${PARENT_ID}-${flags}` } });

describe('expressInstrumentation', () => {
  it("should trace a sampled request's layers, the route handler in a span of its own", async () => {
    for (const [path, route] of [
      ['/span', '/span'],
      ['/r/nested', '/r/nested'],
    ]) {
      tracing.reset();
      const res = await get(path as string, '01');
      const active = await res.text();
      expect(res.headers.get('x-middleware')).toBe('ran');
      const handler = tracing.spans().find((span) => span.attributes['express.type'] === 'request_handler');
      expect(handler?.spanContext().spanId).toBe(active);
      expect(handler?.attributes['http.route']).toBe(route);
      expect(tracing.spans().some((span) => span.attributes['express.type'] === 'middleware')).toBe(true);
    }
  });

  it("should leave an unsampled request's layers alone: each runs under the request's parent, no span made", async () => {
    for (const path of ['/span', '/r/nested']) {
      tracing.reset();
      const res = await get(path, '00');
      expect(res.headers.get('x-middleware')).toBe('ran');
      expect(await res.text()).toBe(PARENT_ID);
      expect(tracing.spans()).toEqual([]);
    }
  });

  it('should reach the error handler whether the request is sampled or not', async () => {
    for (const flags of ['00', '01']) {
      const res = await get('/boom', flags);
      expect(res.status).toBe(500);
      expect(await res.text()).toBe('handled');
    }
  });
});
