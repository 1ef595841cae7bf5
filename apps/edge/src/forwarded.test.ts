import { describe, expect, it } from 'vitest';
import { forwardedFor } from './forwarded';

describe('forwardedFor', () => {
  it('writes tokens as they are and quotes the rest, escaping quotes and backslashes (RFC 7239)', () => {
    expect(forwardedFor('192.0.2.7', 'example.com', 'https')).toBe('for=192.0.2.7;host=example.com;proto=https');
    expect(forwardedFor('192.0.2.7', 'example.com:8080', 'http')).toBe(
      'for=192.0.2.7;host="example.com:8080";proto=http',
    );
    expect(forwardedFor('2001:db8::1', '', 'http')).toBe('for="[2001:db8::1]";proto=http');
    expect(forwardedFor('', 'a"b\\c d', 'http')).toBe('for=unknown;host="a\\"b\\\\c d";proto=http');
  });
});
