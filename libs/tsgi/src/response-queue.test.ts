import { describe, expect, it } from 'vitest';
import { ResponseQueue, type QueueOwner } from './response-queue';

/** An owner that counts what the queue told it. */
function counting(): QueueOwner & { drains: number; finishes: number; aborts: number } {
  return {
    drains: 0,
    finishes: 0,
    aborts: 0,
    drained() {
      this.drains += 1;
    },
    finishedReading() {
      this.finishes += 1;
    },
    aborted() {
      this.aborts += 1;
    },
  };
}

describe('ResponseQueue', () => {
  it('should report fullness past the high-water mark and drain once the host took enough', async () => {
    const owner = counting();
    const queue = new ResponseQueue(10, owner);
    expect(queue.push(new Uint8Array(6))).toBe(true);
    expect(queue.push(new Uint8Array(6))).toBe(false);
    await queue.next();
    await new Promise((resolve) => process.nextTick(resolve));
    expect(owner.drains).toBe(1);
  });

  it('should end after the last chunk and say so once', async () => {
    const owner = counting();
    const queue = new ResponseQueue(10, owner);
    queue.push(Buffer.from('x'));
    queue.end();
    expect((await queue.next()).value).toEqual(Buffer.from('x'));
    expect((await queue.next()).done).toBe(true);
    expect((await queue.next()).done).toBe(true);
    expect(owner.finishes).toBe(1);
    expect(owner.aborts).toBe(0);
  });

  it('should wake a waiting reader, and tell its owner when the host gives up early', async () => {
    const owner = counting();
    const queue = new ResponseQueue(10, owner);
    const pending = queue.next();
    queue.close();
    expect((await pending).done).toBe(true);
    expect(owner.aborts).toBe(1);
    expect(owner.finishes).toBe(0);
    expect(queue.push(new Uint8Array(1))).toBe(false);
  });
});
