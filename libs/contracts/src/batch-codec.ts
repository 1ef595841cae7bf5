import { Call, type ReplyBatch, type ReplyFrame, Failure, ResponseHead } from './generated/mono/transport/v1/transport';
import type { RequestBatch, RequestFrame } from './boundary';

/**
 * Hand-written encoders for the two batch messages, byte-for-byte what the generated encoders produce (a test
 * holds them to it), but writing each body chunk once into one buffer: the generated writer copies every nested
 * message twice (fork/join, then finish), and bodies are most of the bytes a hop moves. Decoding stays generated.
 */

const WIRE_VARINT = 0;
const WIRE_LEN = 2;
const BATCH_FRAMES_TAG = (1 << 3) | WIRE_LEN;

interface Sized {
  size: number;
  parts: Array<Uint8Array | undefined>;
}

export function encodeRequestBatch<H>(batch: RequestBatch<H>, encodeHead: (head: H) => Uint8Array): Buffer {
  const frames = batch.frames;
  const sized: Sized[] = new Array(frames.length);
  let total = 0;
  for (let i = 0; i < frames.length; i += 1) {
    const frame = frames[i] as RequestFrame<H>;
    const call = frame.call ? Call.encode(frame.call).finish() : undefined;
    const head = frame.head ? encodeHead(frame.head) : undefined;
    let size = 0;
    if (frame.id !== 0) size += 1 + varintLength(frame.id);
    if (call) size += 1 + varintLength(call.byteLength) + call.byteLength;
    if (head) size += 1 + varintLength(head.byteLength) + head.byteLength;
    if (frame.data.byteLength > 0) size += 1 + varintLength(frame.data.byteLength) + frame.data.byteLength;
    if (frame.end) size += 2;
    if (frame.cancel) size += 2;
    if (frame.credit !== 0) size += 1 + varintLength(frame.credit);
    sized[i] = { size, parts: [call, head] };
    total += 1 + varintLength(size) + size;
  }
  const out = Buffer.allocUnsafe(total);
  let at = 0;
  for (let i = 0; i < frames.length; i += 1) {
    const frame = frames[i] as RequestFrame<H>;
    const { size, parts } = sized[i] as Sized;
    out[at++] = BATCH_FRAMES_TAG;
    at = writeVarint(out, at, size);
    if (frame.id !== 0) at = writeVarintField(out, at, 1, frame.id);
    if (parts[0]) at = writeBytesField(out, at, 2, parts[0]);
    if (parts[1]) at = writeBytesField(out, at, 3, parts[1]);
    if (frame.data.byteLength > 0) at = writeBytesField(out, at, 4, frame.data);
    if (frame.end) at = writeVarintField(out, at, 5, 1);
    if (frame.cancel) at = writeVarintField(out, at, 6, 1);
    if (frame.credit !== 0) at = writeVarintField(out, at, 7, frame.credit);
  }
  return out;
}

export function encodeReplyBatch(batch: ReplyBatch): Buffer {
  const frames = batch.frames;
  const sized: Sized[] = new Array(frames.length);
  let total = 0;
  for (let i = 0; i < frames.length; i += 1) {
    const frame = frames[i] as ReplyFrame;
    const head = frame.head ? ResponseHead.encode(frame.head).finish() : undefined;
    const failure = frame.failure ? Failure.encode(frame.failure).finish() : undefined;
    let size = 0;
    if (frame.id !== 0) size += 1 + varintLength(frame.id);
    if (head) size += 1 + varintLength(head.byteLength) + head.byteLength;
    if (frame.data.byteLength > 0) size += 1 + varintLength(frame.data.byteLength) + frame.data.byteLength;
    if (frame.end) size += 2;
    if (failure) size += 1 + varintLength(failure.byteLength) + failure.byteLength;
    if (frame.credit !== 0) size += 1 + varintLength(frame.credit);
    sized[i] = { size, parts: [head, failure] };
    total += 1 + varintLength(size) + size;
  }
  const out = Buffer.allocUnsafe(total);
  let at = 0;
  for (let i = 0; i < frames.length; i += 1) {
    const frame = frames[i] as ReplyFrame;
    const { size, parts } = sized[i] as Sized;
    out[at++] = BATCH_FRAMES_TAG;
    at = writeVarint(out, at, size);
    if (frame.id !== 0) at = writeVarintField(out, at, 1, frame.id);
    if (parts[0]) at = writeBytesField(out, at, 2, parts[0]);
    if (frame.data.byteLength > 0) at = writeBytesField(out, at, 3, frame.data);
    if (frame.end) at = writeVarintField(out, at, 4, 1);
    if (parts[1]) at = writeBytesField(out, at, 5, parts[1]);
    if (frame.credit !== 0) at = writeVarintField(out, at, 6, frame.credit);
  }
  return out;
}

function varintLength(value: number): number {
  if (value < 0x80) return 1;
  if (value < 0x4000) return 2;
  if (value < 0x200000) return 3;
  if (value < 0x10000000) return 4;
  return 5;
}

function writeVarint(out: Buffer, at: number, value: number): number {
  let v = value >>> 0;
  while (v >= 0x80) {
    out[at++] = (v & 0x7f) | 0x80;
    v >>>= 7;
  }
  out[at++] = v;
  return at;
}

function writeVarintField(out: Buffer, at: number, field: number, value: number): number {
  out[at++] = (field << 3) | WIRE_VARINT;
  return writeVarint(out, at, value);
}

function writeBytesField(out: Buffer, at: number, field: number, bytes: Uint8Array): number {
  out[at++] = (field << 3) | WIRE_LEN;
  at = writeVarint(out, at, bytes.byteLength);
  out.set(bytes, at);
  return at + bytes.byteLength;
}
