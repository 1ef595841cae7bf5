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
let server: Server;
let port: number;
/** Each response, once it finished. */
const finished = new Map<string, ServerResponse>();

beforeAll(async () => {
  server = createServer({ ServerResponse: EdgeResponse }, (req, res) => {
    void stage(createContext(req, res), () => {
      res.once('finish', () => finished.set(req.url ?? '', res));
      res.writeHead(200, ['Content-Type', 'text/plain']);
      res.end(req.url?.startsWith('/big') ? BIG : 'small');
      return Promise.resolve();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  port = (server.address() as AddressInfo).port;
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

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
