import { once } from 'node:events';
import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ExportResultCode, type ExportResult } from '@opentelemetry/core';
import { ProtobufTraceSerializer } from '@opentelemetry/otlp-transformer';
import { TracerProvider, type ReadableSpan } from '@opentelemetry/sdk-trace';
import { afterEach, describe, expect, it } from 'vitest';
import { otlpProtoTraceExporter } from './otlp-proto-trace-exporter';

const ENDPOINT = 'OTEL_EXPORTER_OTLP_TRACES_ENDPOINT';
const saved = process.env[ENDPOINT];
afterEach(() => {
  if (saved === undefined) delete process.env[ENDPOINT];
  else process.env[ENDPOINT] = saved;
});

function spans(): ReadableSpan[] {
  const ended: ReadableSpan[] = [];
  const provider = new TracerProvider({
    spanProcessors: [
      { onStart() {}, onEnd: (span) => void ended.push(span), forceFlush: async () => {}, shutdown: async () => {} },
    ],
  });
  const tracer = provider.getTracer('exporter-test');
  tracer.startSpan('one', { attributes: { 'url.path': '/hello' } }).end();
  tracer.startSpan('two').end();
  return ended;
}

describe('otlpProtoTraceExporter', () => {
  it('should POST the spans as OTLP protobuf to the configured endpoint, as the SDK exporter would', async () => {
    const received: Array<{ req: IncomingMessage; body: Buffer }> = [];
    const server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (chunk: Buffer) => chunks.push(chunk));
      req.on('end', () => {
        received.push({ req, body: Buffer.concat(chunks) });
        res.writeHead(200, { 'Content-Type': 'application/x-protobuf' }).end();
      });
    });
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    try {
      const { port } = server.address() as AddressInfo;
      process.env[ENDPOINT] = `http://127.0.0.1:${port}/v1/traces`;
      const exporter = otlpProtoTraceExporter();
      const batch = spans();
      const result = await new Promise<ExportResult>((resolve) => exporter.export(batch, resolve));
      expect(result.code).toBe(ExportResultCode.SUCCESS);
      expect(received).toHaveLength(1);
      const [{ req, body }] = received as [{ req: IncomingMessage; body: Buffer }];
      expect(req.method).toBe('POST');
      expect(req.url).toBe('/v1/traces');
      expect(req.headers['content-type']).toBe('application/x-protobuf');
      expect(body.equals(Buffer.from(ProtobufTraceSerializer.serializeRequest(batch) as Uint8Array))).toBe(true);
      await exporter.shutdown();
    } finally {
      server.close();
    }
  });

  it('should report a failure when the collector refuses the spans', async () => {
    const server = createServer((req, res) => {
      req.resume();
      req.on('end', () => res.writeHead(400).end());
    });
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    try {
      process.env[ENDPOINT] = `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1/traces`;
      const exporter = otlpProtoTraceExporter();
      const result = await new Promise<ExportResult>((resolve) => exporter.export(spans(), resolve));
      expect(result.code).toBe(ExportResultCode.FAILED);
      await exporter.shutdown();
    } finally {
      server.close();
    }
  });
});
