import { describe, expect, it } from 'vitest';
import { decodeRequestBatch, encodeRequestBatch } from './batch-codec';
import type { Environ } from './generated/mono/framework/v1/framework';
import type { HttpRequest } from './generated/mono/gateway/v1/gateway';
import type { Header } from './generated/mono/transport/v1/transport';
import { environCodec, httpRequestCodec, forwardedEnvironCodec, forwardedHttpRequestCodec } from './head-codecs';
import type { RequestBatch } from './request-batch';
import { WireReader } from './wire-reader';

const HEADERS: Header[] = [
  { name: 'Host', value: '' },
  { name: 'hOsT', value: 'example.com:8080' },
  { name: 'Content-Type', value: 'text/plain; charset=utf-8' },
  { name: 'X-Latin1', value: 'caf\u00e9' },
  { name: 'X-Astral', value: '\u{1d11e} clef' },
  { name: 'X-Three-Bytes', value: '\u2713 done' },
  { name: 'X-Long', value: 'v'.repeat(300) },
  { name: 'Host', value: 'second.example' },
];

/** A string field of a message as protobuf writes it (tag, length, UTF-8); field 5 of HttpRequest is a Header. */
function field(number: number, value: string | Buffer): Buffer {
  const bytes = typeof value === 'string' ? Buffer.from(value) : value;
  return Buffer.from([(number << 3) | 2, bytes.length, ...bytes]);
}

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
  const head = decodeRequestBatch(bytes, forwardedHttpRequestCodec).frames[0]?.head;
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
    const kept = encodeRequestBatch(batch(environ(received(HEADERS))), forwardedEnvironCodec);
    const decoded = encodeRequestBatch(batch<Environ>(environ(HEADERS)), environCodec);
    expect(kept.equals(decoded)).toBe(true);
    expect(decodeRequestBatch(kept, environCodec).frames[0]?.head?.headers).toEqual(HEADERS);
  });

  it('should not hold the received message for as long as the request lasts', () => {
    const withBody = batch(request(HEADERS));
    (withBody.frames[0] as { data: Uint8Array }).data = Buffer.alloc(64 * 1024, 0x62);
    const bytes = encodeRequestBatch(withBody, httpRequestCodec);
    const fields = decodeRequestBatch(bytes, forwardedHttpRequestCodec).frames[0]?.head?.headers;
    bytes.fill(0);
    expect(fields?.list()).toEqual(HEADERS);
    expect(fields?.value('host')).toBe('example.com:8080');
  });

  it('should take the last name and value of a Header that has two, as decoding does', () => {
    const header = Buffer.concat([field(1, 'X-A'), field(2, '1'), field(1, 'Host'), field(2, 'h')]);
    const bytes = field(5, header);
    const fields = forwardedHttpRequestCodec.read(new WireReader(bytes), bytes.length).headers;
    const decoded = httpRequestCodec.read(new WireReader(bytes), bytes.length).headers;
    expect(decoded).toEqual([{ name: 'Host', value: 'h' }]);
    expect(fields.list()).toEqual(decoded);
    expect(fields.value('host')).toBe('h');
    expect(fields.value('x-a')).toBe('');
    expect(fields.headBytes()).toBe('Host'.length + 'h'.length + 4);
  });

  it('should refuse a malformed Header while the message is decoded', () => {
    // a Header whose second field has wire type 7, and one whose name runs past the Header's end
    for (const header of [Buffer.from([0x0a, 0x01, 0x61, 0x1f, 0x00]), Buffer.from([0x0a, 0x05, 0x61, 0x62, 0x63])]) {
      const bytes = Buffer.concat([field(5, header), field(8, 'x')]);
      expect(() => forwardedHttpRequestCodec.read(new WireReader(bytes), bytes.length)).toThrow();
    }
  });

  it('should read past a field of a header it does not know, and forward it', () => {
    const header = Buffer.concat([field(1, 'Host'), Buffer.from([0x18, 0x05]), field(2, 'a')]); // field 3: varint 5
    const bytes = field(5, header);
    const fields = forwardedHttpRequestCodec.read(new WireReader(bytes), bytes.length).headers;
    expect(fields.value('host')).toBe('a');
    expect(fields.list()).toEqual([{ name: 'Host', value: 'a' }]);
    expect(fields.headBytes()).toBe('Host'.length + 'a'.length + 4);
    const forwarded = encodeRequestBatch(batch(environ(fields)), forwardedEnvironCodec);
    expect(forwarded.includes(header)).toBe(true);
    expect(decodeRequestBatch(forwarded, environCodec).frames[0]?.head?.headers).toEqual([
      { name: 'Host', value: 'a' },
    ]);
  });
});
