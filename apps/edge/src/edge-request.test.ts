import { createServer, type IncomingHttpHeaders, type IncomingMessage, type Server } from 'node:http';
import { connect, type AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { EdgeRequest } from './edge-request';

const servers: Server[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((server) => new Promise((resolve) => server.close(resolve))));
});

/** The requests a server made of `raw` (sent on one connection), as its listener saw them. */
async function requestsOf(
  raw: string,
  options: { IncomingMessage?: typeof IncomingMessage },
): Promise<IncomingMessage[]> {
  const seen: IncomingMessage[] = [];
  const server = createServer(options, (req, res) => {
    seen.push(req);
    res.end('ok');
  });
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const expected = raw.split('\r\n\r\n').length - 1;
  await new Promise<void>((resolve, reject) => {
    const socket = connect(port, '127.0.0.1', () => socket.end(raw));
    socket.resume();
    socket.on('error', reject);
    socket.on('close', () => resolve());
  });
  expect(seen).toHaveLength(expected);
  return seen;
}

const RAW =
  'GET /a HTTP/1.1\r\nHost: example.com\r\nAccept: text/html\r\nX-Custom: 1\r\nACCEPT: */*\r\n' +
  'Cookie: a=1\r\ncookie: b=2\r\nContent-Type: text/plain\r\nContent-Type: text/html\r\nUser-Agent: one\r\n' +
  'User-Agent: two\r\nContent-Length: 0\r\n\r\n' +
  'GET /b HTTP/1.1\r\nUser-Agent: curl\r\nX-Custom: 2\r\nx-custom: 3\r\nHost: example.com\r\n\r\n';

describe('EdgeRequest', () => {
  it("gives the fields Node's own request gives, duplicates joined or dropped as Node does", async () => {
    const [nodes, edges] = await Promise.all([requestsOf(RAW, {}), requestsOf(RAW, { IncomingMessage: EdgeRequest })]);
    expect(edges.map((req) => ({ ...req.headers }))).toEqual(nodes.map((req) => ({ ...req.headers })));
    expect(edges[0]?.headers).toMatchObject({ accept: 'text/html, */*', cookie: 'a=1; b=2', 'user-agent': 'one' });
    expect(edges[1]?.headers['x-custom']).toBe('2, 3');
  });

  it('keeps them in an object without a prototype, which V8 gives one map whatever the fields, built once', async () => {
    const [first, second] = await requestsOf(RAW, { IncomingMessage: EdgeRequest });
    const built = first?.headers;
    expect(Object.getPrototypeOf(built)).toBeNull();
    expect(Object.getPrototypeOf(second?.headers)).toBeNull();
    expect(first?.headers).toBe(built);
  });

  it('takes a headers object assigned to it, as Node does', async () => {
    const [req] = await requestsOf(RAW, { IncomingMessage: EdgeRequest });
    const headers: IncomingHttpHeaders = { host: 'other.example' };
    (req as IncomingMessage).headers = headers;
    expect(req?.headers).toBe(headers);
  });
});
