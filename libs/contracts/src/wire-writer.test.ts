import { BinaryReader, BinaryWriter, WireType } from '@bufbuild/protobuf/wire';
import { describe, expect, it } from 'vitest';
import { LEN, tag, VARINT } from './wire-tag';
import { WireReader } from './wire-reader';
import { boolSize, bytesSize, uint32Size, uint64Size, utf8Length, WireWriter } from './wire-writer';

/** One-byte tags end at 15; 2047 and 262143 are the last of two and three bytes; 2^29 − 1 is the largest field. */
const FIELDS = [1, 15, 16, 2047, 2048, 262_143, 262_144, 2 ** 29 - 1];

/** A message with a string, a nested message, a uint32, a bool and a bytes field, all numbered `field`. */
function ours(field: number): Buffer {
  const w = new WireWriter();
  const body = new Uint8Array([1, 2, 3]);
  let size = w.measureString(tag(field, LEN), 'café');
  const slot = w.reserve();
  size += w.fill(tag(field, LEN), slot, w.measureString(tag(1, LEN), 'inner'));
  size += uint32Size(tag(field, VARINT), 300) + boolSize(tag(field, VARINT), true) + bytesSize(tag(field, LEN), body);
  w.begin(size);
  w.string(tag(field, LEN), 'café');
  w.message(tag(field, LEN));
  w.string(tag(1, LEN), 'inner');
  w.uint32(tag(field, VARINT), 300);
  w.bool(tag(field, VARINT), true);
  w.bytes(tag(field, LEN), body);
  expect(w.at).toBe(size);
  return w.buf;
}

/** One nested message (field 2) per group, holding the group's strings (field 1): lengths measured at two depths. */
function nested(w: WireWriter, groups: readonly (readonly string[])[]): Buffer {
  w.measuring();
  let size = 0;
  for (const group of groups) {
    size += w.fill(
      tag(2, LEN),
      w.reserve(),
      group.reduce((sum, value) => sum + w.measureString(tag(1, LEN), value), 0),
    );
  }
  w.begin(size);
  for (const group of groups) {
    w.message(tag(2, LEN));
    for (const value of group) w.string(tag(1, LEN), value);
  }
  expect(w.at).toBe(size);
  return w.take();
}

/** The same message written by @bufbuild/protobuf, the runtime of the generated code. */
function reference(field: number): Buffer {
  const writer = new BinaryWriter();
  writer.tag(field, WireType.LengthDelimited).string('café');
  writer.tag(field, WireType.LengthDelimited).fork().tag(1, WireType.LengthDelimited).string('inner').join();
  writer.tag(field, WireType.Varint).uint32(300);
  writer.tag(field, WireType.Varint).bool(true);
  writer.tag(field, WireType.LengthDelimited).bytes(new Uint8Array([1, 2, 3]));
  return Buffer.from(writer.finish());
}

/** Strings on either side of the short-string path: ASCII, 2-, 3- and 4-byte characters, a lone surrogate. */
const STRINGS = [
  'a',
  '\x7f',
  'x'.repeat(64),
  'x'.repeat(65),
  'é',
  `${'x'.repeat(63)}é`,
  'café',
  '€uro',
  'a😀b',
  'lone \ud800 surrogate',
  `${'x'.repeat(40)}😀${'y'.repeat(40)}`,
];

describe('WireWriter', () => {
  it.each(STRINGS)('should measure and write %j as the protobuf runtime does', (value) => {
    expect(utf8Length(value)).toBe(Buffer.byteLength(value, 'utf8'));
    const w = new WireWriter();
    const size = w.measureString(tag(1, LEN), value);
    w.begin(size);
    w.string(tag(1, LEN), value);
    expect(w.at).toBe(size);
    const theirs = Buffer.from(new BinaryWriter().tag(1, WireType.LengthDelimited).string(value).finish());
    expect(w.buf.toString('hex')).toBe(theirs.toString('hex'));
  });

  it.each(FIELDS)('should write field %i with the tag and sizes the protobuf runtime writes', (field) => {
    expect(ours(field).toString('hex')).toBe(reference(field).toString('hex'));
  });

  it.each(FIELDS)('should write field %i so that the protobuf runtime and WireReader read it back', (field) => {
    const bytes = ours(field);
    const theirs = new BinaryReader(bytes);
    expect(theirs.tag()).toEqual([field, WireType.LengthDelimited]);
    expect(theirs.string()).toBe('café');
    expect(theirs.tag()).toEqual([field, WireType.LengthDelimited]);
    const inner = new BinaryReader(theirs.bytes());
    expect([inner.tag(), inner.string()]).toEqual([[1, WireType.LengthDelimited], 'inner']);
    expect([theirs.tag(), theirs.uint32(), theirs.tag(), theirs.bool()]).toEqual([
      [field, WireType.Varint],
      300,
      [field, WireType.Varint],
      true,
    ]);

    const r = new WireReader(bytes);
    expect(r.varint()).toBe(tag(field, LEN));
    expect(r.string()).toBe('café');
    expect(r.varint()).toBe(tag(field, LEN));
    r.skip(tag(field, LEN));
    expect([r.varint(), r.varint(), r.varint(), r.varint()]).toEqual([tag(field, VARINT), 300, tag(field, VARINT), 1]);
    expect(r.varint()).toBe(tag(field, LEN));
    expect([...r.bytes()]).toEqual([1, 2, 3]);
    expect(r.at).toBe(bytes.length);
  });

  it.each([1, 127, 128, 2 ** 32 - 1, 2 ** 32, 2 ** 35 + 3, 2 ** 53 - 1])(
    'should write the uint64 %i as the protobuf runtime does, and read it back',
    (value) => {
      const w = new WireWriter();
      const size = uint64Size(tag(1, VARINT), value);
      w.begin(size);
      w.uint64(tag(1, VARINT), value);
      expect(w.at).toBe(size);
      const writer = new BinaryWriter();
      writer.tag(1, WireType.Varint).uint64(value);
      expect(w.buf.toString('hex')).toBe(Buffer.from(writer.finish()).toString('hex'));
      const r = new WireReader(w.buf);
      expect([r.varint(), r.varint()]).toEqual([tag(1, VARINT), value]);
    },
  );

  it('should write each message of a reused writer as a fresh writer writes it, larger or smaller than the last', () => {
    const reused = new WireWriter();
    const shapes = [40, 3, 0, 41, 1].map((n, round) =>
      Array.from({ length: n }, (_, i) =>
        Array.from({ length: i % 4 }, (_, j) => `${'r'.repeat(round + 1)}-${i}-${j}`),
      ),
    );
    for (const groups of shapes) {
      expect(nested(reused, groups).toString('hex')).toBe(nested(new WireWriter(), groups).toString('hex'));
    }
  });
});
