import type { RequestBatch, RequestFrame } from './boundary';
import type { Environ } from './generated/mono/framework/v1/framework';
import type { Endpoint, HttpRequest } from './generated/mono/gateway/v1/gateway';
import type {
  Call,
  Failure,
  Header,
  ReplyBatch,
  ReplyFrame,
  ResponseHead,
} from './generated/mono/transport/v1/transport';
import { WireReader } from './wire-reader';
import { bytesSize, uint32Size, WireWriter } from './wire-writer';

/**
 * Hand-written codecs for what crosses a hop on every request: the two batch messages and everything inside them.
 * The .proto files stay the source of truth and the generated code the reference — batch-codec.test.ts holds these
 * to byte-for-byte the same encoding and the same decoded objects. They exist for speed: the generated writer keeps
 * bytes in number arrays and copies every nested message twice, and the generated reader allocates an empty
 * Uint8Array for every absent bytes field; at tens of thousands of requests a second that was most of the garbage
 * each hop made (docs/adr/0001-transport.md).
 */

/** Encodes a head (the boundary's first-frame message) into a writer, in two passes. */
export interface HeadCodec<H> {
  measure(w: WireWriter, head: H): number;
  write(w: WireWriter, head: H): void;
  read(r: WireReader, end: number): H;
}

const EMPTY = Buffer.alloc(0);
const BATCH_FRAMES = 1;

// ---- batches: a repeated frame message (field 1) ----------------------------------------------------------------

function encodeFrames<F>(
  frames: readonly F[],
  measure: (w: WireWriter, frame: F) => number,
  write: (w: WireWriter, frame: F) => void,
): Buffer {
  const w = new WireWriter();
  let total = 0;
  for (const frame of frames) total += nested(w, () => measure(w, frame));
  w.begin(total);
  for (const frame of frames) {
    w.message(BATCH_FRAMES);
    write(w, frame);
  }
  return w.buf;
}

function decodeFrames<F>(buf: Buffer, read: (r: WireReader, end: number) => F): F[] {
  const r = new WireReader(buf);
  const frames: F[] = [];
  while (r.at < buf.length) {
    const tag = r.varint();
    if (tag === ((BATCH_FRAMES << 3) | 2)) frames.push(read(r, r.end()));
    else r.skip(tag);
  }
  return frames;
}

// ---- request batches -----------------------------------------------------------------------------------------------

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

function measureRequestFrame<H>(w: WireWriter, f: RequestFrame<H>, head: HeadCodec<H>): number {
  let size = uint32Size(f.id);
  if (f.call !== undefined) size += nested(w, () => measureCall(w, f.call as Call));
  if (f.head !== undefined) size += nested(w, () => head.measure(w, f.head as H));
  return size + bytesSize(f.data) + (f.end ? 2 : 0) + (f.cancel ? 2 : 0) + uint32Size(f.credit);
}

function writeRequestFrame<H>(w: WireWriter, f: RequestFrame<H>, head: HeadCodec<H>): void {
  w.uint32(1, f.id);
  if (f.call !== undefined) {
    w.message(2);
    writeCall(w, f.call);
  }
  if (f.head !== undefined) {
    w.message(3);
    head.write(w, f.head);
  }
  w.bytes(4, f.data);
  w.bool(5, f.end);
  w.bool(6, f.cancel);
  w.uint32(7, f.credit);
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
    const tag = r.varint();
    switch (tag) {
      case 8:
        f.id = r.varint();
        break;
      case 18:
        f.call = readCall(r, r.end());
        break;
      case 26:
        f.head = head.read(r, r.end());
        break;
      case 34:
        f.data = r.bytes();
        break;
      case 40:
        f.end = r.varint() !== 0;
        break;
      case 48:
        f.cancel = r.varint() !== 0;
        break;
      case 56:
        f.credit = r.varint();
        break;
      default:
        r.skip(tag);
    }
  }
  return f;
}

// ---- reply batches -------------------------------------------------------------------------------------------------

export function encodeReplyBatch(batch: ReplyBatch): Buffer {
  return encodeFrames(batch.frames, measureReplyFrame, writeReplyFrame);
}

export function decodeReplyBatch(buf: Buffer): ReplyBatch {
  return { frames: decodeFrames(buf, readReplyFrame) };
}

function measureReplyFrame(w: WireWriter, f: ReplyFrame): number {
  let size = uint32Size(f.id);
  if (f.head !== undefined) size += nested(w, () => measureResponseHead(w, f.head as ResponseHead));
  size += bytesSize(f.data) + (f.end ? 2 : 0);
  if (f.failure !== undefined) size += nested(w, () => measureFailure(w, f.failure as Failure));
  return size + uint32Size(f.credit);
}

function writeReplyFrame(w: WireWriter, f: ReplyFrame): void {
  w.uint32(1, f.id);
  if (f.head !== undefined) {
    w.message(2);
    writeResponseHead(w, f.head);
  }
  w.bytes(3, f.data);
  w.bool(4, f.end);
  if (f.failure !== undefined) {
    w.message(5);
    writeFailure(w, f.failure);
  }
  w.uint32(6, f.credit);
}

function readReplyFrame(r: WireReader, end: number): ReplyFrame {
  const f: ReplyFrame = { id: 0, head: undefined, data: EMPTY, end: false, failure: undefined, credit: 0 };
  while (r.at < end) {
    const tag = r.varint();
    switch (tag) {
      case 8:
        f.id = r.varint();
        break;
      case 18:
        f.head = readResponseHead(r, r.end());
        break;
      case 26:
        f.data = r.bytes();
        break;
      case 32:
        f.end = r.varint() !== 0;
        break;
      case 42:
        f.failure = readFailure(r, r.end());
        break;
      case 48:
        f.credit = r.varint();
        break;
      default:
        r.skip(tag);
    }
  }
  return f;
}

// ---- shared messages -----------------------------------------------------------------------------------------------

function measureCall(w: WireWriter, c: Call): number {
  return uint32Size(c.timeoutMs) + measureMap(w, c.traceContext);
}

function writeCall(w: WireWriter, c: Call): void {
  w.uint32(1, c.timeoutMs);
  writeMap(w, 2, c.traceContext);
}

function readCall(r: WireReader, end: number): Call {
  const c: Call = { timeoutMs: 0, traceContext: {} };
  while (r.at < end) {
    const tag = r.varint();
    if (tag === 8) c.timeoutMs = r.varint();
    else if (tag === 18) readMapEntry(r, r.end(), c.traceContext);
    else r.skip(tag);
  }
  return c;
}

function measureResponseHead(w: WireWriter, h: ResponseHead): number {
  return uint32Size(h.status) + w.measureString(h.reason) + measureHeaders(w, h.headers);
}

function writeResponseHead(w: WireWriter, h: ResponseHead): void {
  w.uint32(1, h.status);
  w.string(2, h.reason);
  writeHeaders(w, 3, h.headers);
}

function readResponseHead(r: WireReader, end: number): ResponseHead {
  const h: ResponseHead = { status: 0, reason: '', headers: [] };
  while (r.at < end) {
    const tag = r.varint();
    if (tag === 8) h.status = r.varint();
    else if (tag === 18) h.reason = r.string();
    else if (tag === 26) h.headers.push(readHeader(r, r.end()));
    else r.skip(tag);
  }
  return h;
}

function measureFailure(w: WireWriter, f: Failure): number {
  return uint32Size(f.status) + w.measureString(f.code) + w.measureString(f.message);
}

function writeFailure(w: WireWriter, f: Failure): void {
  w.uint32(1, f.status);
  w.string(2, f.code);
  w.string(3, f.message);
}

function readFailure(r: WireReader, end: number): Failure {
  const f: Failure = { status: 0, code: '', message: '' };
  while (r.at < end) {
    const tag = r.varint();
    if (tag === 8) f.status = r.varint();
    else if (tag === 18) f.code = r.string();
    else if (tag === 26) f.message = r.string();
    else r.skip(tag);
  }
  return f;
}

function measureHeaders(w: WireWriter, headers: readonly Header[]): number {
  let size = 0;
  for (const h of headers) size += nested(w, () => w.measureString(h.name) + w.measureString(h.value));
  return size;
}

function writeHeaders(w: WireWriter, field: number, headers: readonly Header[]): void {
  for (const h of headers) {
    w.message(field);
    w.string(1, h.name);
    w.string(2, h.value);
  }
}

function readHeader(r: WireReader, end: number): Header {
  const h: Header = { name: '', value: '' };
  while (r.at < end) {
    const tag = r.varint();
    if (tag === 10) h.name = r.string();
    else if (tag === 18) h.value = r.string();
    else r.skip(tag);
  }
  return h;
}

function measureMap(w: WireWriter, map: Readonly<Record<string, string>>): number {
  let size = 0;
  for (const key in map) size += nested(w, () => w.measureString(key) + w.measureString(map[key] as string));
  return size;
}

function writeMap(w: WireWriter, field: number, map: Readonly<Record<string, string>>): void {
  for (const key in map) {
    w.message(field);
    w.string(1, key);
    w.string(2, map[key] as string);
  }
}

function readMapEntry(r: WireReader, end: number, into: Record<string, string>): void {
  let key = '';
  let value = '';
  while (r.at < end) {
    const tag = r.varint();
    if (tag === 10) key = r.string();
    else if (tag === 18) value = r.string();
    else r.skip(tag);
  }
  into[key] = value;
}

function measureEndpoint(w: WireWriter, e: Endpoint): number {
  return w.measureString(e.address) + uint32Size(e.port);
}

function writeEndpoint(w: WireWriter, e: Endpoint): void {
  w.string(1, e.address);
  w.uint32(2, e.port);
}

function readEndpoint(r: WireReader, end: number): Endpoint {
  const e: Endpoint = { address: '', port: 0 };
  while (r.at < end) {
    const tag = r.varint();
    if (tag === 10) e.address = r.string();
    else if (tag === 16) e.port = r.varint();
    else r.skip(tag);
  }
  return e;
}

/** Measures a nested message: its size slot comes before the lengths of what it contains. */
function nested(w: WireWriter, measureBody: () => number): number {
  const slot = w.reserve();
  return w.fill(slot, measureBody());
}

// ---- the boundaries' heads -----------------------------------------------------------------------------------------

export const httpRequestCodec: HeadCodec<HttpRequest> = {
  measure(w, q) {
    let size =
      w.measureString(q.method) + w.measureString(q.target) + w.measureString(q.protocol) + w.measureString(q.scheme);
    size += measureHeaders(w, q.headers);
    if (q.client !== undefined) size += nested(w, () => measureEndpoint(w, q.client as Endpoint));
    if (q.server !== undefined) size += nested(w, () => measureEndpoint(w, q.server as Endpoint));
    return size + w.measureString(q.requestId);
  },
  write(w, q) {
    w.string(1, q.method);
    w.string(2, q.target);
    w.string(3, q.protocol);
    w.string(4, q.scheme);
    writeHeaders(w, 5, q.headers);
    if (q.client !== undefined) {
      w.message(6);
      writeEndpoint(w, q.client);
    }
    if (q.server !== undefined) {
      w.message(7);
      writeEndpoint(w, q.server);
    }
    w.string(8, q.requestId);
  },
  read(r, end) {
    const q: HttpRequest = {
      method: '',
      target: '',
      protocol: '',
      scheme: '',
      headers: [],
      client: undefined,
      server: undefined,
      requestId: '',
    };
    while (r.at < end) {
      const tag = r.varint();
      switch (tag) {
        case 10:
          q.method = r.string();
          break;
        case 18:
          q.target = r.string();
          break;
        case 26:
          q.protocol = r.string();
          break;
        case 34:
          q.scheme = r.string();
          break;
        case 42:
          q.headers.push(readHeader(r, r.end()));
          break;
        case 50:
          q.client = readEndpoint(r, r.end());
          break;
        case 58:
          q.server = readEndpoint(r, r.end());
          break;
        case 66:
          q.requestId = r.string();
          break;
        default:
          r.skip(tag);
      }
    }
    return q;
  },
};

/** Environ's string fields 1–12 in field order; 13 (headers), 14 (request_uri) and 15 (variables) follow. */
const ENVIRON_STRINGS = [
  'requestMethod',
  'scriptName',
  'pathInfo',
  'queryString',
  'contentType',
  'contentLength',
  'serverName',
  'serverPort',
  'serverProtocol',
  'remoteAddr',
  'remotePort',
  'urlScheme',
] as const;

export const environCodec: HeadCodec<Environ> = {
  measure(w, e) {
    let size = 0;
    for (const key of ENVIRON_STRINGS) size += w.measureString(e[key]);
    size += measureHeaders(w, e.headers);
    size += w.measureString(e.requestUri);
    return size + measureMap(w, e.variables);
  },
  write(w, e) {
    for (let i = 0; i < ENVIRON_STRINGS.length; i += 1)
      w.string(i + 1, e[ENVIRON_STRINGS[i] as (typeof ENVIRON_STRINGS)[number]]);
    writeHeaders(w, 13, e.headers);
    w.string(14, e.requestUri);
    writeMap(w, 15, e.variables);
  },
  read(r, end) {
    const e: Environ = {
      requestMethod: '',
      scriptName: '',
      pathInfo: '',
      queryString: '',
      contentType: '',
      contentLength: '',
      serverName: '',
      serverPort: '',
      serverProtocol: '',
      remoteAddr: '',
      remotePort: '',
      urlScheme: '',
      headers: [],
      requestUri: '',
      variables: {},
    };
    while (r.at < end) {
      const tag = r.varint();
      const field = tag >>> 3;
      if ((tag & 7) === 2 && field >= 1 && field <= 12)
        e[ENVIRON_STRINGS[field - 1] as (typeof ENVIRON_STRINGS)[number]] = r.string();
      else if (tag === 106) e.headers.push(readHeader(r, r.end()));
      else if (tag === 114) e.requestUri = r.string();
      else if (tag === 122) readMapEntry(r, r.end(), e.variables);
      else r.skip(tag);
    }
    return e;
  },
};
