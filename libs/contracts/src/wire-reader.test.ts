import { describe, expect, it } from 'vitest';
import { LEN, tag } from './wire-tag';
import { WireReader } from './wire-reader';
import { WireWriter } from './wire-writer';

/** A message of one string field per value (each under 128 bytes), each with the given bytes. */
function message(values: readonly Uint8Array[]): Buffer {
  const parts: number[] = [];
  for (const value of values) parts.push(tag(1, LEN), value.length, ...value);
  return Buffer.from(parts);
}

/** Every string field of `buf`, read as the hot codecs read them. */
function strings(buf: Buffer): string[] {
  const r = new WireReader(buf);
  const out: string[] = [];
  while (r.at < buf.length) {
    r.varint();
    out.push(r.string());
  }
  return out;
}

const bytes = (text: string) => new Uint8Array(Buffer.from(text, 'utf8'));

/** A seeded generator of whole numbers below 2^16, so that every run reads the same strings. */
function seeded(seed: number): () => number {
  let state = seed;
  return () => (state = (Math.imul(state, 1_103_515_245) + 12_345) >>> 0) >>> 16;
}

describe('WireReader.string', () => {
  it('should read what was written, again and again, ASCII or not', () => {
    const values = ['GET', '/hello', '', 'café', '日本語', '🙂 smile', 'x'.repeat(48), 'y'.repeat(49), 'Host'];
    const w = new WireWriter();
    w.begin(values.reduce((sum, v) => sum + w.measureString(tag(1, LEN), v), 0));
    for (const v of values) w.string(tag(1, LEN), v);
    const nonEmpty = values.filter((v) => v !== '');
    for (let round = 0; round < 3; round += 1) expect(strings(w.buf)).toEqual(nonEmpty);
  });

  it('should tell apart strings whose bytes hash to the same slot, in any order', () => {
    // The slot hashes the length and the bytes at 0, 1/2, −2 and −1: these differ only at 1.
    // Three of them: more than the two slots of a pair hold.
    const texts = ['aXcdef', 'aYcdef', 'aZcdef'];
    const order = [0, 1, 0, 0, 1, 1, 2, 0, 2, 2, 1, 0, 1, 2];
    const buf = message(order.map((i) => bytes(texts[i] as string)));
    for (let round = 0; round < 3; round += 1) expect(strings(buf)).toEqual(order.map((i) => texts[i]));
  });

  it('should decode invalid UTF-8 as Buffer#toString does, every time', () => {
    const values = [
      new Uint8Array([0xff, 0x41]),
      new Uint8Array([0x41, 0xc3]),
      new Uint8Array([0xc3, 0xa9]),
      bytes('A'),
    ];
    const expected = values.map((v) => Buffer.from(v).toString('utf8'));
    for (let round = 0; round < 3; round += 1) expect(strings(message(values))).toEqual(expected);
  });

  it('should not take the Latin-1 bytes of a string seen as UTF-8 for that string', () => {
    // 'é' is C3 A9 in UTF-8 and E9 in Latin-1, which is not UTF-8: a string seen before must not be compared by its
    // characters with bytes that are not its own. Enough strings that some pairs share a slot.
    const letters = ['A', 'b', '/', 'é', 'ü', 'ÿ'];
    const next = seeded(7);
    const read: string[] = [];
    const expected: string[] = [];
    for (let i = 0; i < 20_000; i += 1) {
      const text = Array.from({ length: 1 + (next() % 12) }, () => letters[next() % letters.length]).join('');
      const latin1 = new Uint8Array(Buffer.from(text, 'latin1'));
      read.push(...strings(message([bytes(text), latin1])));
      expected.push(text, Buffer.from(latin1).toString('utf8'));
    }
    expect(read).toEqual(expected);
  });

  it('should decode random bytes as Buffer#toString does', () => {
    // A small alphabet so that strings recur and collide; high bytes so that some are not ASCII or not UTF-8.
    const alphabet = [0x41, 0x42, 0x2f, 0x3a, 0x80, 0xc3, 0xa9, 0xe2, 0xe9, 0xff];
    const next = seeded(42);
    const values: Uint8Array[] = [];
    for (let i = 0; i < 5_000; i += 1) {
      const length = next() % 56;
      values.push(new Uint8Array(Array.from({ length }, () => alphabet[next() % alphabet.length] as number)));
    }
    expect(strings(message(values))).toEqual(values.map((v) => Buffer.from(v).toString('utf8')));
  });
});
