import { describe, expect, it } from 'vitest';
import { INITIAL_WINDOW, MAX_DATA_FRAME } from './limits';
import { OutboundBody } from './outbound-body';

function recorder() {
  const frames: Array<{ bytes: number; end: boolean }> = [];
  const body = new OutboundBody((chunk, end) => frames.push({ bytes: chunk?.byteLength ?? 0, end }));
  return { frames, body, sent: () => frames.reduce((n, f) => n + f.bytes, 0) };
}

describe('OutboundBody', () => {
  it('should send while the window allows and report fullness like a Node writable', () => {
    const { body, sent } = recorder();
    expect(body.write(new Uint8Array(INITIAL_WINDOW - 10))).toBe(true);
    expect(body.write(new Uint8Array(100))).toBe(false);
    expect(sent()).toBe(INITIAL_WINDOW);
  });

  it('should keep what the window does not allow until credit arrives, then drain', () => {
    const { body, sent } = recorder();
    let drained = 0;
    body.ondrain = () => (drained += 1);
    body.write(new Uint8Array(INITIAL_WINDOW + 5000));
    expect(sent()).toBe(INITIAL_WINDOW);
    body.credit(1000);
    expect(sent()).toBe(INITIAL_WINDOW + 1000);
    expect(drained).toBe(0);
    body.credit(10_000);
    expect(sent()).toBe(INITIAL_WINDOW + 5000);
    expect(drained).toBe(1);
  });

  it('should split chunks into frames of at most MAX_DATA_FRAME', () => {
    const { body, frames } = recorder();
    body.write(new Uint8Array(MAX_DATA_FRAME * 2 + 1));
    expect(frames.map((f) => f.bytes)).toEqual([MAX_DATA_FRAME, MAX_DATA_FRAME, 1]);
  });

  it('should send the end only after everything kept back, and only once', () => {
    const { body, frames } = recorder();
    body.write(new Uint8Array(INITIAL_WINDOW + 1));
    body.end();
    expect(frames.some((f) => f.end)).toBe(false);
    body.credit(1);
    body.credit(100);
    expect(frames.filter((f) => f.end)).toHaveLength(1);
    expect(frames.at(-1)?.end).toBe(true);
  });

  it('should refuse writes after end', () => {
    const { body } = recorder();
    body.end();
    expect(() => body.write(new Uint8Array(1))).toThrow('write after end');
  });
});
