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
    const value = this.buf.toString('utf8', this.at, end);
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
