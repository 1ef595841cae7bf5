import { describe, expect, it } from 'vitest';
import { ResponseQueue } from './response-queue';

describe('ResponseQueue', () => {
  it('should report fullness past the high-water mark and drain once the host took enough', async () => {
    const queue = new ResponseQueue(10);
    let drained = 0;
    queue.ondrain = () => (drained += 1);
    expect(queue.push(new Uint8Array(6))).toBe(true);
    expect(queue.push(new Uint8Array(6))).toBe(false);
    await queue.next();
    await new Promise((resolve) => process.nextTick(resolve));
    expect(drained).toBe(1);
  });

  it('should end after the last chunk and say so once', async () => {
    const queue = new ResponseQueue(10);
    let finished = 0;
    queue.onfinish = () => (finished += 1);
    queue.push(Buffer.from('x'));
    queue.end();
    expect((await queue.next()).value).toEqual(Buffer.from('x'));
    expect((await queue.next()).done).toBe(true);
    expect((await queue.next()).done).toBe(true);
    expect(finished).toBe(1);
  });

  it('should wake a waiting reader, and tell its owner when the host gives up early', async () => {
    const queue = new ResponseQueue(10);
    let aborted = 0;
    queue.onabort = () => (aborted += 1);
    const pending = queue.next();
    queue.close();
    expect((await pending).done).toBe(true);
    expect(aborted).toBe(1);
    expect(queue.push(new Uint8Array(1))).toBe(false);
  });
});
