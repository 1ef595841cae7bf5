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

  it('never gives an all-zero id, which W3C Trace Context calls invalid', () => {
    // One byte is zero with probability 1/256: over 70 000 draws (past the end of the pool's 64 KiB, where a redraw
    // takes a refill) some come up zero and must be drawn again.
    for (let i = 0; i < 70_000; i += 1) expect(randomHex(1)).not.toBe('00');
  });
});
