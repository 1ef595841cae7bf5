import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { ATTRIBUTE_REGISTRY } from '@mono/telemetry';
import { semconvKeys } from '@mono/telemetry/testing';
import {
  freePort,
  ROOT,
  send,
  startJaeger,
  startStack,
  type Jaeger,
  type JaegerSpan,
  type JaegerTrace,
  type Stack,
} from '@mono/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { otlpTrace, type OtlpSpan } from './otlp-trace';

/** What every request's trace must hold, along the ancestry of the framework's route span (ADR-0001). */
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

/** `npx nx run tools:trace <id>` against the test's Jaeger. */
function printTrace(id: string): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const child = spawn(process.execPath, [
    join(ROOT, 'tools', 'trace', 'print-trace.mjs'),
    id,
    '--jaeger',
    jaeger.queryUrl,
  ]);
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  return new Promise((resolve) => child.on('close', (code) => resolve({ code, stdout, stderr })));
}

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
    const transport = trace.spans.filter((s) => tag(s, 'rpc.system.name') === 'grpc');
    expect(transport).toHaveLength(4);
    expect(transport.filter(isError)).toEqual([]);
    expect(transport.map((s) => tag(s, 'rpc.status_code'))).toEqual(['OK', 'OK', 'OK', 'OK']);
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

describe('tools:trace', () => {
  it('should find a trace by its request id and print the tree with the time in and between each service', async () => {
    const res = await send(`${stack.url}/hello`, { headers: { 'x-request-id': 'untrusted-so-replaced' } });
    const requestId = String(res.headers['x-request-id']);
    const traceId = String(res.headers['x-trace-id']);
    await completeTrace(traceId);
    for (const id of [requestId, traceId]) {
      const printed = await printTrace(id);
      expect(printed.code, printed.stderr).toBe(0);
      const [first, ...lines] = printed.stdout.trimEnd().split('\n');
      expect(first).toBe(`trace ${traceId}: ${SPANS_PER_REQUEST} spans, services edge, gateway, framework`);
      const budget = lines
        .slice(lines.indexOf('where the time went (ms, the whole response, body included):') + 1)
        .filter((line) => line.startsWith('  '));
      expect(budget.map((line) => line.trim().split(/ {2,}/)[0])).toEqual([
        'edge',
        'edge → gateway',
        'gateway',
        'gateway → framework',
        'framework',
      ]);
      for (const line of budget) expect(line).toMatch(/ {2}-?\d+\.\d{2} {2}/);
    }
  });
});

describe('the attributes of a real trace', () => {
  const { current, deprecated } = semconvKeys();

  /**
   * Every key on every span, event and resource: in the registry or a current semantic-conventions key. Jaeger adds
   * `@jaeger@…` keys of its own (its clock-skew adjuster's warnings); they are not the services'.
   */
  function unknownKeys(spans: OtlpSpan[]): string[] {
    const keys = new Set(
      spans.flatMap((s) => [...Object.keys(s.attributes), ...s.eventKeys, ...Object.keys(s.resource)]),
    );
    return [...keys]
      .filter((key) => !key.startsWith('@jaeger@') && !current.has(key) && ATTRIBUTE_REGISTRY[key] === undefined)
      .sort();
  }

  it('should use only keys of the registry or current semantic conventions, and none deprecated', async () => {
    const ids: string[] = [];
    for (const [path, options] of [
      ['/hello?x=1', {}],
      ['/boom', {}],
      ['/echo', { method: 'POST', body: Buffer.from('x') }],
    ] as const)
      ids.push(String((await send(`${stack.url}${path}`, options)).headers['x-trace-id']));
    for (const id of ids) {
      await completeTrace(id);
      const spans = await otlpTrace(jaeger.queryUrl, id);
      expect(unknownKeys(spans), `trace ${id}`).toEqual([]);
      const used = spans.flatMap((s) => Object.keys(s.attributes));
      expect(used.filter((key) => deprecated.has(key))).toEqual([]);
    }
  });

  it("should carry the SDK's resource attributes and the RPC keys of semantic conventions 1.45", async () => {
    const res = await send(`${stack.url}/hello`);
    const id = String(res.headers['x-trace-id']);
    await completeTrace(id);
    const spans = await otlpTrace(jaeger.queryUrl, id);
    for (const span of spans) {
      expect(span.resource).toMatchObject({
        'telemetry.sdk.language': 'nodejs',
        'telemetry.sdk.name': 'opentelemetry',
      });
      expect(span.resource['telemetry.sdk.version']).toBeTruthy();
    }
    const rpc = spans.filter((s) => s.attributes['rpc.system.name'] === 'grpc');
    expect(rpc.map((s) => [s.service, s.attributes['rpc.method'], s.attributes['rpc.status_code']]).sort()).toEqual([
      ['edge', 'mono.gateway.v1.GatewayService/Exchange', 'OK'],
      ['framework', 'mono.framework.v1.FrameworkService/Exchange', 'OK'],
      ['gateway', 'mono.framework.v1.FrameworkService/Exchange', 'OK'],
      ['gateway', 'mono.gateway.v1.GatewayService/Exchange', 'OK'],
    ]);
  });
});

describe('a stack exporting over every OTLP protocol, propagating B3, with rpc/dup', () => {
  let other: Stack;
  beforeAll(async () => {
    const common = {
      OTEL_TRACES_EXPORTER: 'otlp',
      OTEL_BSP_SCHEDULE_DELAY: '100',
      OTEL_PROPAGATORS: 'b3multi',
      OTEL_SEMCONV_STABILITY_OPT_IN: 'rpc/dup',
    };
    other = await startStack({
      common,
      edge: { OTEL_EXPORTER_OTLP_PROTOCOL: 'grpc', OTEL_EXPORTER_OTLP_ENDPOINT: jaeger.otlpGrpc },
      gateway: { OTEL_EXPORTER_OTLP_TRACES_PROTOCOL: 'http/json', OTEL_EXPORTER_OTLP_ENDPOINT: jaeger.otlpHttp },
      framework: { OTEL_EXPORTER_OTLP_PROTOCOL: 'http/protobuf', OTEL_EXPORTER_OTLP_ENDPOINT: jaeger.otlpHttp },
    });
  }, 60_000);
  afterAll(() => other?.stop());

  it("should continue the caller's B3 trace through every hop and deliver each service's spans", async () => {
    const traceId = '463ac35c9f6413ad48485a3953bb6124';
    const res = await send(`${other.url}/hello`, {
      headers: { 'x-b3-traceid': traceId, 'x-b3-spanid': 'a2fb4a1d1a96d312', 'x-b3-sampled': '1' },
    });
    expect(res.headers['x-trace-id']).toBe(traceId);
    const trace = await completeTrace(traceId);
    expectOneConnectedTrace(trace, 'a2fb4a1d1a96d312');
  });

  it('should add the deprecated RPC keys beside the current ones', async () => {
    const res = await send(`${other.url}/hello`);
    const id = String(res.headers['x-trace-id']);
    await completeTrace(id);
    const rpc = (await otlpTrace(jaeger.queryUrl, id)).filter((s) => s.attributes['rpc.system.name'] === 'grpc');
    expect(rpc).toHaveLength(4);
    for (const span of rpc) {
      expect(span.attributes).toMatchObject({ 'rpc.system': 'grpc', 'rpc.status_code': 'OK' });
      expect(String(span.attributes['rpc.method'])).toBe(`${String(span.attributes['rpc.service'])}/Exchange`);
      expect(Number(span.attributes['rpc.grpc.status_code'])).toBe(0);
    }
  });
});

describe('spans produced while Jaeger is down', () => {
  it('should reach Jaeger once it comes up', async () => {
    const port = await freePort();
    const late = await startStack({
      common: {
        OTEL_TRACES_EXPORTER: 'otlp',
        OTEL_EXPORTER_OTLP_ENDPOINT: `http://127.0.0.1:${port}`,
        // The exporter retries a refused connection within this bound before the export counts as failed.
        OTEL_EXPORTER_OTLP_TIMEOUT: '1000',
        OTEL_BSP_SCHEDULE_DELAY: '100',
      },
    });
    let lateJaeger: Jaeger | undefined;
    try {
      const res = await send(`${late.url}/hello`);
      expect(res.status).toBe(200);
      const kept = (line: Record<string, unknown>) =>
        line['msg'] === 'trace export failed; spans are kept until the collector answers';
      await Promise.all([late.edge, late.gateway, late.framework].map((service) => service.waitForLog(kept, 20_000)));
      lateJaeger = await startJaeger({ otlpHttpPort: port });
      const trace = await lateJaeger.completeTrace(String(res.headers['x-trace-id']), SPANS_PER_REQUEST, 30_000);
      expectOneConnectedTrace(trace);
      const back = (line: Record<string, unknown>) =>
        line['msg'] === 'trace export works again; the spans kept meanwhile are sent';
      for (const service of [late.edge, late.gateway, late.framework])
        expect(await service.waitForLog(back)).toMatchObject({ dropped: 0 });
    } finally {
      await late.stop();
      await lateJaeger?.stop();
    }
  }, 90_000);
});
