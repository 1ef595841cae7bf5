import { Writable } from 'node:stream';
import type { HttpRequest } from '@mono/contracts';
import { createLogger } from '@mono/telemetry';
import { recordingSink, testClient } from '@mono/transport/testing';
import type { Application } from '@mono/tsgi';
import { CONFORMANCE_CASES, conformanceProbe, type ConformanceCase } from '@mono/tsgi/testing';
import { buildEnviron } from '@mono/tsgi-server';
import { afterAll, describe, expect, it } from 'vitest';
import { buildFramework } from './app';
import { loadFrameworkConfig } from './config';

const cleanups: Array<() => unknown> = [];
afterAll(async () => {
  while (cleanups.length > 0) await cleanups.pop()?.();
});

async function host(app: Application, env: Record<string, string> = {}, log = createLogger('framework', 'silent')) {
  const framework = buildFramework(loadFrameworkConfig({ FRAMEWORK_PORT: '0', ...env }), {
    applications: [{ name: 'default', app, env: {} }],
    log,
  });
  const port = await framework.listen();
  const client = testClient(`127.0.0.1:${port}`);
  cleanups.push(
    () => framework.shutdown(),
    () => client.close(),
  );
  return client;
}

/** The request as the edge hands it to the gateway, for the gateway's own buildEnviron. */
function edgeRequest(c: ConformanceCase, body: Buffer[] | undefined): HttpRequest {
  const headers = [{ name: 'Host', value: 'probe.example.test:8080' }];
  if (body && !c.chunked) headers.push({ name: 'Content-Length', value: String(Buffer.concat(body).byteLength) });
  return {
    method: c.method,
    target: `/probe${c.target}`,
    protocol: 'HTTP/1.1',
    scheme: 'http',
    headers,
    client: { address: '198.51.100.7', port: 41000 },
    server: { address: '127.0.0.1', port: 8080 },
    requestId: 'conformance',
    bodyLengthUnknown: body !== undefined && c.chunked === true,
  };
}

describe('framework host conformance, fed the environ the gateway builds', () => {
  const probe = conformanceProbe();
  it.each(CONFORMANCE_CASES.map((c) => [c.name, c] as const))('should pass: %s', async (_name, c) => {
    const client = await host(probe.application);
    const body = c.body?.map((chunk) => Buffer.from(chunk));
    const wire = buildEnviron(edgeRequest(c, body), ['/probe', '']);
    const recording = recordingSink();
    let firstData!: () => void;
    const dataArrived = new Promise<void>((resolve) => (firstData = resolve));
    const call = client.call(
      wire,
      { headTimeoutMs: 0, idleTimeoutMs: 0 },
      {
        ...recording.sink,
        data: (chunk) => {
          recording.sink.data(chunk);
          firstData();
        },
      },
    );
    recording.attach(call);
    for (const chunk of body ?? []) call.write(chunk);
    call.end();
    if (c.abort) {
      await dataArrived;
      call.cancel();
    } else {
      const outcome = await recording.outcome;
      expect(outcome.error).toBeUndefined();
      expect(outcome.head?.status).toBe(c.status);
      if (c.response !== undefined) expect(outcome.body.toString()).toBe(c.response);
    }
    await probe.closed();
    expect(probe.violations).toEqual([]);
  });
});

describe('FRAMEWORK_VALIDATE', () => {
  it('should fail a request that breaks a rule, naming the rule in the answer and in the log', async () => {
    const lines: Array<Record<string, unknown>> = [];
    const sink = new Writable({
      write(chunk: Buffer, _encoding, done) {
        lines.push(JSON.parse(chunk.toString()) as Record<string, unknown>);
        done();
      },
    });
    const broken: Application = (_environ, startResponse) => {
      startResponse('200 OK', [['Connection', 'close']]);
      return [];
    };
    const client = await host(broken, { FRAMEWORK_VALIDATE: 'true' }, createLogger('framework', 'info', sink));
    const recording = recordingSink();
    const wire = buildEnviron(edgeRequest({ name: '', method: 'GET', target: '/', status: 500 }, undefined), ['']);
    const call = client.call(wire, { headTimeoutMs: 0, idleTimeoutMs: 0 }, recording.sink);
    recording.attach(call);
    call.end();
    const { error } = await recording.outcome;
    expect(error?.code).toBe('FW_ERR_PROTOCOL_VIOLATION');
    expect(error?.message).toContain('TSGI rule headers.hop-by-hop broken by the application');
    expect(lines).toContainEqual(expect.objectContaining({ rule: 'headers.hop-by-hop', side: 'application' }));
  });

  it('should leave the application unwrapped when off', async () => {
    const broken: Application = (_environ, startResponse) => {
      startResponse('200 OK', [['Connection', 'close']]);
      return [];
    };
    const client = await host(broken);
    const recording = recordingSink();
    const wire = buildEnviron(edgeRequest({ name: '', method: 'GET', target: '/', status: 500 }, undefined), ['']);
    const call = client.call(wire, { headTimeoutMs: 0, idleTimeoutMs: 0 }, recording.sink);
    recording.attach(call);
    call.end();
    const { error } = await recording.outcome;
    expect(error?.code).toBe('FW_ERR_PROTOCOL_VIOLATION');
    expect(error?.message).not.toContain('TSGI rule');
  });
});
