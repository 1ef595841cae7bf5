import { createServer, get, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { setFlagsFromString } from 'node:v8';
import { gunzipSync } from 'node:zlib';
import * as v from 'valibot';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { compress } from './compress';
import { compressionSection } from './compression-config';
import { createContext } from './context';
import { EdgeResponse } from './edge-response';

setFlagsFromString('--allow-natives-syntax');
const haveSameMap = new Function('a', 'b', 'return %HaveSameMap(a, b)') as (a: object, b: object) => boolean;

const stage = compress(v.parse(compressionSection, undefined));
const BIG = 'hello, hello, hello. '.repeat(200);
const PROBLEM = JSON.stringify({ title: 'Bad Gateway', status: 502, detail: 'invalid response head' });
let server: Server;
let port: number;
/** Each response, once it finished. */
const finished = new Map<string, ServerResponse>();

beforeAll(async () => {
  server = createServer({ ServerResponse: EdgeResponse }, (req, res) => {
    (res as EdgeResponse).addOwnField('X-Request-Id', 'r1');
    void stage(createContext(req, res), () => {
      res.once('finish', () => finished.set(req.url ?? '', res));
      if (req.url === '/refused') refuse(res);
      else if (req.url === '/pairs') res.writeHead(200, [['Content-Type', 'text/plain']] as unknown as string[]);
      else res.writeHead(200, ['Content-Type', 'text/plain']);
      if (!res.writableEnded) res.end(req.url === '/small' ? 'small' : BIG);
      return Promise.resolve();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  port = (server.address() as AddressInfo).port;
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

/** A head Node refuses (a control character in a value), then what proxy.ts's respondProblem sends instead. */
function refuse(res: ServerResponse): void {
  try {
    res.writeHead(200, ['Content-Type', 'text/plain', 'X-Bad', 'a\u0001b']);
  } catch {
    res.statusCode = 502;
    res.setHeader('Content-Type', 'application/problem+json');
    res.setHeader('Content-Length', PROBLEM.length);
    res.end(PROBLEM);
  }
}

function fetchBody(path: string, headers: Record<string, string>): Promise<{ res: IncomingMessage; body: Buffer }> {
  return new Promise((resolve, reject) => {
    get({ port, path, headers, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => resolve({ res, body: Buffer.concat(chunks) }));
    }).on('error', reject);
  });
}

describe('encodable', () => {
  it("should send what replaces a head Node refused as it is: not encoded, with the edge's own fields", async () => {
    const { res, body } = await fetchBody('/refused', { 'Accept-Encoding': 'gzip' });
    expect(res.statusCode).toBe(502);
    expect(res.headers).toMatchObject({ 'content-length': String(PROBLEM.length), 'x-request-id': 'r1' });
    expect(res.headers['content-encoding']).toBeUndefined();
    expect(body.toString()).toBe(PROBLEM);
  });

  it('should read a head given as [name, value] pairs as Node does', async () => {
    const { res, body } = await fetchBody('/pairs', { 'Accept-Encoding': 'gzip' });
    expect(res.headers).toMatchObject({ 'content-type': 'text/plain', 'content-encoding': 'gzip' });
    expect(gunzipSync(body).toString()).toBe(BIG);
  });

  it('should encode through fields of the response class: a request with Accept-Encoding gets a response of the same map', async () => {
    await fetchBody('/plain', {});
    await fetchBody('/small', { 'Accept-Encoding': 'gzip' });
    const big = await fetchBody('/big', { 'Accept-Encoding': 'gzip' });
    expect(big.res.headers['content-encoding']).toBe('gzip');
    expect(gunzipSync(big.body).toString()).toBe(BIG);

    const plain = finished.get('/plain') as ServerResponse;
    for (const path of ['/small', '/big']) {
      const res = finished.get(path) as ServerResponse;
      expect(Reflect.ownKeys(res)).toEqual(Reflect.ownKeys(plain));
      expect(haveSameMap(res, plain)).toBe(true);
    }
  });
});
