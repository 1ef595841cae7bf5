import { streamDestroyed } from './stream-errors';

/** Called once a chunk was taken by the host, or with why it never will be. */
export type WrittenCallback = (error?: Error | null) => void;

/** What a response queue tells the writer that owns it. */
export interface QueueOwner {
  /** The host took enough that a writer told to wait may write again. */
  drained(): void;
  /** The host read the whole body. */
  finishedReading(): void;
  /** The host stopped before the end (client gone, deadline, error). */
  aborted(): void;
}

/**
 * The body an imperative writer (`res.write`, `res.end`) produces, as the async iterable a TSGI host reads. It
 * reports fullness like a Node writable (push returns false past the high-water mark; `drained` when the host has
 * taken enough) and tells its owner when the host finished reading it or gave up early.
 */
export class ResponseQueue implements AsyncIterableIterator<Uint8Array> {
  readonly #owner: QueueOwner;
  readonly #highWaterMark: number;
  readonly #chunks: Uint8Array[] = [];
  readonly #callbacks: Array<WrittenCallback | undefined> = [];
  #size = 0;
  #needDrain = false;
  #ended = false;
  #failure: Error | undefined;
  #settled = false;
  #waiter: { resolve: (r: IteratorResult<Uint8Array>) => void; reject: (e: unknown) => void } | undefined;

  constructor(highWaterMark: number, owner: QueueOwner) {
    this.#highWaterMark = highWaterMark;
    this.#owner = owner;
  }

  get settled(): boolean {
    return this.#settled;
  }

  push(chunk: Uint8Array, written?: WrittenCallback): boolean {
    if (this.#settled || this.#ended) return false;
    this.#chunks.push(chunk);
    this.#callbacks.push(written);
    this.#size += chunk.byteLength;
    this.#wake();
    if (this.#size < this.#highWaterMark) return true;
    this.#needDrain = true;
    return false;
  }

  end(): void {
    this.#ended = true;
    this.#wake();
  }

  fail(err: Error): void {
    if (this.#settled || this.#ended) return;
    this.#failure = err;
    this.#wake();
  }

  next(): Promise<IteratorResult<Uint8Array>> {
    try {
      const result = this.#take();
      if (result) return Promise.resolve(result);
    } catch (err) {
      return Promise.reject(err);
    }
    return new Promise((resolve, reject) => {
      this.#waiter = { resolve, reject };
    });
  }

  /** What the host can read without waiting: a chunk, the end, or undefined for now; throws the writer's failure. */
  takeNow(): IteratorResult<Uint8Array> | undefined {
    return this.#take();
  }

  return(): Promise<IteratorResult<Uint8Array>> {
    this.close();
    return Promise.resolve({ value: undefined, done: true });
  }

  /** Called by the host when it is done with the body; early means aborted. */
  close(): void {
    if (this.#settled) return;
    this.#settled = true;
    this.#chunks.length = 0;
    // As a destroyed socket does with the writes it still held.
    for (const written of this.#callbacks.splice(0)) if (written) process.nextTick(written, streamDestroyed('write'));
    const waiter = this.#waiter;
    this.#waiter = undefined;
    waiter?.resolve({ value: undefined, done: true });
    this.#owner.aborted();
  }

  [Symbol.asyncIterator](): AsyncIterableIterator<Uint8Array> {
    return this;
  }

  #take(): IteratorResult<Uint8Array> | undefined {
    const chunk = this.#chunks.shift();
    if (chunk !== undefined) {
      const written = this.#callbacks.shift();
      this.#size -= chunk.byteLength;
      if (written) process.nextTick(written);
      if (this.#needDrain && this.#size < this.#highWaterMark) {
        this.#needDrain = false;
        process.nextTick(drain, this.#owner);
      }
      return { value: chunk, done: false };
    }
    if (this.#failure) throw this.#failure;
    if (this.#ended || this.#settled) {
      if (!this.#settled) {
        this.#settled = true;
        this.#owner.finishedReading();
      }
      return { value: undefined, done: true };
    }
    return undefined;
  }

  #wake(): void {
    if (!this.#waiter) return;
    const { resolve, reject } = this.#waiter;
    this.#waiter = undefined;
    try {
      const result = this.#take();
      if (result) resolve(result);
      else this.#waiter = { resolve, reject };
    } catch (err) {
      reject(err);
    }
  }
}

function drain(owner: QueueOwner): void {
  owner.drained();
}
