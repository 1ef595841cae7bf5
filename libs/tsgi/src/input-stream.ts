import type { InputStream } from './environ';

const EMPTY = new Uint8Array(0);
const NEWLINE = 0x0a;

/**
 * `tsgi.input` over a stream of body chunks: read by size, by line, or chunk by chunk with `for await`. Whatever
 * `read`/`readline` leave over is returned first by the next read, so the styles can be mixed.
 *
 * @example
 * const input = createInputStream(chunks);
 * const firstLine = await input.readline();
 */
export function createInputStream(source: AsyncIterator<Uint8Array>): InputStream {
  let buffered: Uint8Array = EMPTY;
  let ended = false;

  const pull = async (): Promise<boolean> => {
    if (ended) return false;
    const next = await source.next();
    if (next.done) {
      ended = true;
      return false;
    }
    buffered = buffered.byteLength === 0 ? next.value : concat(buffered, next.value);
    return true;
  };

  const take = (size: number): Uint8Array => {
    const chunk = buffered.subarray(0, size);
    buffered = buffered.subarray(size);
    return chunk;
  };

  return {
    async read(size?: number) {
      if (size === undefined || size < 0) {
        while (await pull());
        return take(buffered.byteLength);
      }
      while (buffered.byteLength < size && (await pull()));
      return take(Math.min(size, buffered.byteLength));
    },
    async readline(size?: number) {
      const limit = size === undefined || size < 0 ? Infinity : size;
      let scanned = 0;
      for (;;) {
        const at = buffered.indexOf(NEWLINE, scanned);
        if (at !== -1 && at < limit) return take(at + 1);
        if (buffered.byteLength >= limit) return take(limit);
        scanned = buffered.byteLength;
        if (!(await pull())) return take(buffered.byteLength);
      }
    },
    async *[Symbol.asyncIterator]() {
      if (buffered.byteLength > 0) yield take(buffered.byteLength);
      while (await pull()) yield take(buffered.byteLength);
    },
  };
}

function concat(a: Uint8Array, b: Uint8Array): Uint8Array {
  const joined = new Uint8Array(a.byteLength + b.byteLength);
  joined.set(a, 0);
  joined.set(b, a.byteLength);
  return joined;
}
