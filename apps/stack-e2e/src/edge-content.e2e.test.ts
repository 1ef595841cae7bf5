import { execFile } from 'node:child_process';
import { readFileSync, rmSync } from 'node:fs';
import { connect as http2Connect } from 'node:http2';
import { join } from 'node:path';
import { connect as tlsConnect } from 'node:tls';
import { promisify } from 'node:util';
import { brotliDecompressSync, gunzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROOT, send, startStack, testCertificate, type Stack } from '@mono/testing';

const run = promisify(execFile);
const certificate = testCertificate();
let stack: Stack;
let https: string;
/** The edge that took over on SIGHUP: the stack knows only the one it started. */
let successor: number | undefined;

beforeAll(async () => {
  stack = await startStack({
    edge: { EDGE_TLS_CERT: certificate.cert, EDGE_TLS_KEY: certificate.key, EDGE_TLS_PORT: '0' },
  });
  const listening = stack.edge.logs.find((line) => line['msg'] === 'edge listening');
  https = String(listening?.['https']).replace('127.0.0.1', 'localhost');
});
afterAll(async () => {
  await stack?.stop();
  if (successor !== undefined) process.kill(successor, 'SIGTERM');
  rmSync(certificate.dir, { recursive: true, force: true });
});

/** The SHA-256 fingerprint of the certificate a new TLS connection to the edge is shown. */
function servedCertificate(): Promise<string> {
  const { port } = new URL(https);
  return new Promise((resolve, reject) => {
    const socket = tlsConnect({ host: '127.0.0.1', port: Number(port), rejectUnauthorized: false }, () => {
      resolve(socket.getPeerX509Certificate()?.fingerprint256 ?? '');
      socket.end();
    });
    socket.on('error', reject);
  });
}

describe('the edge serving content itself, through the stack', () => {
  it('should serve /static/ from the demo root, precompressed, traced and access-logged like a proxied request', async () => {
    const css = readFileSync(join(ROOT, 'infra', 'static', 'app.css'));
    const res = await send(`${stack.url}/static/app.css`, { headers: { 'accept-encoding': 'br, gzip' } });
    expect(res.status).toBe(200);
    expect(res.headers).toMatchObject({ 'content-encoding': 'br', 'content-type': 'text/css; charset=utf-8' });
    expect(brotliDecompressSync(res.body).equals(css)).toBe(true);
    const traceId = String(res.headers['x-trace-id']);
    expect(traceId).toMatch(/^[0-9a-f]{32}$/);
    const line = await stack.edge.waitForLog(
      (l) => l['msg'] === 'access' && l['requestId'] === res.headers['x-request-id'],
    );
    expect(line).toMatchObject({ method: 'GET', target: '/static/app.css', status: 200, trace_id: traceId });
    const index = await send(`${stack.url}/static/`);
    expect(index.body.toString()).toContain('Static files from the edge');
    const again = await send(`${stack.url}/static/`, { headers: { 'if-none-match': String(index.headers.etag) } });
    expect(again.status).toBe(304);
  });

  it('should keep the precompressed siblings of the demo root in step with the file', () => {
    const dir = join(ROOT, 'infra', 'static');
    const css = readFileSync(join(dir, 'app.css'));
    expect(gunzipSync(readFileSync(join(dir, 'app.css.gz'))).equals(css)).toBe(true);
    expect(brotliDecompressSync(readFileSync(join(dir, 'app.css.br'))).equals(css)).toBe(true);
  });

  it('should gzip /stream for a client that asks, each line still arriving as it is produced', async () => {
    const res = await send(`${stack.url}/stream?n=4&ms=150`, { headers: { 'accept-encoding': 'gzip' } });
    expect(res.headers['content-encoding']).toBe('gzip');
    expect(gunzipSync(res.body).toString().trim().split('\n')).toHaveLength(4);
    expect(res.chunkTimes.length).toBeGreaterThanOrEqual(4);
    expect((res.chunkTimes.at(-1) as number) - (res.chunkTimes[0] as number)).toBeGreaterThan(300);
  });

  it('should answer curl --http2 -k https://…/hello, the application seeing https and HTTP/2', async () => {
    const { stdout } = await run('curl', ['-sS', '-i', '--http2', '-k', `${https}/hello`]);
    expect(stdout).toMatch(/^HTTP\/2 200/);
    expect(stdout.endsWith('Hello World!')).toBe(true);
    const client = http2Connect(https, { rejectUnauthorized: false });
    const environ = await new Promise<Record<string, unknown>>((resolve, reject) => {
      const stream = client.request({ ':path': '/environ' });
      let body = '';
      stream.on('data', (chunk: Buffer) => (body += chunk.toString()));
      stream.on('end', () => resolve(JSON.parse(body) as Record<string, unknown>));
      stream.on('error', reject);
    });
    client.close();
    expect(environ).toMatchObject({ 'tsgi.url_scheme': 'https', SERVER_PROTOCOL: 'HTTP/2.0' });
  });

  it('should load renewed certificate files on SIGHUP, without refusing a connection', async () => {
    const before = await servedCertificate();
    testCertificate(certificate.dir);
    stack.edge.signal('SIGHUP');
    const handedOver = await stack.edge.waitForLog((line) => line['msg'] === 'edge handed over', 20_000);
    successor = Number(handedOver['successor']);
    const after = await servedCertificate();
    expect(after).not.toBe(before);
    const res = await send(`${stack.url}/hello`);
    expect(res.status).toBe(200);
  });
});
