import { connect } from 'node:net';
import { Writable } from 'node:stream';
import { gatewayBoundary, type HttpRequest, type Limits } from '@mono/contracts';
import { createLogger } from '@mono/telemetry';
import type { ServerCall } from '@mono/transport';
import { startTestServer } from '@mono/transport/testing';
import { buildEdge, type Edge } from './app';
import { loadEdgeConfig } from './config';

/** One response as it came over the wire. */
export interface RawResponse {
  status: number;
  /** Header fields in order, names in lower case. */
  fields: Array<[string, string]>;
  headers: Record<string, string>;
  body: string;
}

/** What a raw exchange saw: the responses in order, and whether the edge closed the connection. */
export interface RawExchange {
  responses: RawResponse[];
  closed: boolean;
}

/** An edge listening on a free port over a stub gateway, with its access lines and what the gateway received. */
export interface EdgeUnderTest {
  edge: Edge;
  port: number;
  /** The requests the gateway received, in order. */
  seen: HttpRequest[];
  /** The edge's JSON log lines. */
  logs: Array<Record<string, unknown>>;
  /** Combined access lines, when the format is combined. */
  lines: string[];
  /** The streams the edge has open to the stub gateway. */
  streams(): number;
  stop(): Promise<void>;
}

/**
 * Starts an edge on 127.0.0.1:0 in front of a stub gateway; by default the gateway answers 200 with a JSON
 * description of the request it got (target, headers, client) and Content-Length. `limits`: what the stub announces
 * it accepts.
 */
export async function edgeUnderTest(
  env: Record<string, string> = {},
  handler: (call: ServerCall<HttpRequest>) => void = describeRequest,
  { limits }: { limits?: Limits } = {},
): Promise<EdgeUnderTest> {
  const seen: HttpRequest[] = [];
  const gateway = await startTestServer<HttpRequest>(
    (call) => {
      seen.push(call.head);
      handler(call);
    },
    limits ? { boundary: gatewayBoundary, limits } : { boundary: gatewayBoundary },
  );
  const logs: Array<Record<string, unknown>> = [];
  const lines: string[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _encoding, done) {
      logs.push(JSON.parse(chunk.toString()) as Record<string, unknown>);
      done();
    },
  });
  const config = loadEdgeConfig({ EDGE_GATEWAYS: gateway.address, EDGE_PORT: '0', EDGE_ADMIN: '127.0.0.1:0', ...env });
  let ready!: () => void;
  const served = new Promise<void>((resolve) => (ready = resolve));
  const edge = buildEdge(config, {
    log: createLogger('edge', 'info', stream),
    accessOut: (line) => lines.push(line),
    onReady: () => ready(),
  });
  const port = await edge.listen();
  await served;
  return {
    edge,
    port,
    seen,
    logs,
    lines,
    streams: () => gateway.service.streams,
    async stop() {
      await edge.shutdown();
      gateway.stop();
    },
  };
}

/** Answers 200 with what the gateway received, as JSON. */
export function describeRequest(call: ServerCall<HttpRequest>): void {
  const { target, headers, client, scheme, bodyLengthUnknown } = call.head;
  const chunks: Buffer[] = [];
  call.body.attach({
    data: (chunk) => {
      chunks.push(Buffer.from(chunk));
      call.body.consumed(chunk.byteLength);
    },
    end: () => {
      const body = JSON.stringify({
        target,
        headers,
        client,
        scheme,
        bodyLengthUnknown,
        body: Buffer.concat(chunks).toString(),
      });
      call.respond({
        status: 200,
        reason: 'OK',
        headers: [
          { name: 'Content-Type', value: 'application/json' },
          { name: 'Content-Length', value: String(Buffer.byteLength(body)) },
        ],
      });
      call.write(Buffer.from(body));
      call.end();
    },
    error: () => {},
  });
}

/**
 * Writes `parts` to a new connection (each part after the previous one was written, the next after `gap` resolves
 * if given) and reads until the edge closes the connection or `expected` final responses arrived.
 */
export function rawExchange(
  port: number,
  parts: ReadonlyArray<string | Buffer>,
  { expected = Infinity, afterFirst }: { expected?: number; afterFirst?: () => Promise<void> } = {},
): Promise<RawExchange> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1');
    let received = Buffer.alloc(0);
    let done = false;
    const finish = (closed: boolean) => {
      if (done) return;
      done = true;
      socket.destroy();
      resolve({ responses: parseResponses(received), closed });
    };
    socket.on('data', (chunk: Buffer) => {
      received = Buffer.concat([received, chunk]);
      if (parseResponses(received).filter((r) => r.status >= 200).length >= expected) finish(false);
    });
    socket.on('close', () => finish(true));
    socket.on('error', (err) => (done ? undefined : reject(err)));
    void (async () => {
      for (const [i, part] of parts.entries()) {
        if (socket.destroyed) return;
        socket.write(part);
        if (i === 0 && afterFirst) await afterFirst();
      }
    })();
  });
}

/** Splits what came over the wire into responses (Content-Length or chunked bodies; 1xx have none). */
export function parseResponses(data: Buffer): RawResponse[] {
  const responses: RawResponse[] = [];
  let at = 0;
  for (;;) {
    const end = data.indexOf('\r\n\r\n', at);
    if (end === -1) break;
    const [statusLine = '', ...lines] = data.subarray(at, end).toString('latin1').split('\r\n');
    const status = Number(statusLine.split(' ')[1]);
    const fields = lines.map((line): [string, string] => {
      const colon = line.indexOf(':');
      return [line.slice(0, colon).toLowerCase(), line.slice(colon + 1).trim()];
    });
    const headers = Object.fromEntries(fields);
    let bodyStart = end + 4;
    let body = '';
    if (status >= 200 && headers['transfer-encoding'] === 'chunked') {
      const chunks: Buffer[] = [];
      for (;;) {
        const lineEnd = data.indexOf('\r\n', bodyStart);
        if (lineEnd === -1) return responses;
        const size = Number.parseInt(data.subarray(bodyStart, lineEnd).toString(), 16);
        if (data.length < lineEnd + 2 + size + 2) return responses;
        chunks.push(data.subarray(lineEnd + 2, lineEnd + 2 + size));
        bodyStart = lineEnd + 2 + size + 2;
        if (size === 0) break;
      }
      body = Buffer.concat(chunks).toString();
    } else if (status >= 200) {
      const length = Number(headers['content-length'] ?? 0);
      if (data.length < bodyStart + length) break;
      body = data.subarray(bodyStart, bodyStart + length).toString();
      bodyStart += length;
    }
    responses.push({ status, fields, headers, body });
    at = bodyStart;
  }
  return responses;
}
