/**
 * ADR-0001's measurement: one request = a small head and a small reply, carried three ways between two processes
 * over grpc-js — a unary call per request, a bidirectional stream per request, and requests multiplexed on one
 * long-lived stream (our transport, batched per event-loop turn). Prints req/s, latency and CPU µs per request
 * (client + server process CPU over the run).
 *
 *   node dist/transport-bench.cjs [seconds=5] [concurrency=50]
 */
import { fork, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import {
  Client,
  credentials,
  Metadata,
  Server,
  ServerCredentials,
  type ServerDuplexStream,
  type ServerUnaryCall,
  type sendUnaryData,
} from '@grpc/grpc-js';
import { frameworkBoundary, type Environ } from '@mono/contracts';
import { addExchangeService, channelOptions, frameworkHopErrors, MuxClient, serverOptions } from '@mono/transport';

type Mode = 'unary' | 'stream-per-request' | 'multiplexed';
const MODES: Mode[] = ['unary', 'stream-per-request', 'multiplexed'];
const raw = { serialize: (b: Buffer) => b, deserialize: (b: Buffer) => b };
const REQUEST = Buffer.alloc(200, 1);
const REPLY = Buffer.from('Hello World!');

const environ: Environ = {
  requestMethod: 'GET',
  scriptName: '',
  pathInfo: '/hello',
  queryString: '',
  contentType: '',
  contentLength: '',
  serverName: '127.0.0.1',
  serverPort: '8080',
  serverProtocol: 'HTTP/1.1',
  remoteAddr: '127.0.0.1',
  remotePort: '5000',
  urlScheme: 'http',
  headers: [{ name: 'Host', value: '127.0.0.1:8080' }],
  requestUri: '/hello',
  variables: {},
  application: '',
  inputTerminated: false,
};

async function serve(): Promise<void> {
  const server = new Server(serverOptions);
  server.register(
    '/bench.Raw/Unary',
    (call: ServerUnaryCall<Buffer, Buffer>, done: sendUnaryData<Buffer>) => done(null, REPLY),
    raw.serialize,
    raw.deserialize,
    'unary',
  );
  server.register(
    '/bench.Raw/Stream',
    (call: ServerDuplexStream<Buffer, Buffer>) => {
      call.on('data', () => call.write(REPLY));
      call.on('end', () => call.end());
    },
    raw.serialize,
    raw.deserialize,
    'bidi',
  );
  addExchangeService(
    server,
    frameworkBoundary,
    (call) => {
      call.respond({ status: 200, reason: 'OK', headers: [] });
      call.write(REPLY);
      call.end();
    },
    { errors: frameworkHopErrors.server },
  );
  const port = await new Promise<number>((resolve, reject) =>
    server.bindAsync('127.0.0.1:0', ServerCredentials.createInsecure(), (err, p) => (err ? reject(err) : resolve(p))),
  );
  process.send?.({ port });
}

function requester(mode: Mode, address: string): () => Promise<void> {
  if (mode === 'multiplexed') {
    const client = new MuxClient(address, frameworkBoundary, {
      errors: frameworkHopErrors.client,
    });
    return () =>
      new Promise<void>((resolve, reject) => {
        const call = client.call(
          environ,
          { headTimeoutMs: 60_000, idleTimeoutMs: 60_000 },
          { head() {}, data() {}, end: resolve, error: reject },
        );
        call.end();
      });
  }
  const client = new Client(address, credentials.createInsecure(), channelOptions);
  if (mode === 'unary') {
    return () =>
      new Promise<void>((resolve, reject) => {
        client.makeUnaryRequest(
          '/bench.Raw/Unary',
          raw.serialize,
          raw.deserialize,
          REQUEST,
          new Metadata(),
          { deadline: Date.now() + 60_000 },
          (err) => (err ? reject(err) : resolve()),
        );
      });
  }
  return () =>
    new Promise<void>((resolve, reject) => {
      const call = client.makeBidiStreamRequest('/bench.Raw/Stream', raw.serialize, raw.deserialize, new Metadata(), {
        deadline: Date.now() + 60_000,
      });
      call.on('data', () => {});
      call.on('end', resolve);
      call.on('error', reject);
      call.write(REQUEST);
      call.end();
    });
}

function cpuMicros(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.split(' ') ?? [];
  return ((Number(fields[11]) + Number(fields[12])) / 100) * 1e6;
}

async function measure(mode: Mode, seconds: number, concurrency: number) {
  const server: ChildProcess = fork(__filename, ['--serve'], { stdio: 'inherit' });
  const port = await new Promise<number>((resolve) => server.once('message', (m: { port: number }) => resolve(m.port)));
  const request = requester(mode, `127.0.0.1:${port}`);
  const run = async (ms: number) => {
    const latencies: number[] = [];
    const until = performance.now() + ms;
    await Promise.all(
      Array.from({ length: concurrency }, async () => {
        while (performance.now() < until) {
          const t = performance.now();
          await request();
          latencies.push(performance.now() - t);
        }
      }),
    );
    return latencies;
  };
  await run(1_000);
  const cpu0 = cpuMicros(process.pid) + cpuMicros(server.pid as number);
  const t0 = performance.now();
  const latencies = await run(seconds * 1_000);
  const elapsed = (performance.now() - t0) / 1_000;
  const cpu = cpuMicros(process.pid) + cpuMicros(server.pid as number) - cpu0;
  server.kill();
  latencies.sort((a, b) => a - b);
  const pick = (q: number) => latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))] as number;
  return {
    mode,
    rps: Math.round(latencies.length / elapsed),
    p50ms: +pick(0.5).toFixed(2),
    p99ms: +pick(0.99).toFixed(2),
    cpuUsPerReq: Math.round(cpu / latencies.length),
  };
}

async function main(): Promise<void> {
  if (process.argv.includes('--serve')) return serve();
  const seconds = Number(process.argv[2] ?? 5);
  const concurrency = Number(process.argv[3] ?? 50);
  console.log(`transport bench: ${seconds} s per mode, ${concurrency} requests in flight, Node ${process.version}`);
  for (const mode of MODES) {
    console.log(JSON.stringify(await measure(mode, seconds, concurrency)));
    await sleep(500);
  }
  process.exit(0);
}

void main();
