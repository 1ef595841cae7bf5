import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import type { HttpRequest, Limits } from '@mono/contracts';
import { createLogger } from '@mono/telemetry';
import { noLimits, readBody, type ServerCall } from '@mono/transport';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { loadEdgeConfig, type LocationConfig } from './config';
import { edgeUnderTest, rawExchange, type EdgeUnderTest } from './testing';
import { UpstreamLimits } from './upstream-limits';

const cleanups: Array<() => unknown> = [];
afterEach(async () => {
  while (cleanups.length > 0) await cleanups.pop()?.();
});

const FRAMEWORK = 'framework 10.0.0.1:50061 behind gateway 10.0.0.2:50051';

/** What a gateway announces when its framework takes `headers` and `body` bytes (0: no limit). */
function announced({ headers = 0, body = 0, idle = 0 }: { headers?: number; body?: number; idle?: number }): Limits {
  return {
    ...noLimits(),
    headerBytes: headers
      ? {
          value: headers,
          setting: 'framework.yaml limits.headers',
          variable: 'FRAMEWORK_MAX_HEADER_BYTES',
          origin: FRAMEWORK,
        }
      : undefined,
    bodyBytes: body
      ? { value: body, setting: 'framework.yaml limits.body', variable: 'FRAMEWORK_MAX_BODY_BYTES', origin: FRAMEWORK }
      : undefined,
    idleTimeoutMs: idle
      ? {
          value: idle,
          setting: 'gateway.yaml timeouts.idle',
          variable: 'GATEWAY_IDLE_TIMEOUT_MS',
          origin: 'gateway 10.0.0.2:50051',
        }
      : undefined,
  };
}

function logged(): { log: ReturnType<typeof createLogger>; lines: Array<Record<string, unknown>> } {
  const lines: Array<Record<string, unknown>> = [];
  const stream = new Writable({
    write(chunk: Buffer, _encoding, done) {
      lines.push(JSON.parse(chunk.toString()) as Record<string, unknown>);
      done();
    },
  });
  return { log: createLogger('edge', 'info', stream), lines };
}

function writeConfig(text: string): string {
  const path = join(mkdtempSync(join(tmpdir(), 'edge-limits-')), 'edge.yaml');
  writeFileSync(path, text);
  return path;
}

describe('UpstreamLimits', () => {
  const config = loadEdgeConfig({});
  const root = config.locations[0] as LocationConfig;

  it('should hold a location to its own body limit until its gateways announce a smaller one, then to theirs', () => {
    const { log } = logged();
    const upstream = new UpstreamLimits(config, log);
    const limits = upstream.of(root);
    expect([limits.maxBodyBytes, limits.maxHeaderBytes]).toEqual([1 << 20, 0]);
    upstream.poolChanged('gateways', announced({ headers: 4_096, body: 65_536 }));
    expect([limits.maxBodyBytes, limits.maxHeaderBytes]).toEqual([65_536, 4_096]);
    expect(limits.bodyTooLarge(70_000).message).toBe(
      'the body of 70000 bytes exceeds framework.yaml limits.body 64KiB (FRAMEWORK_MAX_BODY_BYTES)',
    );
    upstream.poolChanged('others', announced({ body: 10 }));
    expect(limits.maxBodyBytes).toBe(65_536);
  });

  it('should log each disagreement once, naming both values and both settings, and when they agree again', () => {
    const { log, lines } = logged();
    const upstream = new UpstreamLimits(config, log);
    upstream.poolChanged('gateways', announced({ headers: 4_096, body: 65_536, idle: 30_000 }));
    upstream.poolChanged('gateways', announced({ headers: 4_096, body: 65_536, idle: 30_000 }));
    const warnings = lines.filter((l) => l['level'] === 'warn');
    expect(warnings.map((l) => l['msg'])).toEqual([
      'limits disagree: location /: edge.yaml client.maxHeaderBytes 16KiB (EDGE_MAX_HEADER_BYTES) accepts more than ' +
        `framework.yaml limits.headers 4KiB (FRAMEWORK_MAX_HEADER_BYTES) of ${FRAMEWORK}: request heads over 4KiB ` +
        'get 431 from the edge',
      'limits disagree: location /: edge.yaml limits.body 1MiB (EDGE_MAX_BODY_BYTES) accepts more than ' +
        `framework.yaml limits.body 64KiB (FRAMEWORK_MAX_BODY_BYTES) of ${FRAMEWORK}: bodies over 64KiB get 413 from ` +
        'the edge',
      'limits disagree: location /: edge.yaml timeouts.idle 60s (EDGE_UPSTREAM_IDLE_TIMEOUT_MS) waits longer than ' +
        'gateway.yaml timeouts.idle 30s (GATEWAY_IDLE_TIMEOUT_MS) of gateway 10.0.0.2:50051: a body that pauses for ' +
        'longer than 30s gets 504',
    ]);
    expect(warnings[1]).toMatchObject({
      pool: 'gateways',
      location: '/',
      limit: 'bodyBytes',
      outer: 'edge.yaml limits.body 1MiB (EDGE_MAX_BODY_BYTES)',
      inner: 'framework.yaml limits.body 64KiB (FRAMEWORK_MAX_BODY_BYTES)',
      origin: FRAMEWORK,
    });
    upstream.poolChanged('gateways', announced({ headers: 1 << 20 }));
    expect(lines.at(-1)).toMatchObject({
      level: 'info',
      msg: "location /: the edge's limits agree with its gateways'",
    });
  });

  it('should say once that the limits agree when it first hears them', () => {
    const { log, lines } = logged();
    const upstream = new UpstreamLimits(config, log);
    upstream.poolChanged('gateways', announced({ headers: 65_536 }));
    upstream.poolChanged('gateways', announced({ headers: 32_768 }));
    expect(lines.map((l) => [l['level'], l['msg']])).toEqual([
      ['info', "location /: the edge's limits agree with its gateways'"],
    ]);
  });

  it("should name a location's own setting, and leave redirects alone", () => {
    const own = loadEdgeConfig({
      EDGE_CONFIG: writeConfig(
        'locations: [{ path: /, limits: { body: 2MiB } }, { path: /old, redirect: { to: "https://$host/" } }]\n',
      ),
    });
    const { log, lines } = logged();
    new UpstreamLimits(own, log).poolChanged('gateways', announced({ body: 65_536 }));
    expect(lines.map((l) => l['outer'])).toEqual(['edge.yaml locations[/].limits.body 2MiB']);
  });
});

describe('the edge in front of gateways that accept less (raw sockets, a real gRPC gateway stub)', () => {
  /** An edge whose stub gateway announces `limits` and reads every body, recording it or how it failed. */
  async function edgeBehind(
    limits: Limits,
    env: Record<string, string> = {},
  ): Promise<EdgeUnderTest & { bodies: string[] }> {
    const bodies: string[] = [];
    const under = await edgeUnderTest(
      env,
      (call: ServerCall<HttpRequest>) => {
        void (async () => {
          const chunks: Buffer[] = [];
          try {
            for await (const chunk of readBody(call.body)) chunks.push(Buffer.from(chunk));
          } catch (err) {
            bodies.push(`failed ${(err as { code: string }).code}`);
            return;
          }
          bodies.push(Buffer.concat(chunks).toString());
          call.respond({ status: 200, reason: 'OK', headers: [{ name: 'Content-Length', value: '2' }] });
          call.write(Buffer.from('ok'));
          call.end();
        })();
      },
      { limits },
    );
    cleanups.push(() => under.stop());
    await vi.waitFor(() => expect(under.logs.some((l) => String(l['msg']).startsWith('limits disagree'))).toBe(true));
    return { ...under, bodies };
  }

  it("should refuse a declared body over the framework's limit with 413 naming it, forwarding nothing", async () => {
    const { port, seen } = await edgeBehind(announced({ body: 10 }));
    const { responses } = await rawExchange(port, [
      'POST /x HTTP/1.1\r\nHost: localhost\r\nContent-Length: 11\r\n\r\n01234567890',
    ]);
    expect(responses[0]?.status).toBe(413);
    expect(JSON.parse(responses[0]?.body ?? '{}')).toMatchObject({
      code: 'EDGE_ERR_BODY_TOO_LARGE',
      detail: 'the body of 11 bytes exceeds framework.yaml limits.body 10B (FRAMEWORK_MAX_BODY_BYTES)',
    });
    expect(seen).toEqual([]);
  });

  it("should answer 413 when a chunked body it reads whole crosses the framework's limit, and forward nothing", async () => {
    const { port, seen } = await edgeBehind(announced({ body: 10 }));
    const { responses } = await rawExchange(port, [
      'POST /x HTTP/1.1\r\nHost: localhost\r\nTransfer-Encoding: chunked\r\n\r\n5\r\n12345\r\n',
      '5\r\n67890\r\n',
      '1\r\nx\r\n0\r\n\r\n',
    ]);
    expect(responses[0]?.status).toBe(413);
    expect(seen).toEqual([]);
  });

  it("should answer 413 when a chunked body it streams crosses the framework's limit, and fail the gateway's input", async () => {
    const { port, bodies } = await edgeBehind(announced({ body: 10 }), { EDGE_BODY_BUFFER_BYTES: '0' });
    const { responses } = await rawExchange(port, [
      'POST /x HTTP/1.1\r\nHost: localhost\r\nTransfer-Encoding: chunked\r\n\r\n5\r\n12345\r\n',
      '5\r\n67890\r\n',
      '1\r\nx\r\n0\r\n\r\n',
    ]);
    expect(responses[0]?.status).toBe(413);
    expect(JSON.parse(responses[0]?.body ?? '{}')).toMatchObject({
      detail: 'the body exceeds framework.yaml limits.body 10B (FRAMEWORK_MAX_BODY_BYTES)',
    });
    await vi.waitFor(() => expect(bodies.length).toBeGreaterThan(0));
    expect(bodies).toEqual(['failed TRANSPORT_ERR_CANCELLED']);
  });

  it("should refuse a head the gateway would refuse with 431 naming the framework's limit, forwarding nothing", async () => {
    const { port, seen } = await edgeBehind(announced({ headers: 1_024 }));
    const { responses } = await rawExchange(port, [
      `GET /x HTTP/1.1\r\nHost: localhost\r\nX-Big: ${'x'.repeat(1_000)}\r\n\r\n`,
    ]);
    expect(responses[0]?.status).toBe(431);
    expect(JSON.parse(responses[0]?.body ?? '{}')).toMatchObject({ code: 'EDGE_ERR_HEADERS_TOO_LARGE' });
    expect(JSON.parse(responses[0]?.body ?? '{}').detail).toMatch(
      /^the request head of \d+ bytes exceeds framework\.yaml limits\.headers 1KiB \(FRAMEWORK_MAX_HEADER_BYTES\)$/,
    );
    expect(seen).toEqual([]);
  });

  it('should forward what stays within every limit', async () => {
    const { port, bodies } = await edgeBehind(announced({ headers: 1_024, body: 10 }));
    const { responses } = await rawExchange(
      port,
      ['POST /x HTTP/1.1\r\nHost: localhost\r\nContent-Length: 10\r\n\r\n0123456789'],
      { expected: 1 },
    );
    expect(responses[0]?.status).toBe(200);
    expect(bodies).toEqual(['0123456789']);
  });
});
