import type {
  Call,
  Failure,
  Limits,
  ReplyBatch,
  ReplyFrame,
  ResponseHead,
} from './generated/mono/transport/v1/transport';
import {
  measureCall,
  measureFailure,
  measureLimits,
  measureResponseHead,
  readCall,
  readFailure,
  readLimits,
  readResponseHead,
  writeCall,
  writeFailure,
  writeLimits,
  writeResponseHead,
} from './message-codecs';
import type { RequestBatch, RequestFrame } from './request-batch';
import { LEN, tag, VARINT } from './wire-tag';
import { WireReader } from './wire-reader';
import { boolSize, bytesSize, uint32Size, WireWriter } from './wire-writer';

/**
 * Hand-written codecs for what crosses a hop on every request: the two batch messages and everything inside them
 * (the nested messages in message-codecs.ts, the boundaries' heads in head-codecs.ts). The .proto files stay the
 * source of truth and the generated code the reference — batch-codec.test.ts holds these to byte-for-byte the same
 * encoding and the same decoded objects, for every field the .proto files declare. They exist for speed: the
 * generated writer keeps bytes in number arrays and copies every nested message twice, and the generated reader
 * allocates an empty Uint8Array for every absent bytes field; at tens of thousands of requests a second that was most
 * of the garbage each hop made (docs/adr/0001-transport.md).
 */

/** Encodes a head (the boundary's first-frame message) into a writer, in two passes. */
export interface HeadCodec<H> {
  measure(w: WireWriter, head: H): number;
  write(w: WireWriter, head: H): void;
  read(r: WireReader, end: number): H;
}

const EMPTY = Buffer.alloc(0);

// RequestBatch and ReplyBatch: `repeated … frames = 1`
const TAG_BATCH_FRAMES = tag(1, LEN);
// ReplyBatch only
const TAG_BATCH_GOAWAY = tag(2, VARINT);
const TAG_BATCH_LIMITS = tag(3, LEN);

// mono.gateway.v1.RequestFrame and mono.framework.v1.RequestFrame (the same fields but `head`)
const TAG_REQUEST_ID = tag(1, VARINT);
const TAG_REQUEST_CALL = tag(2, LEN);
const TAG_REQUEST_HEAD = tag(3, LEN);
const TAG_REQUEST_DATA = tag(4, LEN);
const TAG_REQUEST_END = tag(5, VARINT);
const TAG_REQUEST_CANCEL = tag(6, VARINT);
const TAG_REQUEST_CREDIT = tag(7, VARINT);

// mono.transport.v1.ReplyFrame
const TAG_REPLY_ID = tag(1, VARINT);
const TAG_REPLY_HEAD = tag(2, LEN);
const TAG_REPLY_DATA = tag(3, LEN);
const TAG_REPLY_END = tag(4, VARINT);
const TAG_REPLY_FAILURE = tag(5, LEN);
const TAG_REPLY_CREDIT = tag(6, VARINT);
const TAG_REPLY_ACCEPTED = tag(7, VARINT);

export function encodeRequestBatch<H>(batch: RequestBatch<H>, head: HeadCodec<H>): Buffer {
  return encodeFrames(
    batch.frames,
    (w, f) => measureRequestFrame(w, f, head),
    (w, f) => writeRequestFrame(w, f, head),
  );
}

export function decodeRequestBatch<H>(buf: Buffer, head: HeadCodec<H>): RequestBatch<H> {
  return { frames: decodeFrames(buf, (r, end) => readRequestFrame(r, end, head)) };
}

export function encodeReplyBatch(batch: ReplyBatch): Buffer {
  return encodeFrames(batch.frames, measureReplyFrame, writeReplyFrame, batch.goaway, batch.limits);
}

export function decodeReplyBatch(buf: Buffer): ReplyBatch {
  const batch: ReplyBatch = { frames: [], goaway: false, limits: undefined };
  batch.frames = decodeFrames(buf, readReplyFrame, batch);
  return batch;
}

/** The writer of every batch: encoding runs to its end without yielding, so one is enough (its lengths' room kept). */
const WRITER = new WireWriter();

function encodeFrames<F>(
  frames: readonly F[],
  measure: (w: WireWriter, frame: F) => number,
  write: (w: WireWriter, frame: F) => void,
  goaway = false,
  limits?: Limits,
): Buffer {
  const w = WRITER;
  w.measuring();
  let total = boolSize(TAG_BATCH_GOAWAY, goaway);
  for (const frame of frames) total += w.fill(TAG_BATCH_FRAMES, w.reserve(), measure(w, frame));
  if (limits !== undefined) total += w.fill(TAG_BATCH_LIMITS, w.reserve(), measureLimits(w, limits));
  w.begin(total);
  for (const frame of frames) {
    w.message(TAG_BATCH_FRAMES);
    write(w, frame);
  }
  w.bool(TAG_BATCH_GOAWAY, goaway);
  if (limits !== undefined) {
    w.message(TAG_BATCH_LIMITS);
    writeLimits(w, limits);
  }
  return w.take();
}

/** The frames of a batch; a ReplyBatch's `goaway` and `limits` go into `reply`. */
function decodeFrames<F>(buf: Buffer, read: (r: WireReader, end: number) => F, reply?: ReplyBatch): F[] {
  const r = new WireReader(buf);
  const frames: F[] = [];
  while (r.at < buf.length) {
    const t = r.varint();
    if (t === TAG_BATCH_FRAMES) frames.push(read(r, r.end()));
    else if (t === TAG_BATCH_GOAWAY && reply !== undefined) reply.goaway = r.varint() !== 0;
    else if (t === TAG_BATCH_LIMITS && reply !== undefined) reply.limits = readLimits(r, r.end());
    else r.skip(t);
  }
  return frames;
}

function measureRequestFrame<H>(w: WireWriter, f: RequestFrame<H>, head: HeadCodec<H>): number {
  let size = uint32Size(TAG_REQUEST_ID, f.id);
  if (f.call !== undefined) size += w.fill(TAG_REQUEST_CALL, w.reserve(), measureCall(w, f.call as Call));
  if (f.head !== undefined) size += w.fill(TAG_REQUEST_HEAD, w.reserve(), head.measure(w, f.head as H));
  return (
    size +
    bytesSize(TAG_REQUEST_DATA, f.data) +
    boolSize(TAG_REQUEST_END, f.end) +
    boolSize(TAG_REQUEST_CANCEL, f.cancel) +
    uint32Size(TAG_REQUEST_CREDIT, f.credit)
  );
}

function writeRequestFrame<H>(w: WireWriter, f: RequestFrame<H>, head: HeadCodec<H>): void {
  w.uint32(TAG_REQUEST_ID, f.id);
  if (f.call !== undefined) {
    w.message(TAG_REQUEST_CALL);
    writeCall(w, f.call);
  }
  if (f.head !== undefined) {
    w.message(TAG_REQUEST_HEAD);
    head.write(w, f.head);
  }
  w.bytes(TAG_REQUEST_DATA, f.data);
  w.bool(TAG_REQUEST_END, f.end);
  w.bool(TAG_REQUEST_CANCEL, f.cancel);
  w.uint32(TAG_REQUEST_CREDIT, f.credit);
}

function readRequestFrame<H>(r: WireReader, end: number, head: HeadCodec<H>): RequestFrame<H> {
  const f: RequestFrame<H> = {
    id: 0,
    call: undefined,
    head: undefined,
    data: EMPTY,
    end: false,
    cancel: false,
    credit: 0,
  };
  while (r.at < end) {
    const t = r.varint();
    switch (t) {
      case TAG_REQUEST_ID:
        f.id = r.varint();
        break;
      case TAG_REQUEST_CALL:
        f.call = readCall(r, r.end());
        break;
      case TAG_REQUEST_HEAD:
        f.head = head.read(r, r.end());
        break;
      case TAG_REQUEST_DATA:
        f.data = r.bytes();
        break;
      case TAG_REQUEST_END:
        f.end = r.varint() !== 0;
        break;
      case TAG_REQUEST_CANCEL:
        f.cancel = r.varint() !== 0;
        break;
      case TAG_REQUEST_CREDIT:
        f.credit = r.varint();
        break;
      default:
        r.skip(t);
    }
  }
  return f;
}

function measureReplyFrame(w: WireWriter, f: ReplyFrame): number {
  let size = uint32Size(TAG_REPLY_ID, f.id);
  if (f.head !== undefined) size += w.fill(TAG_REPLY_HEAD, w.reserve(), measureResponseHead(w, f.head as ResponseHead));
  size += bytesSize(TAG_REPLY_DATA, f.data) + boolSize(TAG_REPLY_END, f.end);
  if (f.failure !== undefined) size += w.fill(TAG_REPLY_FAILURE, w.reserve(), measureFailure(w, f.failure as Failure));
  return size + uint32Size(TAG_REPLY_CREDIT, f.credit) + boolSize(TAG_REPLY_ACCEPTED, f.accepted);
}

function writeReplyFrame(w: WireWriter, f: ReplyFrame): void {
  w.uint32(TAG_REPLY_ID, f.id);
  if (f.head !== undefined) {
    w.message(TAG_REPLY_HEAD);
    writeResponseHead(w, f.head);
  }
  w.bytes(TAG_REPLY_DATA, f.data);
  w.bool(TAG_REPLY_END, f.end);
  if (f.failure !== undefined) {
    w.message(TAG_REPLY_FAILURE);
    writeFailure(w, f.failure);
  }
  w.uint32(TAG_REPLY_CREDIT, f.credit);
  w.bool(TAG_REPLY_ACCEPTED, f.accepted);
}

function readReplyFrame(r: WireReader, end: number): ReplyFrame {
  const f: ReplyFrame = {
    id: 0,
    head: undefined,
    data: EMPTY,
    end: false,
    failure: undefined,
    credit: 0,
    accepted: false,
  };
  while (r.at < end) {
    const t = r.varint();
    switch (t) {
      case TAG_REPLY_ID:
        f.id = r.varint();
        break;
      case TAG_REPLY_HEAD:
        f.head = readResponseHead(r, r.end());
        break;
      case TAG_REPLY_DATA:
        f.data = r.bytes();
        break;
      case TAG_REPLY_END:
        f.end = r.varint() !== 0;
        break;
      case TAG_REPLY_FAILURE:
        f.failure = readFailure(r, r.end());
        break;
      case TAG_REPLY_CREDIT:
        f.credit = r.varint();
        break;
      case TAG_REPLY_ACCEPTED:
        f.accepted = r.varint() !== 0;
        break;
      default:
        r.skip(t);
    }
  }
  return f;
}
