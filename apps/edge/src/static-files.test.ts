import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, symlinkSync, utimesSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { brotliCompressSync, gzipSync } from 'node:zlib';
import { createLogger } from '@mono/telemetry';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildEdge, type Edge } from './app';
import { loadEdgeConfig } from './config';

const log = createLogger('edge', 'silent');
const MARKER = `SECRET-${randomBytes(8).toString('hex')}`;
const CSS = `body { color: #123; }\n${'.rule { margin: 0; }\n'.repeat(40)}`;

/**
 * The layout under test: `outside/` holds what must never be served, `www/` is the root; symlinks lead from the root
 * to a file inside it (followed) and to the secret outside it (refused).
 */
function layout(): { dir: string; www: string } {
  const dir = mkdtempSync(join(tmpdir(), 'edge-static-'));
  const www = join(dir, 'www');
  mkdirSync(join(www, 'static', 'sub'), { recursive: true });
  mkdirSync(join(www, 'static', 'empty'));
  mkdirSync(join(dir, 'outside'));
  writeFileSync(join(dir, 'secret.txt'), MARKER);
  writeFileSync(join(dir, 'outside', 'secret.txt'), MARKER);
  writeFileSync(join(dir, 'outside', 'index.html'), MARKER);
  writeFileSync(join(www, 'secret.txt'), `beside the location, not in it: ${MARKER}`);
  writeFileSync(join(www, 'static', 'index.html'), '<h1>index</h1>');
  writeFileSync(join(www, 'static', 'hello.txt'), 'Hello, files!\n');
  writeFileSync(join(www, 'static', 'data.bin'), Buffer.from(Array.from({ length: 256 }, (_, i) => i)));
  writeFileSync(join(www, 'static', 'style.css'), CSS);
  writeFileSync(join(www, 'static', 'style.css.br'), brotliCompressSync(CSS));
  writeFileSync(join(www, 'static', 'style.css.gz'), gzipSync(CSS));
  writeFileSync(join(www, 'static', '.env'), MARKER);
  writeFileSync(join(www, 'static', 'sub', 'index.html'), '<h1>sub</h1>');
  writeFileSync(join(www, 'static', 'a b%.txt'), 'spaces');
  symlinkSync(join(www, 'static', 'hello.txt'), join(www, 'static', 'inner-link.txt'));
  symlinkSync(join(dir, 'secret.txt'), join(www, 'static', 'outer-link.txt'));
  symlinkSync(join(dir, 'outside'), join(www, 'static', 'outer-dir'));
  symlinkSync('../../secret.txt', join(www, 'static', 'relative-link.txt'));
  utimesSync(join(www, 'static', 'hello.txt'), new Date('2026-01-02T03:04:05Z'), new Date('2026-01-02T03:04:05Z'));
  return { dir, www };
}

interface Raw {
  status: number;
  headers: Record<string, string>;
  body: Buffer;
}

/** One request on a fresh socket, the target sent exactly as given (no client normalises it). */
function raw(port: number, target: string, method = 'GET', headers: Record<string, string> = {}): Promise<Raw> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1');
    const chunks: Buffer[] = [];
    const lines = Object.entries({ Host: 'localhost', Connection: 'close', ...headers }).map(([k, v]) => `${k}: ${v}`);
    socket.write(`${method} ${target} HTTP/1.1\r\n${lines.join('\r\n')}\r\n\r\n`, 'latin1');
    socket.on('data', (chunk: Buffer) => chunks.push(chunk));
    socket.on('error', reject);
    socket.on('close', () => {
      const all = Buffer.concat(chunks);
      const end = all.indexOf('\r\n\r\n');
      const head = all.subarray(0, end).toString('latin1').split('\r\n');
      const parsed: Record<string, string> = {};
      for (const line of head.slice(1)) {
        const colon = line.indexOf(':');
        parsed[line.slice(0, colon).toLowerCase()] = line.slice(colon + 1).trim();
      }
      resolve({ status: Number(head[0]?.split(' ')[1]), headers: parsed, body: all.subarray(end + 4) });
    });
  });
}

let edge: Edge;
let port: number;
let www: string;

beforeAll(async () => {
  const made = layout();
  www = made.www;
  const file = join(made.dir, 'edge.yaml');
  writeFileSync(
    file,
    [
      'locations:',
      '  - { path: / }',
      '  - { path: /static/, root: www }',
      '  - { path: /files/, alias: www/static, index: [missing.html, index.html] }',
      '  - { path: /plain/, alias: www/static, precompressed: false }',
    ].join('\n'),
  );
  const config = loadEdgeConfig({ EDGE_CONFIG: file, EDGE_PORT: '0', EDGE_GATEWAYS: '127.0.0.1:1' });
  edge = buildEdge(config, { log });
  port = await edge.listen();
});
afterAll(() => edge?.shutdown());

describe('staticFiles', () => {
  it('should serve a file under the root with its type, length, ETag and Last-Modified, without any gateway', async () => {
    const res = await raw(port, '/static/hello.txt');
    expect(res.status).toBe(200);
    expect(res.body.toString()).toBe('Hello, files!\n');
    expect(res.headers).toMatchObject({
      'content-type': 'text/plain; charset=utf-8',
      'content-length': '14',
      'last-modified': 'Fri, 02 Jan 2026 03:04:05 GMT',
      'accept-ranges': 'bytes',
    });
    expect(res.headers['etag']).toMatch(/^W\/"e-/);
    expect(res.headers['x-request-id']).toMatch(/^[0-9a-f]{32}$/);
    expect(res.headers['x-trace-id']).toMatch(/^[0-9a-f]{32}$/);
  });

  it('should answer 304 to a matching If-None-Match or a later If-Modified-Since, and 412 to a failed If-Match', async () => {
    const first = await raw(port, '/static/hello.txt');
    const byTag = await raw(port, '/static/hello.txt', 'GET', { 'If-None-Match': first.headers['etag'] as string });
    expect(byTag.status).toBe(304);
    expect(byTag.body.length).toBe(0);
    expect(byTag.headers['etag']).toBe(first.headers['etag']);
    const byDate = await raw(port, '/static/hello.txt', 'GET', {
      'If-Modified-Since': 'Sat, 03 Jan 2026 00:00:00 GMT',
    });
    expect(byDate.status).toBe(304);
    const changed = await raw(port, '/static/hello.txt', 'GET', { 'If-None-Match': 'W/"other"' });
    expect(changed.status).toBe(200);
    const failed = await raw(port, '/static/hello.txt', 'GET', { 'If-Match': '"other"' });
    expect(failed.status).toBe(412);
    expect(JSON.parse(failed.body.toString())).toMatchObject({ code: 'EDGE_ERR_PRECONDITION_FAILED' });
  });

  it('should answer a Range with 206 and its bytes, and one beyond the end with 416 and Content-Range', async () => {
    const part = await raw(port, '/static/data.bin', 'GET', { Range: 'bytes=16-31' });
    expect(part.status).toBe(206);
    expect(part.headers['content-range']).toBe('bytes 16-31/256');
    expect([...part.body]).toEqual(Array.from({ length: 16 }, (_, i) => 16 + i));
    const tail = await raw(port, '/static/data.bin', 'GET', { Range: 'bytes=-4' });
    expect([...tail.body]).toEqual([252, 253, 254, 255]);
    const beyond = await raw(port, '/static/data.bin', 'GET', { Range: 'bytes=300-400' });
    expect(beyond.status).toBe(416);
    expect(beyond.headers['content-range']).toBe('bytes */256');
    expect(beyond.headers['content-type']).toBe('application/problem+json');
    expect(beyond.headers['etag']).toBeUndefined();
  });

  it('should answer HEAD with the headers of GET and no body', async () => {
    const res = await raw(port, '/static/hello.txt', 'HEAD');
    expect(res.status).toBe(200);
    expect(res.headers['content-length']).toBe('14');
    expect(res.body.length).toBe(0);
  });

  it('should send a precompressed sibling to a client that accepts it, with the file type and Vary', async () => {
    const br = await raw(port, '/static/style.css', 'GET', { 'Accept-Encoding': 'gzip, br' });
    expect(br.headers).toMatchObject({
      'content-encoding': 'br',
      'content-type': 'text/css; charset=utf-8',
      vary: 'Accept-Encoding',
    });
    expect(br.body).toEqual(brotliCompressSync(CSS));
    const gz = await raw(port, '/static/style.css', 'GET', { 'Accept-Encoding': 'gzip;q=1, br;q=0.5' });
    expect(gz.headers['content-encoding']).toBe('gzip');
    expect(gz.body).toEqual(gzipSync(CSS));
    expect(gz.headers['etag']).not.toBe(br.headers['etag']);
    const plain = await raw(port, '/static/style.css');
    expect(plain.headers['content-encoding']).toBeUndefined();
    expect(plain.body.toString()).toBe(CSS);
    const off = await raw(port, '/plain/style.css', 'GET', { 'Accept-Encoding': 'br' });
    expect(off.headers['content-encoding']).toBeUndefined();
  });

  it('should serve a directory its index, redirect one named without its slash, and never list one', async () => {
    expect((await raw(port, '/static/')).body.toString()).toBe('<h1>index</h1>');
    expect((await raw(port, '/files/sub/')).body.toString()).toBe('<h1>sub</h1>');
    const redirect = await raw(port, '/static/sub?x=1');
    expect(redirect.status).toBe(301);
    expect(redirect.headers['location']).toBe('/static/sub/?x=1');
    expect((await raw(port, '/static/empty/')).status).toBe(404);
  });

  it('should map an alias location to the path below it', async () => {
    const res = await raw(port, '/files/hello.txt');
    expect(res.body.toString()).toBe('Hello, files!\n');
    expect((await raw(port, '/files/')).body.toString()).toBe('<h1>index</h1>');
    expect((await raw(port, '/files/a%20b%25.txt')).body.toString()).toBe('spaces');
  });

  it('should follow a symlink that stays under the root and refuse one that leads out of it', async () => {
    expect((await raw(port, '/static/inner-link.txt')).body.toString()).toBe('Hello, files!\n');
    for (const target of ['/static/outer-link.txt', '/static/relative-link.txt', '/static/outer-dir/secret.txt']) {
      const res = await raw(port, target);
      expect(res.status, target).toBe(404);
      expect(res.body.toString(), target).not.toContain(MARKER);
    }
  });

  it('should hide dotfiles and refuse any method but GET and HEAD with 405 and Allow', async () => {
    expect((await raw(port, '/static/.env')).status).toBe(404);
    const post = await raw(port, '/static/hello.txt', 'POST', { 'Content-Length': '0' });
    expect(post.status).toBe(405);
    expect(post.headers['allow']).toBe('GET, HEAD');
  });

  it('should answer 404 for what is not there and 400 for a path that cannot be one', async () => {
    expect((await raw(port, '/static/nothing.txt')).status).toBe(404);
    expect((await raw(port, '/static/hello.txt/')).status).toBe(404);
    expect((await raw(port, '/static/%c0%ae%c0%ae/secret.txt')).status).toBe(400);
    expect((await raw(port, '/static/..%2f..%2fsecret.txt')).status).toBe(400);
    expect((await raw(port, '/static/hello.txt%00.png')).status).toBe(400);
    // Beside a location's prefix is another location (here the pool's, whose gateway is down): no file.
    for (const target of ['/static../secret.txt', '/files../secret.txt', '/files..%2fsecret.txt']) {
      const res = await raw(port, target);
      expect(res.status, target).toBe(503);
      expect(res.body.toString(), target).not.toContain(MARKER);
    }
  });

  it('should never return a byte from outside the root, whatever the path (a traversal corpus)', async () => {
    const corpus = traversalCorpus(www);
    expect(corpus.length).toBeGreaterThan(5_000);
    const statuses: Record<number, number> = {};
    const leaks: string[] = [];
    let next = 0;
    const worker = async () => {
      while (next < corpus.length) {
        const target = corpus[next++] as string;
        const res = await raw(port, target);
        statuses[res.status] = (statuses[res.status] ?? 0) + 1;
        const body = res.body.toString('latin1');
        if (body.includes(MARKER) || body.includes('root:x:0:0')) leaks.push(target);
        if (res.status === 200 && !['<h1>index</h1>', '<h1>sub</h1>'].includes(body)) leaks.push(target);
      }
    };
    await Promise.all(Array.from({ length: 16 }, worker));
    expect(leaks).toEqual([]);
    expect(Object.keys(statuses).map(Number).sort()).toEqual(expect.arrayContaining([400, 404]));
    for (const status of Object.keys(statuses).map(Number)) expect([200, 301, 400, 404]).toContain(status);
  }, 120_000);
});

/**
 * Paths a scanner tries to climb out of a web root with: every spelling of `..` and of a separator (encoded,
 * double-encoded, overlong UTF-8, full-width, `%00`, `;`), at depths 1 to 6, towards the secret beside the root, one
 * outside it, /etc/passwd and absolute paths, under each static location.
 */
function traversalCorpus(root: string): string[] {
  const dots = [
    '..',
    '%2e%2e',
    '%2E%2E',
    '.%2e',
    '%2e.',
    '%252e%252e',
    '%c0%ae%c0%ae',
    '%e0%80%ae%e0%80%ae',
    '%c0%2e%c0%2e',
    '%ef%bc%8e%ef%bc%8e',
    '..%00',
    '..%2500',
    '..;',
    '....',
    '.%00.',
  ];
  const separators = [
    '/',
    '%2f',
    '%2F',
    '%5c',
    '%5C',
    '\\',
    '%252f',
    '%255c',
    '%c0%af',
    '%e0%80%af',
    '%c1%9c',
    '/./',
    ';/',
  ];
  const targets = ['secret.txt', 'outside/secret.txt', 'etc/passwd', 'www/secret.txt'];
  const prefixes = ['/static/', '/files/', '/static/sub/', '/files/sub/'];
  const corpus: string[] = [];
  for (const prefix of prefixes)
    for (const dot of dots)
      for (const separator of separators)
        for (let depth = 1; depth <= 6; depth += 1)
          for (const target of targets) corpus.push(prefix + `${dot}${separator}`.repeat(depth) + target);
  for (const prefix of prefixes) {
    corpus.push(
      `${prefix}${root}/../secret.txt`,
      `${prefix}%2f${encodeURIComponent(root)}%2f..%2fsecret.txt`,
      `${prefix}/etc/passwd`,
      `${prefix}%2fetc%2fpasswd`,
      `${prefix}file:///etc/passwd`,
      `${prefix}outer-link.txt`,
      `${prefix}outer-dir/`,
      `${prefix}outer-dir/index.html`,
      `${prefix}outer-dir%2fsecret.txt`,
      `${prefix}relative-link.txt`,
      `${prefix}.env`,
      `${prefix}%2eenv`,
      `${prefix}..`,
      `${prefix}%2e%2e`,
    );
  }
  return corpus;
}
