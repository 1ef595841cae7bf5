import { forwardingGatewayBoundary, gatewayBoundary, type Header } from '@mono/contracts';
import { describe, expect, it } from 'vitest';
import { requestHeadBytes } from './request-head-bytes';

/** The fields as the gateway reads them from the edge: as encoded, not decoded. */
function asReceived(headers: Header[]) {
  const head = {
    method: 'GET',
    target: '/',
    protocol: 'HTTP/1.1',
    scheme: 'http',
    headers,
    client: undefined,
    server: undefined,
    requestId: '',
    bodyLengthUnknown: false,
  };
  const bytes = gatewayBoundary.serializeRequest({
    frames: [{ id: 1, head, data: Buffer.alloc(0), end: true, cancel: false, credit: 0 }],
  });
  const received = forwardingGatewayBoundary.deserializeRequest(bytes).frames[0]?.head?.headers;
  if (received === undefined) throw new Error('no head');
  return received;
}

describe('requestHeadBytes', () => {
  it('should count the head as HTTP/1.1 writes it, byte for byte', () => {
    const headers = [
      { name: 'Host', value: 'localhost:8080' },
      { name: 'X-Rep', value: 'first' },
      { name: 'X-Rep', value: 'second' },
      { name: 'Accept', value: '' },
    ];
    const wire =
      `POST /echo?a=b HTTP/1.1\r\n` + headers.map(({ name, value }) => `${name}: ${value}\r\n`).join('') + '\r\n';
    expect(requestHeadBytes('POST', '/echo?a=b', 'HTTP/1.1', headers)).toBe(Buffer.byteLength(wire, 'latin1'));
  });

  it('should count one per character of a latin-1 value, as it was received', () => {
    const value = Buffer.from([0xe9, 0xff]).toString('latin1');
    expect(requestHeadBytes('GET', '/', 'HTTP/1.1', [{ name: 'X', value }])).toBe(
      Buffer.byteLength(`GET / HTTP/1.1\r\nX: ${value}\r\n\r\n`, 'latin1'),
    );
  });

  it('should count header fields as received as it counts them decoded', () => {
    const headers = [
      { name: 'Host', value: 'localhost:8080' },
      { name: 'X-Latin1', value: Buffer.from([0xe9, 0xff]).toString('latin1') },
      { name: 'X-Wide', value: '\u2713 \u{1d11e}' },
      { name: 'Accept', value: '' },
    ];
    expect(requestHeadBytes('GET', '/', 'HTTP/1.1', asReceived(headers))).toBe(
      requestHeadBytes('GET', '/', 'HTTP/1.1', headers),
    );
  });
});
