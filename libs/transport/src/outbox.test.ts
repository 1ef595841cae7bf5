import { setImmediate as tick } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { MAX_BATCH_BYTES } from './limits';
import { Outbox } from './outbox';

describe('Outbox', () => {
  it('should write the frames of one event-loop turn as one batch', async () => {
    const batches: number[][] = [];
    const outbox = new Outbox<{ id: number; data: Uint8Array }>((frames) => batches.push(frames.map((f) => f.id)));
    for (let id = 1; id <= 5; id += 1) outbox.push({ id, data: new Uint8Array(0) });
    expect(batches).toEqual([]);
    await tick();
    expect(batches).toEqual([[1, 2, 3, 4, 5]]);
  });

  it('should write early once the body bytes pass MAX_BATCH_BYTES', () => {
    const batches: number[] = [];
    const outbox = new Outbox<{ id: number; data: Uint8Array }>((frames) => batches.push(frames.length));
    outbox.push({ id: 1, data: new Uint8Array(MAX_BATCH_BYTES / 2) });
    outbox.push({ id: 2, data: new Uint8Array(MAX_BATCH_BYTES / 2) });
    expect(batches).toEqual([2]);
  });

  it('should offer the newest frame to the same request only', () => {
    const outbox = new Outbox<{ id: number; data: Uint8Array }>(() => {});
    outbox.push({ id: 1, data: new Uint8Array(0) });
    outbox.push({ id: 2, data: new Uint8Array(0) });
    expect(outbox.tail(2)?.id).toBe(2);
    expect(outbox.tail(1)).toBeUndefined();
  });
});
