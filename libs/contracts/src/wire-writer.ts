/**
 * A two-pass protobuf writer for the hot messages (batch-codec.ts): the first pass measures every nested message and
 * string, the second writes into one buffer allocated at the exact size, reading the lengths back in
 * the same order. No intermediate arrays, no copy of a body chunk but the one into the output. Every method takes a
 * field's whole tag (wire-tag.ts), written as a varint.
 */
export class WireWriter {
  /**
   * Pass 1's lengths, the first `#count` of them this message's. The array is never cut back: `length = 0` hands V8's
   * backing store back, and a batch's few hundred lengths grew a new one from 17 slots on every message (~0.5–0.7 KB
   * of garbage per request at the gateway).
   */
  readonly #lengths: number[] = [];
  #count = 0;
  #read = 0;
  buf: Buffer = EMPTY_BUFFER;
  at = 0;

  /** Pass 1: a string field's encoded size (tag + length + bytes); 0 for "" (proto3 omits defaults). */
  measureString(tag: number, value: string): number {
    if (value === '') return 0;
    const bytes = utf8Length(value);
    this.#lengths[this.#count++] = bytes;
    return varintSize(tag) + varintSize(bytes) + bytes;
  }

  /**
   * Index among the lengths where a nested message's size will go, before the lengths of what it contains:
   * `w.fill(tag, w.reserve(), measureBody())` (arguments are evaluated in order; no closure per field).
   */
  reserve(): number {
    this.#lengths[this.#count] = 0;
    return this.#count++;
  }

  /** Pass 1: records a nested message's body size at `index`; returns the field's encoded size. */
  fill(tag: number, index: number, bodySize: number): number {
    this.#lengths[index] = bodySize;
    return varintSize(tag) + varintSize(bodySize) + bodySize;
  }

  /** Pass 1 starts: forgets the lengths of the last message (keeping the array's room for the next one). */
  measuring(): void {
    this.#count = 0;
  }

  begin(total: number): void {
    this.buf = Buffer.allocUnsafe(total);
    this.at = 0;
    this.#read = 0;
  }

  string(tag: number, value: string): void {
    if (value === '') return;
    const bytes = this.#lengths[this.#read++] as number;
    this.varint(tag);
    this.varint(bytes);
    if (bytes === value.length && bytes <= SHORT) {
      // ASCII (a UTF-8 length equal to the UTF-16 length has no other character): copied here, not through C++.
      const buf = this.buf;
      let at = this.at;
      for (let i = 0; i < bytes; i += 1) buf[at++] = value.charCodeAt(i);
      this.at = at;
    } else this.at += this.buf.write(value, this.at, bytes, 'utf8');
  }

  /** Writes a nested message's tag and length; its body follows. */
  message(tag: number): void {
    const bytes = this.#lengths[this.#read++] as number;
    this.varint(tag);
    this.varint(bytes);
  }

  /** The message written, which the writer lets go of. */
  take(): Buffer {
    const buf = this.buf;
    this.buf = EMPTY_BUFFER;
    return buf;
  }

  bytes(tag: number, value: Uint8Array): void {
    if (value.byteLength === 0) return;
    this.varint(tag);
    this.varint(value.byteLength);
    this.buf.set(value, this.at);
    this.at += value.byteLength;
  }

  uint32(tag: number, value: number): void {
    if (value === 0) return;
    this.varint(tag);
    this.varint(value);
  }

  /** A uint64 up to Number.MAX_SAFE_INTEGER (what the generated code reads with forceLong=number). */
  uint64(tag: number, value: number): void {
    if (value === 0) return;
    this.varint(tag);
    let v = value;
    while (v >= 0x80) {
      this.buf[this.at++] = (v % 0x80) | 0x80;
      v = Math.floor(v / 0x80);
    }
    this.buf[this.at++] = v;
  }

  bool(tag: number, value: boolean): void {
    if (!value) return;
    this.varint(tag);
    this.buf[this.at++] = 1;
  }

  varint(value: number): void {
    let v = value >>> 0;
    while (v >= 0x80) {
      this.buf[this.at++] = (v & 0x7f) | 0x80;
      v >>>= 7;
    }
    this.buf[this.at++] = v;
  }
}

const EMPTY_BUFFER = Buffer.alloc(0);

/**
 * Strings up to this many characters are measured and, when ASCII, copied in JavaScript: a request's fields are
 * mostly short ASCII names and values, for which `Buffer.byteLength` and `buf.write` cost more in the call into C++
 * than in the copy (~12 % of the gateway's CPU per request, in perf). protobuf.js draws the same line at 40.
 */
const SHORT = 64;

/** A string's UTF-8 size. */
export function utf8Length(value: string): number {
  const length = value.length;
  if (length > SHORT) return Buffer.byteLength(value, 'utf8');
  for (let i = 0; i < length; i += 1) if (value.charCodeAt(i) >= 0x80) return Buffer.byteLength(value, 'utf8');
  return length;
}

export function varintSize(value: number): number {
  if (value < 0x80) return 1;
  if (value < 0x4000) return 2;
  if (value < 0x200000) return 3;
  if (value < 0x10000000) return 4;
  return 5;
}

/** A uint32 field's encoded size; 0 for 0. */
export function uint32Size(tag: number, value: number): number {
  return value === 0 ? 0 : varintSize(tag) + varintSize(value);
}

/** A uint64 field's encoded size (up to Number.MAX_SAFE_INTEGER); 0 for 0. */
export function uint64Size(tag: number, value: number): number {
  if (value === 0) return 0;
  let bytes = 1;
  for (let v = value; v >= 0x80; v = Math.floor(v / 0x80)) bytes += 1;
  return varintSize(tag) + bytes;
}

/** A bool field's encoded size; 0 for false. */
export function boolSize(tag: number, value: boolean): number {
  return value ? varintSize(tag) + 1 : 0;
}

/** A bytes field's encoded size; 0 when empty. */
export function bytesSize(tag: number, value: Uint8Array): number {
  return value.byteLength === 0 ? 0 : varintSize(tag) + varintSize(value.byteLength) + value.byteLength;
}
