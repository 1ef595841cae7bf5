import type { Header } from './generated/mono/transport/v1/transport';
import { LEN, tag } from './wire-tag';
import { readHeader } from './message-codecs';
import { WireReader } from './wire-reader';
import { varintSize, type WireWriter } from './wire-writer';

const TAG_NAME = tag(1, LEN);
const TAG_VALUE = tag(2, LEN);

/** Up to this many bytes a field is copied in JavaScript, beyond it through `Buffer.copy` (wire-writer.ts's SHORT). */
const SHORT = 64;

const EMPTY = Buffer.alloc(0);

/** A head's header fields: decoded, or as received. */
export type HeaderFields = readonly Header[] | WireHeaders;

/** Whether the fields are decoded; not `instanceof WireHeaders`, which a second copy of this library answers wrongly. */
export function isDecoded(fields: HeaderFields): fields is readonly Header[] {
  return Array.isArray(fields);
}

/**
 * Header fields as a received head carried them (each a `mono.transport.v1.Header` message): what the gateway hands
 * from the edge's request to the framework's environ without decoding and encoding every name and value again. It
 * reads only the fields it is asked for. Their bytes are copied out of the received message when the head has been
 * read (a few hundred bytes): a view would hold the whole message — a turn's batch of heads, or body chunks — for as
 * long as the request lasts.
 *
 * @example
 * const host = fields.value('host'); // the first non-empty Host field's value, or ''
 */
export class WireHeaders {
  #buf: Buffer;
  /** Each field's message body: its start and end in #buf, in order. */
  readonly #bounds: number[] = [];
  #list: Header[] | undefined;

  constructor(buf: Buffer) {
    this.#buf = buf;
  }

  /**
   * Reader side: the field whose body runs from the reader's position to `end`. Its fields are walked as readHeader
   * would (a wire type it cannot skip, or a length past the end, throws here, while the message is decoded), their
   * strings not decoded.
   */
  add(r: WireReader, end: number): void {
    const start = r.at;
    while (r.at < end) r.skip(r.varint());
    if (r.at !== end) throw new Error('truncated message');
    this.#bounds.push(start, end);
  }

  /** Reader side, once the head is read: the fields' bytes become their own (see above). */
  seal(): void {
    const bounds = this.#bounds;
    if (bounds.length === 0) {
      this.#buf = EMPTY;
      return;
    }
    let from = bounds[0] as number;
    let to = bounds[1] as number;
    for (let i = 2; i < bounds.length; i += 2) {
      from = Math.min(from, bounds[i] as number);
      to = Math.max(to, bounds[i + 1] as number);
    }
    this.#buf = Buffer.from(this.#buf.subarray(from, to));
    for (let i = 0; i < bounds.length; i += 1) bounds[i] = (bounds[i] as number) - from;
  }

  /** The value of the first field named `lowerName` (lower-case ASCII) whose value is not empty; '' if none is. */
  value(lowerName: string): string {
    const buf = this.#buf;
    const bounds = this.#bounds;
    const r = new WireReader(buf);
    for (let i = 0; i < bounds.length; i += 2) {
      r.at = bounds[i] as number;
      const end = bounds[i + 1] as number;
      let named = false;
      let from = 0;
      let to = 0;
      while (r.at < end) {
        const t = r.varint();
        if (t === TAG_NAME) {
          const nameEnd = r.end();
          named = sameName(buf, r.at, nameEnd, lowerName);
          r.at = nameEnd;
        } else if (t === TAG_VALUE) {
          to = r.end();
          from = r.at;
          r.at = to;
        } else r.skip(t);
      }
      if (named && to > from) return buf.toString('utf8', from, to);
    }
    return '';
  }

  /** Every field, decoded (once). */
  list(): readonly Header[] {
    if (this.#list === undefined) {
      const r = new WireReader(this.#buf);
      this.#list = [];
      for (let i = 0; i < this.#bounds.length; i += 2) {
        r.at = this.#bounds[i] as number;
        this.#list.push(readHeader(r, this.#bounds[i + 1] as number));
      }
    }
    return this.#list;
  }

  /**
   * `Σ (name + value + 4)` in characters (UTF-16 code units), what requestHeadBytes counts of decoded fields, counted
   * from the bytes: each UTF-8 sequence as the characters it decodes to.
   */
  headBytes(): number {
    const buf = this.#buf;
    const bounds = this.#bounds;
    const r = new WireReader(buf);
    let chars = 0;
    for (let i = 0; i < bounds.length; i += 2) {
      r.at = bounds[i] as number;
      const end = bounds[i + 1] as number;
      let name = 0;
      let value = 0;
      while (r.at < end) {
        const t = r.varint();
        if (t === TAG_NAME || t === TAG_VALUE) {
          const to = r.end();
          if (t === TAG_NAME) name = utf16Length(buf, r.at, to);
          else value = utf16Length(buf, r.at, to);
          r.at = to;
        } else r.skip(t);
      }
      chars += name + value + 4;
    }
    return chars;
  }

  /** Pass 1 of a writer: the fields' size as the repeated field `fieldTag`. */
  measure(fieldTag: number): number {
    const bounds = this.#bounds;
    let size = 0;
    for (let i = 0; i < bounds.length; i += 2) {
      const length = (bounds[i + 1] as number) - (bounds[i] as number);
      size += varintSize(fieldTag) + varintSize(length) + length;
    }
    return size;
  }

  /** Pass 2: the fields as the repeated field `fieldTag`, their bodies copied as received. */
  write(w: WireWriter, fieldTag: number): void {
    const src = this.#buf;
    const bounds = this.#bounds;
    for (let i = 0; i < bounds.length; i += 2) {
      const start = bounds[i] as number;
      const end = bounds[i + 1] as number;
      w.varint(fieldTag);
      w.varint(end - start);
      if (end - start > SHORT) w.at += src.copy(w.buf, w.at, start, end);
      else {
        const out = w.buf;
        let at = w.at;
        for (let j = start; j < end; j += 1) out[at++] = src[j] as number;
        w.at = at;
      }
    }
  }
}

/** Whether `buf[from, to)` is `lowerName` in any letter case. */
function sameName(buf: Buffer, from: number, to: number, lowerName: string): boolean {
  if (to - from !== lowerName.length) return false;
  for (let i = 0; i < lowerName.length; i += 1) {
    let c = buf[from + i] as number;
    if (c >= 0x41 && c <= 0x5a) c |= 0x20;
    if (c !== lowerName.charCodeAt(i)) return false;
  }
  return true;
}

/**
 * The UTF-16 length of the UTF-8 bytes `buf[from, to)`: a character per sequence, two for one of four bytes. Valid
 * UTF-8 is assumed, which is what every writer of these messages produces from strings.
 */
function utf16Length(buf: Buffer, from: number, to: number): number {
  let chars = 0;
  for (let i = from; i < to; i += 1) {
    const byte = buf[i] as number;
    if (byte < 0x80 || byte >= 0xc0) chars += byte >= 0xf0 ? 2 : 1;
  }
  return chars;
}
