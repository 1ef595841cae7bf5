import { gatewayBoundary, type Environ, type HttpRequest, type Limits } from '@mono/contracts';
import { createLogger } from '@mono/telemetry';
import { gatewayHopErrors, MuxClient, noLimits, readBody, type ServerCall } from '@mono/transport';
import { recordingSink, signal, startTestServer } from '@mono/transport/testing';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { buildGateway } from './app';
import { loadGatewayConfig } from './config';

const cleanups: Array<() => unknown> = [];
afterEach(async () => {
  while (cleanups.length > 0) await cleanups.pop()?.();
});

function frameworkLimits({ headers = 0, body = 0 }: { headers?: number; body?: number }): Limits {
  return {
    ...noLimits(),
    headerBytes: {
      value: headers,
      setting: 'framework.yaml limits.headers',
      variable: 'FRAMEWORK_MAX_HEADER_BYTES',
      origin: '',
    },
    bodyBytes: { value: body, setting: 'framework.yaml limits.body', variable: 'FRAMEWORK_MAX_BODY_BYTES', origin: '' },
  };
}

/** What a framework stub saw of a request: its body, or how reading it failed. */
type Seen = { path: string; body: string } | { path: string; failed: string };

/**
 * A gateway in front of a framework stub that announces `limits` and reads every body; an edge that hears what the
 * gateway announces; the gateway's log lines.
 */
async function stack(limits: Limits, env: Record<string, string> = {}) {
  const seen: Seen[] = [];
  const read = signal<Seen>();
  const framework = await startTestServer<Environ>(
    (call: ServerCall<Environ>) => {
      void (async () => {
        const chunks: Buffer[] = [];
        try {
          for await (const chunk of readBody(call.body)) chunks.push(Buffer.from(chunk));
        } catch (err) {
          const failed = { path: call.head.pathInfo, failed: (err as { code: string }).code };
          seen.push(failed);
          read.resolve(failed);
          return;
        }
        seen.push({ path: call.head.pathInfo, body: Buffer.concat(chunks).toString() });
        call.respond({ status: 200, reason: 'OK', headers: [] });
        call.end();
      })();
    },
    { limits },
  );
  cleanups.push(() => framework.stop());
  const lines: Array<Record<string, unknown>> = [];
  const log = createLogger('gateway', 'info', { write: (line: string) => void lines.push(JSON.parse(line)) });
  const config = loadGatewayConfig({ GATEWAY_PORT: '0', GATEWAY_FRAMEWORK: framework.address, ...env });
  const gateway = buildGateway(config, { log });
  const port = await gateway.listen();
  await vi.waitFor(() => expect(gateway.ready).toBe(true));
  cleanups.push(() => gateway.shutdown());
  const heard: Limits[] = [];
  const edge = new MuxClient<HttpRequest>(`127.0.0.1:${port}`, gatewayBoundary, {
    errors: gatewayHopErrors.client,
    onLimits: (l) => heard.push(l),
  });
  cleanups.push(() => edge.close());
  edge.warm();
  return { framework, edge, heard, lines, seen, read: read.promise, address: `127.0.0.1:${port}` };
}

function request(target: string, headers: Array<{ name: string; value: string }> = [], contentLength?: number) {
  return {
    method: 'POST',
    target,
    protocol: 'HTTP/1.1',
    scheme: 'http',
    headers: [
      { name: 'Host', value: 'example.test' },
      ...(contentLength === undefined ? [] : [{ name: 'Content-Length', value: String(contentLength) }]),
      ...headers,
    ],
    client: { address: '127.0.0.1', port: 1234 },
    server: { address: '127.0.0.1', port: 8080 },
    requestId: 'r-1',
    bodyLengthUnknown: contentLength === undefined,
  } satisfies HttpRequest;
}

/** Sends a request, its body chunks one event-loop turn apart (each its own frame). */
async function send(edge: MuxClient<HttpRequest>, head: HttpRequest, body: string[] = []) {
  const recording = recordingSink();
  const call = edge.call(head, { headTimeoutMs: 0, idleTimeoutMs: 0 }, recording.sink);
  recording.attach(call);
  for (const chunk of body) {
    call.write(Buffer.from(chunk));
    await new Promise((resolve) => setImmediate(resolve));
  }
  call.end();
  return recording.outcome;
}

describe('gateway limits', () => {
  it("should tell the edges the smallest of its own limits and its frameworks', each naming its setting and instance", async () => {
    const { edge, heard, framework, address } = await stack(frameworkLimits({ headers: 4_096, body: 65_536 }));
    await vi.waitFor(() => expect(edge.limits?.bodyBytes?.value).toBe(65_536));
    const limits = edge.limits as Limits;
    expect(limits.headerBytes).toEqual({
      value: 4_096,
      setting: 'framework.yaml limits.headers',
      variable: 'FRAMEWORK_MAX_HEADER_BYTES',
      origin: `framework ${framework.address} behind gateway ${address}`,
    });
    expect(limits.idleTimeoutMs).toEqual({
      value: 60_000,
      setting: 'gateway.yaml timeouts.idle',
      variable: 'GATEWAY_IDLE_TIMEOUT_MS',
      origin: `gateway ${address}`,
    });
    framework.service.announce(frameworkLimits({ headers: 1 << 20 }));
    await vi.waitFor(() => expect(heard.at(-1)?.headerBytes?.setting).toBe('gateway.yaml limits.headers'));
    expect(heard.at(-1)?.bodyBytes).toBeUndefined();
  });

  it("should log, once, each of its own limits that is larger than its frameworks', naming both", async () => {
    const { edge, lines, framework } = await stack(frameworkLimits({ headers: 4_096 }));
    await vi.waitFor(() => expect(edge.limits?.headerBytes?.value).toBe(4_096));
    const disagreements = lines.filter((l) => String(l['msg']).startsWith('limits disagree'));
    expect(disagreements).toHaveLength(1);
    expect(disagreements[0]).toMatchObject({
      level: 'warn',
      pool: 'framework',
      limit: 'headerBytes',
      outer: 'gateway.yaml limits.headers 64KiB (GATEWAY_MAX_HEADER_BYTES)',
      inner: 'framework.yaml limits.headers 4KiB (FRAMEWORK_MAX_HEADER_BYTES)',
      origin: `framework ${framework.address}`,
      msg:
        'limits disagree: pool framework: gateway.yaml limits.headers 64KiB (GATEWAY_MAX_HEADER_BYTES) accepts more ' +
        `than framework.yaml limits.headers 4KiB (FRAMEWORK_MAX_HEADER_BYTES) of framework ${framework.address}: ` +
        'request heads over 4KiB get 431 from the gateway',
    });
  });

  it("should refuse a head over its framework's limit with 431 naming it, and never call the framework", async () => {
    const { edge, seen } = await stack(frameworkLimits({ headers: 1_024 }));
    await vi.waitFor(() => expect(edge.limits?.headerBytes?.value).toBe(1_024));
    const { error } = await send(edge, request('/x', [{ name: 'X-Big', value: 'x'.repeat(1_024) }], 0));
    expect([error?.code, error?.httpStatus]).toEqual(['GW_ERR_HEADERS_TOO_LARGE', 431]);
    expect(error?.message).toMatch(/exceeds framework\.yaml limits\.headers 1KiB \(FRAMEWORK_MAX_HEADER_BYTES\)$/);
    expect(seen).toEqual([]);
  });

  it('should refuse a declared body over its own limit with 413 at once', async () => {
    const { edge, seen } = await stack(noLimits(), { GATEWAY_MAX_BODY_BYTES: '10' });
    const { error } = await send(edge, request('/x', [], 11), ['01234567890']);
    expect([error?.code, error?.httpStatus]).toEqual(['GW_ERR_BODY_TOO_LARGE', 413]);
    expect(error?.message).toBe('the body of 11 bytes exceeds gateway.yaml limits.body 10B (GATEWAY_MAX_BODY_BYTES)');
    expect(seen).toEqual([]);
  });

  it("should answer 413 when a chunked body crosses the limit, and fail the framework's input, never truncate it", async () => {
    const { edge, read } = await stack(noLimits(), { GATEWAY_MAX_BODY_BYTES: '10' });
    const { error } = await send(edge, request('/x'), ['12345', '67890', 'x']);
    expect([error?.code, error?.httpStatus]).toEqual(['GW_ERR_BODY_TOO_LARGE', 413]);
    expect(await read).toEqual({ path: '/x', failed: 'TRANSPORT_ERR_CANCELLED' });
  });

  it('should take a body up to the limit whole', async () => {
    const { edge, seen } = await stack(noLimits(), { GATEWAY_MAX_BODY_BYTES: '10' });
    const { head } = await send(edge, request('/x'), ['12345', '67890']);
    expect(head?.status).toBe(200);
    expect(seen).toEqual([{ path: '/x', body: '1234567890' }]);
  });
});
