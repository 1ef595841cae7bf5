/** Up to this many bytes a string is looked up among those seen before (docs/adr/0042-strings-seen-before.md). */
const KNOWN_MAX = 48;
/** A slot is the top SLOT_BITS bits of the sampled bytes times 2^32 / φ (Fibonacci hashing). */
const SLOT_BITS = 10;
const SLOTS = 1 << SLOT_BITS;
/**
 * Strings seen before, each in the slot that its length and four of its bytes hash to or in the other slot of that
 * pair; '' where none is yet.
 */
const known: string[] = new Array<string>(SLOTS).fill('');
/** Whether each slot's string was found again since a string that hashed there was last decoded anew. */
const foundAgain = new Uint8Array(SLOTS);

/**
 * A protobuf reader over one received buffer for the hot messages (batch-codec.ts): strings are decoded straight
 * from the buffer, or are the same string as last time when their bytes were seen before (header names, methods,
 * hosts: most of a request's strings recur); bytes are views into it (no copy), unknown fields are skipped as the
 * wire type says.
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
    const at = this.at;
    this.at = end;
    const length = end - at;
    if (length === 0) return '';
    const buf = this.buf;
    if (length > KNOWN_MAX) return buf.toString('utf8', at, end);
    const sample =
      ((buf[at] as number) |
        ((buf[at + (length >> 1)] as number) << 8) |
        ((buf[end - 1] as number) << 16) |
        ((buf[length > 1 ? end - 2 : at] as number) << 24)) ^
      length;
    const slot = Math.imul(sample, 0x9e3779b1) >>> (32 - SLOT_BITS);
    if (sameAs(known[slot] as string, buf, at, length)) {
      foundAgain[slot] = 1;
      return known[slot] as string;
    }
    const other = slot ^ 1;
    if (sameAs(known[other] as string, buf, at, length)) {
      foundAgain[other] = 1;
      return known[other] as string;
    }
    const value = buf.toString('utf8', at, end);
    // Either slot of the pair takes a newcomer unless its string was found again since the last one (an id seen once
    // does not push out a header name that every request carries); a string whose UTF-8 takes more bytes than it has
    // characters is never kept: only one byte per character can be compared as sameAs does.
    if (foundAgain[slot] === 0) {
      if (value.length === length) known[slot] = value;
    } else if (foundAgain[other] === 0) {
      if (value.length === length) known[other] = value;
    } else {
      foundAgain[slot] = 0;
      foundAgain[other] = 0;
    }
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

/** Whether `seen`'s characters are the `length` bytes at `at`, one for one. */
function sameAs(seen: string, buf: Buffer, at: number, length: number): boolean {
  if (seen.length !== length) return false;
  for (let i = 0; i < length; i += 1) if (seen.charCodeAt(i) !== buf[at + i]) return false;
  return true;
}
