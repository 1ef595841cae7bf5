import { describe, expect, it } from 'vitest';
import { decodeRequestBatch, encodeRequestBatch } from './batch-codec';
import type { Environ } from './generated/mono/framework/v1/framework';
import type { HttpRequest } from './generated/mono/gateway/v1/gateway';
import type { Header } from './generated/mono/transport/v1/transport';
import { environCodec, httpRequestCodec, keptEnvironCodec, keptHttpRequestCodec } from './head-codecs';
import type { RequestBatch } from './request-batch';
import { WireReader } from './wire-reader';

const HEADERS: Header[] = [
  { name: 'Host', value: '' },
  { name: 'hOsT', value: 'example.com:8080' },
  { name: 'Content-Type', value: 'text/plain; charset=utf-8' },
  { name: 'X-Latin1', value: 'caf\u00e9' },
  { name: 'X-Astral', value: '\u{1d11e} clef' },
  { name: 'X-Long', value: 'v'.repeat(300) },
  { name: 'Host', value: 'second.example' },
];

function batch<H>(head: H): RequestBatch<H> {
  return { frames: [{ id: 1, head, data: Buffer.alloc(0), end: true, cancel: false, credit: 0 }] };
}

function request(headers: Header[]): HttpRequest {
  return {
    method: 'POST',
    target: '/app/x?y=1',
    protocol: 'HTTP/1.1',
    scheme: 'http',
    headers,
    client: { address: '127.0.0.1', port: 5000 },
    server: { address: '127.0.0.1', port: 8080 },
    requestId: 'r-1',
    bodyLengthUnknown: false,
  };
}

/** The request as the gateway reads it: its fields kept as the edge encoded them. */
function received(headers: Header[]) {
  const bytes = encodeRequestBatch(batch(request(headers)), httpRequestCodec);
  const head = decodeRequestBatch(bytes, keptHttpRequestCodec).frames[0]?.head;
  if (head === undefined) throw new Error('no head');
  return head.headers;
}

function environ<H>(headers: H) {
  return {
    requestMethod: 'POST',
    scriptName: '/app',
    pathInfo: '/x',
    queryString: 'y=1',
    contentType: '',
    contentLength: '',
    serverName: 'example.com',
    serverPort: '8080',
    serverProtocol: 'HTTP/1.1',
    remoteAddr: '127.0.0.1',
    remotePort: '5000',
    urlScheme: 'http',
    headers,
    requestUri: '/app/x?y=1',
    variables: { REQUEST_ID: 'r-1' },
    application: '',
    inputTerminated: false,
  };
}

describe('WireHeaders', () => {
  it('should decode to the fields as sent, in order', () => {
    const fields = received(HEADERS);
    expect(fields.count).toBe(HEADERS.length);
    expect(fields.list()).toEqual(HEADERS);
  });

  it('should find the first non-empty value of a name in any letter case', () => {
    const fields = received(HEADERS);
    expect(fields.value('host')).toBe('example.com:8080');
    expect(fields.value('content-type')).toBe('text/plain; charset=utf-8');
    expect(fields.value('x-latin1')).toBe('caf\u00e9');
    expect(fields.value('content-length')).toBe('');
    expect(received([]).value('host')).toBe('');
  });

  it('should count the characters requestHeadBytes counts of the decoded fields', () => {
    const expected = HEADERS.reduce((sum, h) => sum + h.name.length + h.value.length + 4, 0);
    expect(received(HEADERS).headBytes()).toBe(expected);
  });

  it('should carry the request fields into the environ byte for byte as a decoded copy would be written', () => {
    const kept = encodeRequestBatch(batch(environ(received(HEADERS))), keptEnvironCodec);
    const decoded = encodeRequestBatch(batch<Environ>(environ(HEADERS)), environCodec);
    expect(kept.equals(decoded)).toBe(true);
    expect(decodeRequestBatch(kept, environCodec).frames[0]?.head?.headers).toEqual(HEADERS);
  });

  it('should not hold a received message with a body for as long as the request lasts', () => {
    const big = batch(request(HEADERS));
    (big.frames[0] as { data: Uint8Array }).data = Buffer.alloc(64 * 1024, 0x62);
    const bytes = encodeRequestBatch(big, httpRequestCodec);
    const fields = decodeRequestBatch(bytes, keptHttpRequestCodec).frames[0]?.head?.headers;
    bytes.fill(0);
    expect(fields?.list()).toEqual(HEADERS);
    expect(fields?.value('host')).toBe('example.com:8080');
  });

  it('should read past a field of a header it does not know, and forward it', () => {
    // mono.gateway.v1.HttpRequest { headers: { name: "Host", 3: 5 (varint), value: "a" } }
    const header = Buffer.from([0x0a, 0x04, ...Buffer.from('Host'), 0x18, 0x05, 0x12, 0x01, 0x61]);
    const bytes = Buffer.from([0x2a, header.length, ...header]);
    const fields = keptHttpRequestCodec.read(new WireReader(bytes), bytes.length).headers;
    expect(fields.value('host')).toBe('a');
    expect(fields.list()).toEqual([{ name: 'Host', value: 'a' }]);
    expect(fields.headBytes()).toBe('Host'.length + 'a'.length + 4);
    const forwarded = encodeRequestBatch(batch(environ(fields)), keptEnvironCodec);
    expect(forwarded.includes(header)).toBe(true);
    expect(decodeRequestBatch(forwarded, environCodec).frames[0]?.head?.headers).toEqual([
      { name: 'Host', value: 'a' },
    ]);
  });
});
