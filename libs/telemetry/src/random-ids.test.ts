import { describe, expect, it } from 'vitest';
import { randomHex, randomSpanId, randomTraceId } from './random-ids';

describe('randomHex', () => {
  it('gives ids of the asked length in lowercase hex', () => {
    expect(randomTraceId()).toMatch(/^[0-9a-f]{32}$/);
    expect(randomSpanId()).toMatch(/^[0-9a-f]{16}$/);
    expect(randomHex(3)).toMatch(/^[0-9a-f]{6}$/);
  });

  it('does not repeat across many refills of its pool', () => {
    // 16 bytes each: 10 000 ids take the pool's 64 KiB more than twice over.
    const ids = new Set<string>();
    for (let i = 0; i < 10_000; i += 1) ids.add(randomTraceId());
    expect(ids.size).toBe(10_000);
  });

  it('spells every byte of its 8- and 16-byte ids with both digits, each taking every value', () => {
    for (const draw of [randomSpanId, randomTraceId]) {
      const ids = Array.from({ length: 20_000 }, draw);
      const length = (ids[0] as string).length;
      for (let at = 0; at < length; at += 2) {
        const bytes = new Set(ids.map((id) => id.slice(at, at + 2)));
        // 20 000 draws of a byte leave some of its 256 values out with probability ~256 · e^-78: none.
        expect(bytes.size).toBe(256);
      }
    }
  });

  it('never gives an all-zero id, which W3C Trace Context calls invalid', () => {
    // One byte is zero with probability 1/256: over 70 000 draws (past the end of the pool's 64 KiB, where a redraw
    // takes a refill) some come up zero and must be drawn again.
    for (let i = 0; i < 70_000; i += 1) expect(randomHex(1)).not.toBe('00');
  });
});
