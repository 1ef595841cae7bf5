/**
 * A protobuf reader over one received buffer for the hot messages (batch-codec.ts): strings are decoded straight
 * from the buffer, bytes are views into it (no copy), unknown fields are skipped as the wire type says.
 */
export class WireReader {
  readonly buf: Buffer;
  at: number;

  constructor(buf: Buffer, at = 0) {
    this.buf = buf;
    this.at = at;
  }

  varint(): number {
    let result = 0;
    let shift = 0;
    for (;;) {
      const byte = this.buf[this.at++] as number;
      if (shift < 28) result |= (byte & 0x7f) << shift;
      else result += (byte & 0x7f) * 2 ** shift;
      if (byte < 0x80) return result >>> 0 === result ? result >>> 0 : result;
      shift += 7;
      if (shift > 63) throw new Error('malformed varint');
    }
  }

  /** The end offset of a length-delimited field whose length comes next. */
  end(): number {
    const length = this.varint();
    const end = this.at + length;
    if (end > this.buf.length) throw new Error('truncated message');
    return end;
  }

  string(): string {
    const end = this.end();
    const value =
      end - this.at <= SHORT ? shortString(this.buf, this.at, end) : this.buf.toString('utf8', this.at, end);
    this.at = end;
    return value;
  }

  bytes(): Buffer {
    const end = this.end();
    const value = this.buf.subarray(this.at, end);
    this.at = end;
    return value;
  }

  skip(tag: number): void {
    switch (tag & 7) {
      case 0:
        this.varint();
        return;
      case 1:
        this.at += 8;
        return;
      case 2:
        this.at = this.end();
        return;
      case 5:
        this.at += 4;
        return;
      default:
        throw new Error(`unsupported wire type ${tag & 7}`);
    }
  }
}

/** Strings up to this many bytes are looked up in `seen` first. */
const SHORT = 32;
const SLOTS = 1024;

/**
 * ASCII strings decoded before, by a hash of their bytes: the same names, methods, addresses and header values come
 * in nearly every message, and taking the one decoded before skips the call into C++ (`toString`) and, for an
 * environ's keys, V8 interning a new string. A slot holds the last string whose bytes hashed there; it is returned
 * only when its characters are those bytes, so a collision costs a decode, never a wrong string.
 */
const seen: Array<string | undefined> = new Array<string | undefined>(SLOTS).fill(undefined);

function shortString(buf: Buffer, start: number, end: number): string {
  const length = end - start;
  if (length === 0) return '';
  let hash = length;
  for (let i = start; i < end; i += 1) hash = Math.imul(hash ^ (buf[i] as number), 0x01000193);
  const slot = (hash >>> 0) % SLOTS;
  const known = seen[slot];
  if (known !== undefined && known.length === length) {
    let i = 0;
    while (i < length && known.charCodeAt(i) === buf[start + i]) i += 1;
    if (i === length) return known;
  }
  const value = buf.toString('utf8', start, end);
  // One character per byte: ASCII (or bytes decoded to U+FFFD, which no byte equals: never found above).
  if (value.length === length) seen[slot] = value;
  return value;
}
