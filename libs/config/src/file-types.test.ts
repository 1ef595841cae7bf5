import * as v from 'valibot';
import { describe, expect, it } from 'vitest';
import { address, addressList, duration, parseDuration, parseSize, size } from './file-types';

describe('duration', () => {
  it('should read numbers as ms and strings with a unit', () => {
    expect([250, '500ms', '60s', '1.5s', '2m', '1h', 'off'].map(parseDuration)).toEqual([
      250, 500, 60_000, 1_500, 120_000, 3_600_000, 0,
    ]);
  });

  it('should refuse what is not a duration, naming the value', () => {
    for (const bad of ['60', '1d', '-1s', 'soon', -5, 1.5]) expect(parseDuration(bad), String(bad)).toBeUndefined();
    const result = v.safeParse(duration(1_000), '10 parsecs');
    expect(result.success).toBe(false);
    expect(result.issues?.[0]?.message).toContain('"10 parsecs"');
  });

  it('should apply its default when the value is absent', () => {
    expect(v.parse(v.object({ t: duration(1_000) }), {})).toEqual({ t: 1_000 });
  });
});

describe('size', () => {
  it('should read bytes and IEC units', () => {
    expect([0, 512, '64KiB', '1MiB', '2GiB', '10B', 'off'].map(parseSize)).toEqual([
      0, 512, 65_536, 1_048_576, 2_147_483_648, 10, 0,
    ]);
  });

  it('should refuse decimal units and fractions', () => {
    for (const bad of ['1MB', '1.5MiB', '1 mb', -1]) expect(parseSize(bad), String(bad)).toBeUndefined();
    expect(v.safeParse(size(), '1MB').success).toBe(false);
  });
});

describe('address', () => {
  it('should take host:port, [v6]:port and unix:/path', () => {
    for (const ok of ['gateway:50051', '127.0.0.1:80', '[::1]:8080', 'unix:/run/mono/gw.sock']) {
      expect(v.safeParse(address(), ok).success, ok).toBe(true);
    }
    for (const bad of ['gateway', ':80', 'http://x:1', '::1:80', 'unix:relative']) {
      expect(v.safeParse(address(), bad).success, bad).toBe(false);
    }
  });

  it('should make one address a list of one', () => {
    expect(v.parse(addressList(), 'a:1')).toEqual(['a:1']);
    expect(v.parse(addressList(), ['a:1', 'b:2'])).toEqual(['a:1', 'b:2']);
    expect(v.safeParse(addressList(), []).success).toBe(false);
  });
});
