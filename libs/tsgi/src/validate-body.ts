import type { ResponseBody } from './environ';
import { statusAllowsBody } from './response-head';
import type { RequestCheck } from './validator';

type Source = Iterator<unknown> | AsyncIterator<unknown>;

/**
 * The body as the server sees it, checked on both sides: the application's chunks (bytes, after start_response,
 * none for 204/304, an end within the grace period of an abort), the server's reading (not after close()) and its
 * close() (exactly once, within the grace period of the end). An array stays an array (the server gives a one-chunk
 * array its Content-Length), watched through a Proxy.
 */
export function validateBody(body: unknown, check: RequestCheck): ResponseBody {
  if (
    body === null ||
    typeof body !== 'object' ||
    body instanceof Uint8Array ||
    (typeof (body as Partial<Iterable<unknown>>)[Symbol.iterator] !== 'function' &&
      typeof (body as Partial<AsyncIterable<unknown>>)[Symbol.asyncIterator] !== 'function')
  ) {
    const what = body instanceof Uint8Array ? 'a Uint8Array' : body === null ? 'null' : typeof body;
    throw check.violation('body.iterable', `the application returned ${what}`);
  }
  const watch = new BodyWatch(body as ResponseBody, check);
  return Array.isArray(body) ? watch.array(body) : watch.iterable();
}

class BodyWatch {
  readonly #body: ResponseBody;
  readonly #check: RequestCheck;
  #closes = 0;
  #ended = false;
  #pending = false;
  #closeTimer: NodeJS.Timeout | undefined;
  #abortTimer: NodeJS.Timeout | undefined;

  constructor(body: ResponseBody, check: RequestCheck) {
    this.#body = body;
    this.#check = check;
    const signal = check.environ['tsgi.signal'];
    if (signal.aborted) this.#onAbort();
    else signal.addEventListener('abort', () => this.#onAbort(), { once: true });
  }

  readonly close = (): void | Promise<void> => {
    this.#closes += 1;
    clearTimeout(this.#closeTimer);
    if (this.#closes > 1) throw this.#check.violation('body.close', `close() was called ${this.#closes} times`);
    return this.#body.close?.();
  };

  array(body: unknown[]): ResponseBody {
    return new Proxy(body, {
      get: (target, key, receiver) => {
        if (key === 'close') return this.close;
        if (typeof key === 'string' && /^\d+$/.test(key)) {
          if (this.#closes > 0) throw this.#check.violation('body.read-after-close', `chunk ${key} read after close()`);
          const index = Number(key);
          if (index >= target.length - 1) this.#end();
          if (index < target.length) return this.#chunk(target[index]);
          if (!this.#check.startResponseCalled) this.#beforeStart();
        }
        return Reflect.get(target, key, receiver) as unknown;
      },
    }) as ResponseBody;
  }

  iterable(): ResponseBody {
    const body = this.#body as Partial<AsyncIterable<unknown> & Iterable<unknown>>;
    let source: Source | undefined;
    const open = (): Source => {
      const asyncIterator = body[Symbol.asyncIterator];
      source ??= asyncIterator ? asyncIterator.call(body) : (body as Iterable<unknown>)[Symbol.iterator]();
      return source;
    };
    const next = async (): Promise<IteratorResult<Uint8Array>> => {
      if (this.#closes > 0) throw this.#check.violation('body.read-after-close', 'the body was read after close()');
      try {
        let result: IteratorResult<unknown>;
        this.#pending = true;
        try {
          result = await open().next();
        } finally {
          this.#pending = false;
          clearTimeout(this.#abortTimer);
        }
        if (!result.done) return { done: false, value: this.#chunk(result.value) };
        if (!this.#check.startResponseCalled) this.#beforeStart();
        this.#end();
        return { done: true, value: undefined };
      } catch (err) {
        this.#end();
        throw err;
      }
    };
    const stop = async (): Promise<IteratorResult<Uint8Array>> => {
      this.#end();
      await open().return?.();
      return { done: true, value: undefined };
    };
    return {
      [Symbol.asyncIterator]: () => ({ next, return: stop }),
      close: this.close,
    };
  }

  #chunk(chunk: unknown): Uint8Array {
    if (!(chunk instanceof Uint8Array)) {
      throw this.#check.violation('body.chunks', `the body gave ${describe(chunk)}, not a Uint8Array`);
    }
    if (!this.#check.startResponseCalled) this.#beforeStart();
    if (chunk.byteLength > 0) {
      if (!statusAllowsBody(this.#check.code)) {
        throw this.#check.violation('body.no-content', `${chunk.byteLength} body bytes in a ${this.#check.code}`);
      }
      this.#check.headSent = true;
    }
    return chunk;
  }

  #beforeStart(): never {
    throw this.#check.violation('start_response.before-body', 'the body was read before start_response was called');
  }

  /** The body ended, failed or was left: close() is due within the grace period. */
  #end(): void {
    if (this.#ended) return;
    this.#ended = true;
    this.#expectClose('the body ended');
  }

  #onAbort(): void {
    this.#expectClose('the request was aborted');
    if (!this.#pending) return;
    this.#abortTimer = setTimeout(() => {
      if (!this.#pending) return;
      this.#check.violation(
        'signal.honoured',
        `the body neither ended nor threw ${this.#check.graceMs} ms after the abort`,
      );
    }, this.#check.graceMs);
    this.#abortTimer.unref();
  }

  #expectClose(why: string): void {
    if (this.#closes > 0 || this.#closeTimer) return;
    this.#closeTimer = setTimeout(() => {
      if (this.#closes > 0) return;
      this.#check.violation('body.close', `close() was not called within ${this.#check.graceMs} ms after ${why}`);
    }, this.#check.graceMs);
    this.#closeTimer.unref();
  }
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (typeof value === 'object') return value.constructor?.name ?? 'an object';
  return typeof value;
}
