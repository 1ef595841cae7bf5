import { describe, expect, it } from 'vitest';
import { createInputStream } from './input-stream';

function input(...parts: string[]) {
  return createInputStream(
    (async function* () {
      for (const part of parts) yield Buffer.from(part);
    })(),
  );
}

const text = (bytes: Uint8Array) => Buffer.from(bytes).toString();

describe('createInputStream', () => {
  it('should read everything, then an empty chunk at the end', async () => {
    const stream = input('ab', 'cd');
    expect(text(await stream.read())).toBe('abcd');
    expect((await stream.read()).byteLength).toBe(0);
  });

  it('should read by size across chunk boundaries', async () => {
    const stream = input('abc', 'def', 'g');
    expect(text(await stream.read(4))).toBe('abcd');
    expect(text(await stream.read(10))).toBe('efg');
    expect(text(await stream.read(1))).toBe('');
  });

  it('should read lines, keeping the newline, and honour a size limit', async () => {
    const stream = input('one\ntw', 'o\nthree');
    expect(text(await stream.readline())).toBe('one\n');
    expect(text(await stream.readline(2))).toBe('tw');
    expect(text(await stream.readline())).toBe('o\n');
    expect(text(await stream.readline())).toBe('three');
    expect(text(await stream.readline())).toBe('');
  });

  it('should iterate what reads left over, then the rest', async () => {
    const stream = input('head\nrest', '-more');
    await stream.readline();
    const seen: string[] = [];
    for await (const chunk of stream) seen.push(text(chunk));
    expect(seen.join('')).toBe('rest-more');
  });
});
