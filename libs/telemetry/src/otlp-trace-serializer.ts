import { inspect } from 'node:util';
import type { AttributeValue, Attributes, HrTime, Link, SpanContext } from '@opentelemetry/api';
import type { InstrumentationScope } from '@opentelemetry/core';
import type * as Transformer from '@opentelemetry/otlp-transformer';
import type { Resource } from '@opentelemetry/resources';
import type { ReadableSpan, TimedEvent } from '@opentelemetry/sdk-trace';

type TraceResponse = ReturnType<typeof Transformer.ProtobufTraceSerializer.deserializeResponse>;

/**
 * The OTLP/protobuf encoding of exported spans (ExportTraceServiceRequest), byte for byte what the SDK's
 * `ProtobufTraceSerializer` writes (otlp-trace-serializer.test.ts holds it to that), in one pass instead of two and
 * without a typed array per id: ids go from hex into the buffer, attribute keys are encoded once, every length is
 * patched in after its message. It took ~2.5 µs of each span's export (and a fifth of the gateway's CPU traced at
 * 100 %); this takes under a third of it (docs/adr/0022-cheaper-sampled-spans.md). Responses are read by the SDK's.
 */
export const otlpTraceSerializer: Transformer.ISerializer<ReadableSpan[], TraceResponse> = {
  serializeRequest(spans) {
    return new TraceWriter(Buffer.allocUnsafeSlow(requestSize(spans))).request(spans);
  },
  deserializeResponse(data) {
    // eslint-disable-next-line @typescript-eslint/no-require-imports -- loaded with the exporter that needs it
    const { ProtobufTraceSerializer } = require('@opentelemetry/otlp-transformer') as typeof Transformer;
    return ProtobufTraceSerializer.deserializeResponse(data);
  },
};

const LEN = 2;
const VARINT = 0;
const I64 = 1;
const I32 = 5;
const tag = (field: number, wire: number) => (field << 3) | wire;

// A span's body length, reserved before its fields: 128 B – 16 KiB takes two bytes, as most spans do.
const SPAN_RESERVE = 2;
const HAS_IS_REMOTE = 0x100;
const IS_REMOTE = 0x200;
const MIN_INT64 = -(2 ** 63);
const MAX_INT64 = 2 ** 63;

/** Attribute keys with their KeyValue.key field encoded (tag, length, UTF-8), kept for the few keys spans use. */
const KEYS = new Map<string, Uint8Array>();
const MAX_KEYS = 1_024;

/**
 * A span already written as the Span field of a ScopeSpans message, held by the batch processor in its place until
 * its batch is sent: its bytes in a chunk shared with the spans of its scope written after it, and what the batch is
 * grouped by (encode-span-on-end.ts).
 */
export class EncodedSpan {
  constructor(
    readonly resource: Resource,
    readonly instrumentationScope: InstrumentationScope,
    readonly traceFlags: number,
    readonly chunk: Buffer,
    readonly start: number,
    readonly end: number,
  ) {}

  /** What the batch processor reads to drop unsampled spans. */
  spanContext(): Pick<SpanContext, 'traceFlags'> {
    return this;
  }

  /** What a debug log of an export shows (the SDK logs the items it sends): the size, not the chunk. */
  toJSON(): { encodedBytes: number } {
    return { encodedBytes: this.end - this.start };
  }

  [inspect.custom](): string {
    return `EncodedSpan(${this.end - this.start} B)`;
  }
}

/**
 * Spans are written straight into a chunk kept for their instrumentation scope, shared by the spans of that scope
 * that follow; a new chunk when less than SPAN_ROOM is left. So the spans of one scope lie one after another in
 * their chunk, in the order they ended, and an export copies each such run at once. A span that does not fit in what
 * is left, or larger than a quarter of a chunk, is copied into a new chunk or a buffer of its own: what is held is
 * what is counted (the outage buffer's byte bound), give or take a chunk's tail.
 */
const SPAN_CHUNK = 64 * 1024;
const SPAN_ALONE = SPAN_CHUNK / 4;
const SPAN_ROOM = 2 * 1024;
interface Chunk {
  buf: Buffer;
  at: number;
}
const CHUNKS = new WeakMap<InstrumentationScope, Chunk>();
/** Past this many scopes, the rest share one chunk. */
const MAX_CHUNKS = 64;
let chunksMade = 0;
let sharedChunk: Chunk | undefined;
let spanWriter: TraceWriter | undefined;

/**
 * Writes an ended span as it will be sent (its Span field, ready to be copied into any batch) and returns what
 * stands for it until then; otlpTraceSerializer copies those bytes where it would have written the span.
 */
export function encodeSpan(span: ReadableSpan): EncodedSpan {
  const chunk = chunkOf(span.instrumentationScope);
  if (SPAN_CHUNK - chunk.at < SPAN_ROOM) {
    chunk.buf = Buffer.allocUnsafeSlow(SPAN_CHUNK);
    chunk.at = 0;
  }
  const writer = (spanWriter ??= new TraceWriter(chunk.buf));
  const start = chunk.at;
  writer.buf = chunk.buf;
  writer.at = start;
  writer.span(span);
  const length = writer.at - start;
  let target = chunk.buf;
  let at = start;
  if (writer.buf === chunk.buf && length <= SPAN_ALONE) {
    chunk.at = writer.at;
  } else {
    // It grew the writer past the chunk, or is too large to share one: copied out of where it was written.
    at = 0;
    if (length > SPAN_ALONE) {
      target = Buffer.allocUnsafeSlow(length);
    } else {
      target = chunk.buf = Buffer.allocUnsafeSlow(SPAN_CHUNK);
      chunk.at = length;
    }
    writer.buf.copy(target, 0, start, start + length);
  }
  writer.buf = EMPTY;
  return new EncodedSpan(
    span.resource,
    span.instrumentationScope,
    span.spanContext().traceFlags,
    target,
    at,
    at + length,
  );
}

const EMPTY = Buffer.alloc(0);

function chunkOf(scope: InstrumentationScope): Chunk {
  let chunk = CHUNKS.get(scope);
  if (chunk !== undefined) return chunk;
  if (chunksMade < MAX_CHUNKS) {
    chunksMade += 1;
    chunk = { buf: Buffer.allocUnsafeSlow(SPAN_CHUNK), at: 0 };
  } else {
    chunk = sharedChunk ??= { buf: Buffer.allocUnsafeSlow(SPAN_CHUNK), at: 0 };
  }
  CHUNKS.set(scope, chunk);
  return chunk;
}

class TraceWriter {
  buf: Buffer;
  at = 0;

  constructor(buf: Buffer) {
    this.buf = buf;
  }

  request(spans: readonly ReadableSpan[]): Uint8Array {
    for (const [resource, scopes] of group(spans)) {
      const start = this.open(tag(1, LEN), 3);
      this.resource(resource);
      for (const scoped of scopes.values()) {
        const scopeStart = this.open(tag(2, LEN), 3);
        this.scope((scoped[0] as ReadableSpan).instrumentationScope);
        this.spans(scoped);
        const scopeUrl = (scoped[0] as ReadableSpan).instrumentationScope.schemaUrl;
        if (scopeUrl) this.string(tag(3, LEN), scopeUrl);
        this.close(scopeStart, 3);
      }
      if (resource.schemaUrl) this.string(tag(3, LEN), resource.schemaUrl);
      this.close(start, 3);
    }
    // Its own buffer, which the transport sends later; past its end, what requestSize left over (or, when it
    // grew, the rest of what it grew to).
    return this.buf.subarray(0, this.at);
  }

  /** Spans written as they ended are copied a run at a time: those that lie one after another in a chunk. */
  spans(spans: readonly ReadableSpan[]): void {
    let run: Buffer | undefined;
    let runStart = 0;
    let runEnd = 0;
    for (const span of spans) {
      if (span instanceof EncodedSpan) {
        if (span.chunk === run && span.start === runEnd) {
          runEnd = span.end;
          continue;
        }
        if (run !== undefined) this.copy(run, runStart, runEnd);
        run = span.chunk;
        runStart = span.start;
        runEnd = span.end;
      } else {
        if (run !== undefined) this.copy(run, runStart, runEnd);
        run = undefined;
        this.span(span);
      }
    }
    if (run !== undefined) this.copy(run, runStart, runEnd);
  }

  resource(resource: Resource): void {
    const start = this.open(tag(1, LEN), 1);
    if (resource.attributes) this.attributes(tag(1, LEN), resource.attributes);
    this.varintField(tag(2, VARINT), 0);
    this.close(start, 1);
  }

  scope(scope: InstrumentationScope & { attributes?: Attributes; droppedAttributesCount?: number }): void {
    const start = this.open(tag(1, LEN), 1);
    this.string(tag(1, LEN), scope.name);
    if (scope.version) this.string(tag(2, LEN), scope.version);
    if (scope.attributes) this.attributes(tag(3, LEN), scope.attributes);
    if (scope.droppedAttributesCount) this.varintField(tag(4, VARINT), scope.droppedAttributesCount);
    this.close(start, 1);
  }

  span(span: ReadableSpan): void {
    const start = this.open(tag(2, LEN), SPAN_RESERVE);
    const context = span.spanContext();
    const parent = span.parentSpanContext;
    this.hexBytes(tag(1, LEN), context.traceId);
    this.hexBytes(tag(2, LEN), context.spanId);
    const traceState = context.traceState?.serialize();
    if (traceState) this.string(tag(3, LEN), traceState);
    if (parent?.spanId) this.hexBytes(tag(4, LEN), parent.spanId);
    this.string(tag(5, LEN), span.name);
    const kind = span.kind == null ? 0 : span.kind + 1;
    if (kind !== 0) this.varintField(tag(6, VARINT), kind);
    this.time(tag(7, I64), span.startTime);
    this.time(tag(8, I64), span.endTime);
    if (span.attributes) this.attributes(tag(9, LEN), span.attributes);
    this.varintField(tag(10, VARINT), span.droppedAttributesCount);
    for (const event of span.events) this.event(event);
    this.varintField(tag(12, VARINT), span.droppedEventsCount);
    for (const link of span.links) this.link(link);
    this.varintField(tag(14, VARINT), span.droppedLinksCount);
    const statusStart = this.open(tag(15, LEN), 1);
    if (span.status.message) this.string(tag(2, LEN), span.status.message);
    this.varintField(tag(3, VARINT), span.status.code);
    this.close(statusStart, 1);
    this.fixed32(tag(16, I32), flags(context, parent?.isRemote));
    this.close(start, SPAN_RESERVE);
  }

  event(event: TimedEvent): void {
    const start = this.open(tag(11, LEN), 1);
    this.time(tag(1, I64), event.time);
    this.string(tag(2, LEN), event.name);
    if (event.attributes) this.attributes(tag(3, LEN), event.attributes);
    this.varintField(tag(4, VARINT), event.droppedAttributesCount || 0);
    this.close(start, 1);
  }

  link(link: Link): void {
    const start = this.open(tag(13, LEN), 1);
    const context = link.context;
    this.hexBytes(tag(1, LEN), context.traceId);
    this.hexBytes(tag(2, LEN), context.spanId);
    const traceState = context.traceState?.serialize();
    if (traceState) this.string(tag(3, LEN), traceState);
    if (link.attributes) this.attributes(tag(4, LEN), link.attributes);
    this.varintField(tag(5, VARINT), link.droppedAttributesCount || 0);
    this.fixed32(tag(6, I32), flags(context, context.isRemote));
    this.close(start, 1);
  }

  attributes(fieldTag: number, attributes: Attributes): void {
    for (const key in attributes) {
      if (!Object.hasOwn(attributes, key)) continue;
      this.keyValue(fieldTag, key, attributes[key]);
    }
  }

  keyValue(fieldTag: number, key: string, value: AttributeValue | undefined): void {
    const start = this.open(fieldTag, 1);
    this.key(key);
    const valueStart = this.open(tag(2, LEN), 1);
    this.anyValue(value);
    this.close(valueStart, 1);
    this.close(start, 1);
  }

  anyValue(value: unknown): void {
    switch (typeof value) {
      case 'string':
        this.string(tag(1, LEN), value);
        return;
      case 'boolean':
        this.varintField(tag(2, VARINT), value ? 1 : 0);
        return;
      case 'number':
        if (Number.isInteger(value) && value >= MIN_INT64 && value < MAX_INT64) {
          this.varintField(tag(3, VARINT), value);
        } else {
          this.ensure(9);
          this.buf[this.at++] = tag(4, I64);
          this.at = this.buf.writeDoubleLE(value, this.at);
        }
        return;
    }
    if (value instanceof Uint8Array) {
      this.bytes(tag(7, LEN), value);
    } else if (Array.isArray(value)) {
      const start = this.open(tag(5, LEN), 1);
      for (const item of value as unknown[]) {
        const itemStart = this.open(tag(1, LEN), 1);
        this.anyValue(item);
        this.close(itemStart, 1);
      }
      this.close(start, 1);
    } else if (typeof value === 'object' && value !== null) {
      const start = this.open(tag(6, LEN), 1);
      const object = value as Record<string, unknown>;
      for (const key in object) {
        if (!Object.hasOwn(object, key)) continue;
        const entryStart = this.open(tag(1, LEN), 1);
        this.string(tag(1, LEN), key);
        const valueStart = this.open(tag(2, LEN), 1);
        this.anyValue(object[key]);
        this.close(valueStart, 1);
        this.close(entryStart, 1);
      }
      this.close(start, 1);
    }
    // undefined, null, a function: an empty AnyValue, as the SDK's serializer writes.
  }

  /** KeyValue.key, from the cache. */
  key(key: string): void {
    let encoded = KEYS.get(key);
    if (encoded === undefined) {
      const at = this.at;
      this.string(tag(1, LEN), key);
      encoded = new Uint8Array(this.buf.subarray(at, this.at));
      if (KEYS.size < MAX_KEYS) KEYS.set(key, encoded);
      return;
    }
    const length = encoded.length;
    this.ensure(length);
    const buf = this.buf;
    let at = this.at;
    for (let i = 0; i < length; i++) buf[at++] = encoded[i] as number;
    this.at = at;
  }

  /** A field's tag, then room for its length (`reserve` bytes): the body follows; `close` writes the length. */
  open(fieldTag: number, reserve: number): number {
    this.ensure(8);
    this.varint(fieldTag);
    const start = this.at;
    this.at += reserve;
    return start;
  }

  /** Writes the length of the body since `open`, moving the body when the length takes other than `reserve` bytes. */
  close(start: number, reserve: number): void {
    const length = this.at - start - reserve;
    const size = varintSize(length);
    if (size !== reserve) {
      this.ensure(size - reserve);
      this.buf.copyWithin(start + size, start + reserve, this.at);
      this.at += size - reserve;
    }
    let v = length;
    let at = start;
    while (v >= 0x80) {
      this.buf[at++] = (v & 0x7f) | 0x80;
      v >>>= 7;
    }
    this.buf[at] = v;
  }

  /** A string field, always written (proto3's default "" too, as the SDK's serializer does). */
  string(fieldTag: number, value: string): void {
    const length = value.length;
    this.ensure(11 + length * 3);
    this.varint(fieldTag);
    const start = this.at;
    this.varint(length);
    const buf = this.buf;
    let at = this.at;
    for (let i = 0; i < length; i++) {
      const code = value.charCodeAt(i);
      if (code >= 0x80) {
        // Not ASCII: its UTF-8 length, then the whole string again through the encoder.
        this.at = start;
        const bytes = Buffer.byteLength(value, 'utf8');
        this.varint(bytes);
        this.at += buf.write(value, this.at, bytes, 'utf8');
        return;
      }
      buf[at++] = code;
    }
    this.at = at;
  }

  copy(source: Buffer, start: number, end: number): void {
    this.ensure(end - start);
    this.at += source.copy(this.buf, this.at, start, end);
  }

  bytes(fieldTag: number, value: Uint8Array): void {
    this.ensure(11 + value.length);
    this.varint(fieldTag);
    this.varint(value.length);
    this.buf.set(value, this.at);
    this.at += value.length;
  }

  /** An id's hex digits as bytes (the SDK's hexToBinary: half as many bytes as digits). */
  hexBytes(fieldTag: number, hex: string): void {
    const length = hex.length >>> 1;
    this.ensure(6 + length);
    this.varint(fieldTag);
    this.varint(length);
    const buf = this.buf;
    let at = this.at;
    for (let i = 0; i < length; i++) {
      buf[at++] = ((nibble(hex.charCodeAt(2 * i)) << 4) | nibble(hex.charCodeAt(2 * i + 1))) & 0xff;
    }
    this.at = at;
  }

  /** HrTime as fixed64 nanoseconds, split as the SDK's serializer does (exact beyond 2^53). */
  time(fieldTag: number, time: HrTime): void {
    const [seconds, nanos] = time;
    const lowSeconds = (seconds & 0xffff) * 1e9;
    const highSeconds = ((seconds / 0x10000) >>> 0) * 1e9;
    const low = (lowSeconds >>> 0) + ((((highSeconds & 0xffff) * 0x10000) >>> 0) + nanos);
    const high =
      (Math.floor(lowSeconds / 0x100000000) + ((highSeconds / 0x10000) >>> 0) + Math.floor(low / 0x100000000)) >>> 0;
    this.ensure(10);
    this.varint(fieldTag);
    this.buf.writeUInt32LE(low >>> 0, this.at);
    this.buf.writeUInt32LE(high, this.at + 4);
    this.at += 8;
  }

  fixed32(fieldTag: number, value: number): void {
    this.ensure(6);
    this.varint(fieldTag);
    this.at = this.buf.writeUInt32LE(value >>> 0, this.at);
  }

  varintField(fieldTag: number, value: number): void {
    this.ensure(16);
    this.varint(fieldTag);
    this.varint(value);
  }

  /** The SDK writer's varint: a uint32 as is, anything else as 64-bit two's complement (10 bytes when negative). */
  varint(value: number): void {
    const buf = this.buf;
    if (value >= 0 && value <= 0xffffffff) {
      let v = value >>> 0;
      while (v > 0x7f) {
        buf[this.at++] = (v & 0x7f) | 0x80;
        v >>>= 7;
      }
      buf[this.at++] = v;
      return;
    }
    const abs = Math.abs(value);
    let low = abs >>> 0;
    let high = (abs / 0x100000000) >>> 0;
    if (value < 0) {
      low = ~low >>> 0;
      high = ~high >>> 0;
      low = (low + 1) >>> 0;
      if (low === 0) high = (high + 1) >>> 0;
    }
    while (high > 0 || low > 0x7f) {
      buf[this.at++] = (low & 0x7f) | 0x80;
      low = ((low >>> 7) | (high << 25)) >>> 0;
      high >>>= 7;
    }
    buf[this.at++] = low & 0x7f;
  }

  ensure(bytes: number): void {
    if (this.at + bytes <= this.buf.length) return;
    let size = this.buf.length * 2;
    while (size < this.at + bytes) size *= 2;
    const grown = Buffer.allocUnsafe(size);
    this.buf.copy(grown, 0, 0, this.at);
    this.buf = grown;
  }
}

/**
 * What an export is written into, allocated once: its spans' bytes where they were written as they ended (a guess
 * for the others), and room for the resources and scopes; a request past it grows the buffer.
 */
function requestSize(spans: readonly ReadableSpan[]): number {
  let bytes = 1024;
  for (const span of spans) bytes += span instanceof EncodedSpan ? span.end - span.start : 256;
  return bytes;
}

/** Spans by resource, then by instrumentation scope, each in the order first seen (by identity, as the SDK groups). */
function group(spans: readonly ReadableSpan[]): Map<Resource, Map<InstrumentationScope, ReadableSpan[]>> {
  const resources = new Map<Resource, Map<InstrumentationScope, ReadableSpan[]>>();
  for (const span of spans) {
    let scopes = resources.get(span.resource);
    if (scopes === undefined) {
      scopes = new Map();
      resources.set(span.resource, scopes);
    }
    const scoped = scopes.get(span.instrumentationScope);
    if (scoped === undefined) scopes.set(span.instrumentationScope, [span]);
    else scoped.push(span);
  }
  return resources;
}

/** Span.flags: the W3C trace flags and whether the parent (or a link's context) is remote. */
function flags(context: SpanContext, isRemote: boolean | undefined): number {
  return (context.traceFlags & 0xff) | HAS_IS_REMOTE | (isRemote ? IS_REMOTE : 0);
}

/** A hex digit's value as the SDK's hexToBinary reads it (anything else as if it were A–F), by char code. */
function nibble(code: number): number {
  return code < 0x80 ? (NIBBLES[code] as number) : code - 55;
}

const NIBBLES = Int16Array.from({ length: 0x80 }, (_, code) =>
  code >= 48 && code <= 57 ? code - 48 : code >= 97 && code <= 102 ? code - 87 : code - 55,
);

function varintSize(value: number): number {
  if (value < 0x80) return 1;
  if (value < 0x4000) return 2;
  if (value < 0x200000) return 3;
  if (value < 0x10000000) return 4;
  return 5;
}
