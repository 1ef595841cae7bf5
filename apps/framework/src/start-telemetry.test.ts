import { once } from 'node:events';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createRequire } from 'node:module';
import { context, propagation, ROOT_CONTEXT, trace } from '@opentelemetry/api';
import { setSamplingFacts } from '@mono/telemetry';
import { installTestTracing } from '@mono/telemetry/testing';
import type { Express, Request, Response } from 'express';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expressInstrumentation } from './start-telemetry';

const tracing = installTestTracing();
setSamplingFacts({ parentBased: true, off: false, w3c: true });
const instrumentation = expressInstrumentation();
instrumentation.setTracerProvider(trace.getTracerProvider());
instrumentation.enable();
// Loaded through require after enable(), as the framework loads applications: the instrumentation patches it then.
const express = createRequire(import.meta.url)('express') as () => Express;

// An Express app behind a server that runs each request in the context its traceparent gives, as the framework does.
const app = express();
app.get('/span', (_req: Request, res: Response) => {
  res.send(trace.getActiveSpan()?.spanContext().spanId ?? 'none');
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

describe('expressInstrumentation', () => {
  it("should trace a sampled request's layers, the route handler in a span of its own", async () => {
    tracing.reset();
    const res = await fetch(url, { headers: { traceparent: `00-${TRACE_ID}-${PARENT_ID}-01` } });
    const active = await res.text();
    const handler = tracing.spans().find((span) => span.attributes['express.type'] === 'request_handler');
    expect(handler?.spanContext().spanId).toBe(active);
    expect(handler?.parentSpanContext?.spanId).toBe(PARENT_ID);
    expect(handler?.attributes['http.route']).toBe('/span');
  });

  it("should leave an unsampled request's layers alone: the handler runs under its parent, no span made", async () => {
    tracing.reset();
    const res = await fetch(url, { headers: { traceparent: `00-${TRACE_ID}-${PARENT_ID}-00` } });
    expect(await res.text()).toBe(PARENT_ID);
    expect(tracing.spans()).toEqual([]);
  });
});
