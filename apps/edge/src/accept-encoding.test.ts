import { describe, expect, it } from 'vitest';
import { accepted, CODINGS } from './accept-encoding';

describe('accepted', () => {
  it.each([
    ['gzip', ['gzip']],
    ['gzip, deflate, br, zstd', ['zstd', 'br', 'gzip']],
    ['br;q=0.5, gzip', ['gzip', 'br']],
    ['*', ['zstd', 'br', 'gzip']],
    ['*;q=0.2, gzip;q=0', ['zstd', 'br']],
    ['identity', []],
    ['x-gzip', ['gzip']],
    ['GZIP ; Q=0.8 , br', ['br', 'gzip']],
    ['gzip;q=2, br;q=abc, zstd;q=1.000', ['zstd']],
    ['gzip;level=9;q=0.5', ['gzip']],
    ['', []],
  ])('should take %j as %j', (header, expected) => {
    expect(accepted(header, CODINGS)).toEqual(expected);
  });
});
