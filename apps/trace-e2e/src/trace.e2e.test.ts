import {
  send,
  startJaeger,
  startStack,
  type Jaeger,
  type JaegerSpan,
  type JaegerTrace,
  type Stack,
} from '@mono/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

/** What every request's trace must hold, along the ancestry of the framework's route span (ADR-0001, issue 3). */
const HOPS = [
  ['edge', 'server'],
  ['edge', 'client'],
  ['gateway', 'server'],
  ['gateway', 'client'],
  ['framework', 'server'],
] as const;
/** edge SERVER + CLIENT, gateway SERVER + invoke + CLIENT, framework SERVER + Express route. */
const SPANS_PER_REQUEST = 7;

let jaeger: Jaeger;
let stack: Stack;

beforeAll(async () => {
  jaeger = await startJaeger();
  stack = await startStack({
    common: {
      OTEL_TRACES_EXPORTER: 'otlp',
      OTEL_EXPORTER_OTLP_ENDPOINT: jaeger.otlpHttp,
      OTEL_BSP_SCHEDULE_DELAY: '100',
    },
  });
}, 120_000);
afterAll(async () => {
  await stack?.stop();
  await jaeger?.stop();
});

const tag = (span: JaegerSpan, key: string) => span.tags.find((t) => t.key === key)?.value;
const serviceOf = (trace: JaegerTrace, span: JaegerSpan) => trace.processes[span.processID]?.serviceName;
const kindOf = (span: JaegerSpan) => String(tag(span, 'span.kind') ?? 'internal');
const parentOf = (span: JaegerSpan) => span.references.find((r) => r.refType === 'CHILD_OF')?.spanID;
const isError = (span: JaegerSpan) => tag(span, 'otel.status_code') === 'ERROR';

function completeTrace(traceId: string): Promise<JaegerTrace> {
  return jaeger.completeTrace(traceId, SPANS_PER_REQUEST);
}

function routeSpan(trace: JaegerTrace): JaegerSpan {
  const route = trace.spans.find(
    (s) =>
      serviceOf(trace, s) === 'framework' &&
      tag(s, 'otel.scope.name') === '@opentelemetry/instrumentation-express' &&
      tag(s, 'express.type') === 'request_handler',
  );
  expect(route, 'the Express route span').toBeDefined();
  return route as JaegerSpan;
}

/** The hops (service, kind) from the trace's root down to `span`, INTERNAL spans left out. */
function hopsAbove(trace: JaegerTrace, span: JaegerSpan): Array<[string | undefined, string]> {
  const byId = new Map(trace.spans.map((s) => [s.spanID, s]));
  const path: JaegerSpan[] = [];
  for (let at: JaegerSpan | undefined = span; at; at = byId.get(parentOf(at) ?? '')) path.unshift(at);
  return path.filter((s) => kindOf(s) !== 'internal').map((s) => [serviceOf(trace, s), kindOf(s)]);
}

function expectOneConnectedTrace(trace: JaegerTrace, callerSpanId?: string): void {
  const ids = new Set(trace.spans.map((s) => s.spanID));
  const roots = trace.spans.filter((s) => !ids.has(parentOf(s) ?? ''));
  expect(roots, 'exactly one root, no orphans').toHaveLength(1);
  expect(parentOf(roots[0] as JaegerSpan)).toBe(callerSpanId);
  expect(new Set(trace.spans.map((s) => serviceOf(trace, s)))).toEqual(new Set(['edge', 'gateway', 'framework']));
  expect(hopsAbove(trace, routeSpan(trace))).toEqual(HOPS);
}

async function expectOnlyTraceOfRequest(trace: JaegerTrace, requestId: string): Promise<void> {
  for (const service of ['edge', 'gateway'])
    expect(await jaeger.search(service, 'mono.request.id', requestId)).toEqual([trace.traceID]);
}

describe('one request, one trace in a real Jaeger', () => {
  it('should trace GET /hello across edge, gateway and framework, parent to child, with no error', async () => {
    const res = await send(`${stack.url}/hello`);
    const trace = await completeTrace(String(res.headers['x-trace-id']));
    expect(trace.spans).toHaveLength(SPANS_PER_REQUEST);
    expectOneConnectedTrace(trace);
    await expectOnlyTraceOfRequest(trace, String(res.headers['x-request-id']));
    expect(trace.spans.filter(isError)).toEqual([]);
    const server = trace.spans.find((s) => serviceOf(trace, s) === 'edge' && kindOf(s) === 'server') as JaegerSpan;
    expect(tag(server, 'http.request.method')).toBe('GET');
    expect(tag(server, 'url.path')).toBe('/hello');
    expect(tag(server, 'http.response.status_code')).toBe(200);
    expect(tag(server, 'client.address')).toBe('127.0.0.1');
    expect(tag(routeSpan(trace), 'http.route')).toBe('/hello');
  });

  it("should mark the app's 500 an error where it happened and at the edge, but not in the transport", async () => {
    const res = await send(`${stack.url}/boom`);
    expect(res.status).toBe(500);
    const trace = await completeTrace(String(res.headers['x-trace-id']));
    expectOneConnectedTrace(trace);
    const route = routeSpan(trace);
    expect(isError(route)).toBe(true);
    expect(tag(route, 'error.type')).toBeTruthy();
    const edgeServer = trace.spans.find((s) => serviceOf(trace, s) === 'edge' && kindOf(s) === 'server') as JaegerSpan;
    expect(isError(edgeServer)).toBe(true);
    expect(tag(edgeServer, 'error.type')).toBe('500');
    const transport = trace.spans.filter((s) => tag(s, 'rpc.system') === 'grpc');
    expect(transport).toHaveLength(4);
    expect(transport.filter(isError)).toEqual([]);
  });

  it('should trace POST /echo with its body', async () => {
    const res = await send(`${stack.url}/echo`, {
      method: 'POST',
      headers: { 'content-type': 'text/plain' },
      body: Buffer.from('traced body'),
    });
    expect(res.body.toString()).toBe('traced body');
    const trace = await completeTrace(String(res.headers['x-trace-id']));
    expectOneConnectedTrace(trace);
    await expectOnlyTraceOfRequest(trace, String(res.headers['x-request-id']));
  });

  it("should continue the caller's trace when the request carries a traceparent", async () => {
    const traceId = '4bf92f3577b34da6a3ce929d0e0e4736';
    const callerSpan = '00f067aa0ba902b7';
    const res = await send(`${stack.url}/hello`, {
      headers: { traceparent: `00-${traceId}-${callerSpan}-01`, baggage: 'tenant=acme' },
    });
    expect(res.headers['x-trace-id']).toBe(traceId);
    const trace = await completeTrace(traceId);
    expect(trace.traceID).toBe(traceId);
    expectOneConnectedTrace(trace, callerSpan);
  });
});
