import { createServer, get, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { EdgeResponse } from './edge-response';

let server: Server | undefined;
afterEach(() => new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve())));

/** The raw header lines (name, value, …) of a response that `answer` writes on a real EdgeResponse. */
async function rawHeaders(answer: (res: EdgeResponse) => void): Promise<string[]> {
  server = createServer({ ServerResponse: EdgeResponse }, (_req, res) => {
    const edge = res as EdgeResponse;
    edge.addOwnField('X-Request-Id', 'r1');
    edge.addOwnField('X-Trace-Id', 't1');
    answer(edge);
  });
  await new Promise<void>((resolve) => server?.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const res = await new Promise<IncomingMessage>((resolve) => get(`http://127.0.0.1:${port}/`, resolve));
  res.resume();
  const fields: string[] = [];
  for (let i = 0; i < res.rawHeaders.length; i += 2) {
    const [name, value] = [res.rawHeaders[i] as string, res.rawHeaders[i + 1] as string];
    if (!/^(date|connection|keep-alive)$/i.test(name)) fields.push(name, value);
  }
  return fields;
}

describe('EdgeResponse', () => {
  it("puts the edge's fields first on a head written from a flat list", async () => {
    const headers = await rawHeaders((res) => res.writeHead(200, 'OK', ['Content-Length', '2']).end('ok'));
    expect(headers).toEqual(['X-Request-Id', 'r1', 'X-Trace-Id', 't1', 'Content-Length', '2']);
  });

  it("leaves out an edge field that the response's own list names, in any case", async () => {
    const headers = await rawHeaders((res) => res.writeHead(200, ['x-request-id', 'app', 'Content-Length', '0']).end());
    expect(headers).toEqual(['X-Trace-Id', 't1', 'x-request-id', 'app', 'Content-Length', '0']);
  });

  it('merges by name, as writeHead does, when fields were set before the head', async () => {
    const headers = await rawHeaders((res) => {
      res.setHeader('Cache-Control', 'no-store');
      res.setHeader('X-Trace-Id', 'location');
      res.writeHead(200, ['Cache-Control', 'private', 'Content-Length', '0']).end();
    });
    expect(headers).toEqual([
      'X-Trace-Id',
      'location',
      'X-Request-Id',
      'r1',
      'Cache-Control',
      'private',
      'Content-Length',
      '0',
    ]);
  });

  it('adds them to a head Node writes on its own, and lets an object of fields override them', async () => {
    expect(await rawHeaders((res) => res.end('hi'))).toEqual([
      'X-Request-Id',
      'r1',
      'X-Trace-Id',
      't1',
      'Content-Length',
      '2',
    ]);
    const headers = await rawHeaders((res) => res.writeHead(204, { 'X-Request-Id': 'object' }).end());
    expect(headers).toEqual(['X-Request-Id', 'object', 'X-Trace-Id', 't1']);
  });
});
