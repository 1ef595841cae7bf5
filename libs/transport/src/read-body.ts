import type { AppError } from '@mono/errors';
import type { InboundBody } from './internal/inbound-body';

/**
 * A received body as an async iterable. A chunk is acknowledged when the consumer takes it, so the sender's window
 * moves at the consumer's pace. Breaking out of the loop leaves the rest unread (and unacknowledged).
 *
 * @example
 * for await (const chunk of readBody(call.body)) hash.update(chunk);
 */
export function readBody(body: InboundBody): AsyncIterableIterator<Uint8Array> {
  const queue: Uint8Array[] = [];
  let ended = false;
  let failure: AppError | undefined;
  let waiter: { resolve: (r: IteratorResult<Uint8Array>) => void; reject: (e: unknown) => void } | undefined;

  const take = (): IteratorResult<Uint8Array> | undefined => {
    const chunk = queue.shift();
    if (chunk !== undefined) {
      body.consumed(chunk.byteLength);
      return { value: chunk, done: false };
    }
    if (failure) throw failure;
    if (ended) return { value: undefined, done: true };
    return undefined;
  };
  const wake = () => {
    if (!waiter) return;
    const { resolve, reject } = waiter;
    waiter = undefined;
    try {
      const result = take();
      if (result) resolve(result);
    } catch (err) {
      reject(err);
    }
  };

  body.attach({
    data(chunk) {
      queue.push(chunk);
      wake();
    },
    end() {
      ended = true;
      wake();
    },
    error(err) {
      failure = err;
      wake();
    },
  });

  return {
    next() {
      try {
        const result = take();
        if (result) return Promise.resolve(result);
      } catch (err) {
        return Promise.reject(err);
      }
      return new Promise((resolve, reject) => {
        waiter = { resolve, reject };
      });
    },
    return() {
      ended = true;
      queue.length = 0;
      return Promise.resolve({ value: undefined, done: true });
    },
    [Symbol.asyncIterator]() {
      return this;
    },
  };
}
