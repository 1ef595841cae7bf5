import { context, propagation, SpanKind, SpanStatusCode, trace } from '@opentelemetry/api';
import { frameworkBoundary, type Environ } from '@mono/contracts';
import { AppError } from '@mono/errors';
import { setSamplingFacts, w3cRemoteContext } from '@mono/telemetry';
import { installTestTracing } from '@mono/telemetry/testing';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import type { ServerCall } from '../server-call';
import { serverAttributes, startClientSpan } from './request-span';
import { echoHandler, environ, recordingSink, startTestServer, testClient } from '../testing';

const tracing = installTestTracing();
const cleanups: Array<() => void> = [];
afterEach(() => {
  while (cleanups.length > 0) cleanups.pop()?.();
  tracing.reset();
});
afterAll(() => tracing.uninstall());

async function exchange(handler: (call: ServerCall<Environ>) => void) {
  const server = await startTestServer(handler);
  const client = testClient(server.address);
  cleanups.push(
    () => server.stop(),
    () => client.close(),
  );
  const recording = recordingSink();
  const parent = trace.getTracer('test').startSpan('caller');
  const withBaggage = propagation.setBaggage(
    trace.setSpan(context.active(), parent),
    propagation.createBaggage({ tenant: { value: 'acme' } }),
  );
  const call = context.with(withBaggage, () =>
    client.call(environ('/traced'), { headTimeoutMs: 5_000, idleTimeoutMs: 0 }, recording.sink),
  );
  recording.attach(call);
  call.end();
  const outcome = await recording.outcome;
  parent.end();
  return { outcome, parent, spans: tracing.spans() };
}

describe('per-request spans of the transport', () => {
  it('should make a CLIENT span under the caller and a SERVER span under it, with the handler running in the SERVER span', async () => {
    let active: string | undefined;
    let baggage: string | undefined;
    const { parent, spans } = await exchange((call) => {
      active = trace.getActiveSpan()?.spanContext().spanId;
      baggage = propagation.getBaggage(context.active())?.getEntry('tenant')?.value;
      echoHandler(call);
    });
    const client = spans.find((s) => s.kind === SpanKind.CLIENT);
    const server = spans.find((s) => s.kind === SpanKind.SERVER);
    expect(client?.name).toBe('mono.framework.v1.FrameworkService/Exchange');
    expect(client?.parentSpanContext?.spanId).toBe(parent.spanContext().spanId);
    expect(server?.parentSpanContext?.spanId).toBe(client?.spanContext().spanId);
    expect(server?.spanContext().traceId).toBe(parent.spanContext().traceId);
    expect(active).toBe(server?.spanContext().spanId);
    expect(baggage).toBe('acme');
    for (const span of [client, server]) {
      expect(span?.attributes).toMatchObject({
        'rpc.system.name': 'grpc',
        'rpc.method': 'mono.framework.v1.FrameworkService/Exchange',
        'rpc.status_code': 'OK',
      });
      expect(span?.attributes).not.toHaveProperty('rpc.system');
      expect(span?.attributes).not.toHaveProperty('rpc.service');
      expect(span?.attributes).not.toHaveProperty('rpc.grpc.status_code');
    }
    expect(client?.attributes['server.address']).toBe('127.0.0.1');
    expect(server?.status.code).toBe(SpanStatusCode.UNSET);
  });

  it('should end both spans ERROR with the catalogue code when the request fails at the server', async () => {
    const { outcome, spans } = await exchange((call) => call.fail(new AppError('GW_ERR_OVERLOADED', 'full')));
    expect(outcome.error?.code).toBe('GW_ERR_OVERLOADED');
    for (const kind of [SpanKind.CLIENT, SpanKind.SERVER]) {
      const span = spans.find((s) => s.kind === kind);
      expect(span?.status.code).toBe(SpanStatusCode.ERROR);
      expect(span?.attributes['error.type']).toBe('GW_ERR_OVERLOADED');
      expect(span?.attributes['rpc.status_code']).toBe('RESOURCE_EXHAUSTED');
    }
  });
});

describe('a CLIENT span below an unsampled parent', () => {
  afterEach(() => setSamplingFacts({ parentBased: false, off: false, w3c: false }));
  const received = '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-00';

  it('is not made, and the traceparent the hop received goes on as it is', () => {
    setSamplingFacts({ parentBased: true, off: false, w3c: true });
    const parent = w3cRemoteContext({ traceparent: received });
    expect(parent).toBeDefined();
    const passed = context.with(parent!, () => startClientSpan(frameworkBoundary, 'unix:/tmp/x.sock'));
    expect(passed.carrier).toStrictEqual({ traceparent: received });
    expect(passed.context).toBe(parent);
    expect(tracing.spans()).toEqual([]);
  });

  it('carries what was added to the context since through the propagators', () => {
    setSamplingFacts({ parentBased: true, off: false, w3c: true });
    const withBaggage = propagation.setBaggage(
      w3cRemoteContext({ traceparent: received })!,
      propagation.createBaggage({ tenant: { value: 'acme' } }),
    );
    const injected = context.with(withBaggage, () => startClientSpan(frameworkBoundary, 'unix:/tmp/x.sock'));
    expect(injected.carrier).toStrictEqual({ traceparent: received, baggage: 'tenant=acme' });
    expect(tracing.spans()).toEqual([]);
  });
});

describe('serverAttributes', () => {
  it('names a Unix socket by its path, with no port', () => {
    expect(serverAttributes('unix:/tmp/mono-gateway.sock')).toEqual({
      'server.address': '/tmp/mono-gateway.sock',
      'network.transport': 'unix',
    });
  });

  it('splits host and port, IPv6 brackets removed, and leaves out a port that is not a number', () => {
    expect(serverAttributes('127.0.0.1:50051')).toEqual({ 'server.address': '127.0.0.1', 'server.port': 50051 });
    expect(serverAttributes('[::1]:50051')).toEqual({ 'server.address': '::1', 'server.port': 50051 });
    expect(serverAttributes('gateway')).toEqual({ 'server.address': 'gateway' });
    for (const address of ['unix:/tmp/x.sock', '127.0.0.1:1', 'gateway', 'h:port'])
      for (const value of Object.values(serverAttributes(address))) expect(value).not.toBeNaN();
  });
});
