import { SpanKind, SpanStatusCode, TraceFlags, trace, type SpanContext } from '@opentelemetry/api';
import { gatewayBoundary, type HttpRequest } from '@mono/contracts';
import { AppError } from '@mono/errors';
import { createLogger, setSamplingFacts } from '@mono/telemetry';
import { installTestTracing } from '@mono/telemetry/testing';
import type { ServerCall } from '@mono/transport';
import { echoHandler, startTestServer } from '@mono/transport/testing';
import { inject } from 'light-my-request';
import { afterAll, afterEach, describe, expect, it, vi } from 'vitest';
import { loadEdgeConfig } from './config';
import { buildEdge } from './app';

const tracing = installTestTracing();
const cleanups: Array<() => void> = [];
afterEach(() => {
  while (cleanups.length > 0) cleanups.pop()?.();
  tracing.reset();
});
afterAll(() => tracing.uninstall());

async function edgeOver(handler: (call: ServerCall<HttpRequest>) => void, env: Record<string, string> = {}) {
  const stub = await startTestServer(handler, { boundary: gatewayBoundary });
  const config = loadEdgeConfig({ EDGE_GATEWAYS: stub.address, EDGE_ACCESS_LOG: 'false', ...env });
  const edge = buildEdge(config, { log: createLogger('edge', 'silent') });
  cleanups.push(
    () => stub.stop(),
    () => void edge.shutdown(),
  );
  await edge.connect();
  await vi.waitFor(() => expect(edge.state.ready).toBe(true));
  return Object.assign(edge.handler, { state: edge.state });
}

const serverSpan = () =>
  tracing.spans().find((s) => s.kind === SpanKind.SERVER && s.instrumentationScope.name === 'edge');
const CALLER = { traceId: '4bf92f3577b34da6a3ce929d0e0e4736', spanId: '00f067aa0ba902b7' };
const traceparent = `00-${CALLER.traceId}-${CALLER.spanId}-01`;

describe('the edge SERVER span', () => {
  it('should continue the caller trace, name it in X-Trace-Id and carry the request semantics', async () => {
    const pipeline = await edgeOver(echoHandler);
    const res = await inject(pipeline, { url: '/hello?x=1', headers: { traceparent, 'user-agent': 'test' } });
    const span = serverSpan();
    expect(res.headers['x-trace-id']).toBe(CALLER.traceId);
    expect(span?.name).toBe('GET');
    expect(span?.parentSpanContext?.spanId).toBe(CALLER.spanId);
    expect(span?.attributes).toMatchObject({
      'http.request.method': 'GET',
      'url.path': '/hello',
      'url.query': 'x=1',
      'http.response.status_code': 200,
      'user_agent.original': 'test',
      'mono.request.id': res.headers['x-request-id'],
    });
    expect(span?.status.code).toBe(SpanStatusCode.UNSET);
    const client = tracing.spans().find((s) => s.kind === SpanKind.CLIENT);
    expect(client?.parentSpanContext?.spanId).toBe(span?.spanContext().spanId);
  });

  it('should start a new trace linked to the caller when told not to trust it', async () => {
    const pipeline = await edgeOver(echoHandler, { EDGE_TRACE_INCOMING: 'link' });
    const res = await inject(pipeline, { url: '/hello', headers: { traceparent } });
    const span = serverSpan();
    expect(res.headers['x-trace-id']).not.toBe(CALLER.traceId);
    expect(span?.parentSpanContext).toBeUndefined();
    expect(span?.links[0]?.context).toMatchObject(CALLER);
  });

  it('should end ERROR with the catalogue code on a 5xx, and put the trace id in the problem body', async () => {
    const pipeline = await edgeOver((call) => call.fail(new AppError('GW_ERR_FRAMEWORK_UNAVAILABLE')));
    const res = await inject(pipeline, { url: '/' });
    expect(res.statusCode).toBe(502);
    expect(res.json()).toMatchObject({ traceId: res.headers['x-trace-id'], code: 'GW_ERR_FRAMEWORK_UNAVAILABLE' });
    expect(serverSpan()?.status.code).toBe(SpanStatusCode.ERROR);
    expect(serverSpan()?.attributes['error.type']).toBe('GW_ERR_FRAMEWORK_UNAVAILABLE');
  });

  it('should name the server as the client addressed it (Host)', async () => {
    const pipeline = await edgeOver(echoHandler);
    await inject(pipeline, { url: '/hello', headers: { host: 'shop.example:8443' } });
    expect(serverSpan()?.attributes).toMatchObject({
      'server.address': 'shop.example',
      'server.port': 8443,
    });
    tracing.reset();
    await inject(pipeline, { url: '/hello', headers: { host: '[::1]' } });
    expect(serverSpan()?.attributes).toMatchObject({ 'server.address': '::1', 'server.port': 80 });
  });

  it('should record a method outside the known set as _OTHER, keeping the original', async () => {
    const pipeline = await edgeOver(echoHandler);
    await inject(pipeline, { method: 'PROPFIND', url: '/dav' });
    expect(serverSpan()?.name).toBe('HTTP');
    expect(serverSpan()?.attributes).toMatchObject({
      'http.request.method': '_OTHER',
      'http.request.method_original': 'PROPFIND',
    });
  });

  it('should not trace health checks unless told to', async () => {
    const quiet = await edgeOver(echoHandler);
    const res = await inject(quiet, { url: '/_edge/health' });
    expect(res.statusCode).toBe(200);
    expect(res.headers['x-trace-id']).toBeUndefined();
    expect(tracing.spans()).toEqual([]);
    const traced = await edgeOver(echoHandler, { EDGE_HEALTH_QUIET: 'false' });
    await inject(traced, { url: '/_edge/health' });
    expect(serverSpan()?.attributes['url.path']).toBe('/_edge/health');
  });

  it('should not count a 4xx as an error of the edge', async () => {
    const pipeline = await edgeOver(echoHandler, { EDGE_MAX_BODY_BYTES: '2' });
    const res = await inject(pipeline, { method: 'POST', url: '/', payload: 'too long' });
    expect(res.statusCode).toBe(413);
    expect(serverSpan()?.attributes['http.response.status_code']).toBe(413);
    expect(serverSpan()?.status.code).toBe(SpanStatusCode.UNSET);
  });

  describe('when nothing will record the request', () => {
    afterEach(() => setSamplingFacts({ parentBased: false, off: false, w3c: false }));

    /** An edge whose gateway stub notes the trace context each call runs in. */
    async function watched() {
      const seen: Array<SpanContext | undefined> = [];
      const pipeline = await edgeOver((call) => {
        seen.push(trace.getActiveSpan()?.spanContext());
        echoHandler(call);
      });
      return { pipeline, seen };
    }

    it('should make no span with tracing off, yet name a trace in X-Trace-Id and carry it on unsampled', async () => {
      setSamplingFacts({ parentBased: true, off: true, w3c: true });
      const { pipeline, seen } = await watched();
      const fresh = await inject(pipeline, { url: '/hello' });
      const continued = await inject(pipeline, { url: '/hello', headers: { traceparent } });
      expect(fresh.statusCode).toBe(200);
      expect(fresh.headers['x-trace-id']).toMatch(/^[0-9a-f]{32}$/);
      expect(fresh.headers['x-trace-id']).not.toMatch(/^0+$/);
      expect(continued.headers['x-trace-id']).toBe(CALLER.traceId);
      expect(seen[0]).toMatchObject({ traceId: fresh.headers['x-trace-id'], traceFlags: TraceFlags.NONE });
      expect(seen[1]).toMatchObject({ traceId: CALLER.traceId, traceFlags: TraceFlags.NONE, isRemote: true });
      expect(seen[1]?.spanId).toMatch(/^[0-9a-f]{16}$/);
      expect(seen[1]?.spanId).not.toBe(CALLER.spanId);
      expect(tracing.spans()).toEqual([]);
    });

    it('should continue an unsampled caller without recording when the sampler follows the parent', async () => {
      setSamplingFacts({ parentBased: true, off: false, w3c: true });
      const { pipeline, seen } = await watched();
      const unsampled = `00-${CALLER.traceId}-${CALLER.spanId}-00`;
      const res = await inject(pipeline, { url: '/hello', headers: { traceparent: unsampled } });
      expect(res.headers['x-trace-id']).toBe(CALLER.traceId);
      expect(seen[0]).toMatchObject({ traceId: CALLER.traceId, traceFlags: TraceFlags.NONE });
      expect(tracing.spans()).toEqual([]);
      // A sampled caller is still traced through.
      await inject(pipeline, { url: '/hello', headers: { traceparent } });
      expect(serverSpan()?.parentSpanContext?.spanId).toBe(CALLER.spanId);
    });

    it('should count the requests whose trace it sampled, not the others', async () => {
      setSamplingFacts({ parentBased: true, off: false, w3c: true });
      const pipeline = await edgeOver(echoHandler);
      await inject(pipeline, { url: '/hello', headers: { traceparent } });
      await inject(pipeline, { url: '/hello', headers: { traceparent: `00-${CALLER.traceId}-${CALLER.spanId}-00` } });
      await inject(pipeline, { url: '/hello' });
      expect(pipeline.state.requests).toBe(3);
      expect(pipeline.state.sampled).toBe(2);
      expect(
        tracing.spans().filter((s) => s.kind === SpanKind.SERVER && s.instrumentationScope.name === 'edge'),
      ).toHaveLength(2);
    });
  });
});
