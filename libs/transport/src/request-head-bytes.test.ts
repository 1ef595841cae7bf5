import { describe, expect, it } from 'vitest';
import { requestHeadBytes } from './request-head-bytes';

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
});
