import type {
  Call,
  Failure,
  Header,
  HeadTiming,
  Limit,
  Limits,
  ResponseHead,
} from './generated/mono/transport/v1/transport';
import { LEN, tag, VARINT } from './wire-tag';
import type { WireReader } from './wire-reader';
import { boolSize, uint32Size, uint64Size, type WireWriter } from './wire-writer';

/**
 * Hand-written codecs of the messages nested in frames and heads (transport.proto), for batch-codec.ts and
 * head-codecs.ts. Each message has three functions: `measure…` (pass 1, returns the body size), `write…` (pass 2, the
 * body after the caller wrote tag and length) and `read…` (up to `end`, skipping fields it does not know).
 */

// mono.transport.v1.Header, and the entries of a map<string, string> (key = 1, value = 2)
const TAG_HEADER_NAME = tag(1, LEN);
const TAG_HEADER_VALUE = tag(2, LEN);
const TAG_ENTRY_KEY = tag(1, LEN);
const TAG_ENTRY_VALUE = tag(2, LEN);

// mono.transport.v1.Call (field 1 is reserved)
const TAG_CALL_TRACE_CONTEXT = tag(2, LEN);
const TAG_CALL_HEAD_TIMEOUT_MS = tag(3, VARINT);
const TAG_CALL_IDLE_TIMEOUT_MS = tag(4, VARINT);

// mono.transport.v1.ResponseHead
const TAG_HEAD_STATUS = tag(1, VARINT);
const TAG_HEAD_REASON = tag(2, LEN);
const TAG_HEAD_HEADERS = tag(3, LEN);
const TAG_HEAD_TIMING = tag(4, LEN);

// mono.transport.v1.HeadTiming
const TAG_TIMING_GATEWAY_QUEUE_US = tag(1, VARINT);
const TAG_TIMING_GATEWAY_US = tag(2, VARINT);
const TAG_TIMING_FRAMEWORK_US = tag(3, VARINT);
const TAG_TIMING_APP_US = tag(4, VARINT);

// mono.transport.v1.Failure
const TAG_FAILURE_STATUS = tag(1, VARINT);
const TAG_FAILURE_CODE = tag(2, LEN);
const TAG_FAILURE_MESSAGE = tag(3, LEN);
const TAG_FAILURE_NOT_ACCEPTED = tag(4, VARINT);

// mono.transport.v1.Limits
const TAG_LIMITS_HEADER_BYTES = tag(1, LEN);
const TAG_LIMITS_BODY_BYTES = tag(2, LEN);
const TAG_LIMITS_HEAD_TIMEOUT_MS = tag(3, LEN);
const TAG_LIMITS_IDLE_TIMEOUT_MS = tag(4, LEN);

// mono.transport.v1.Limit
const TAG_LIMIT_VALUE = tag(1, VARINT);
const TAG_LIMIT_SETTING = tag(2, LEN);
const TAG_LIMIT_VARIABLE = tag(3, LEN);
const TAG_LIMIT_ORIGIN = tag(4, LEN);

export function measureCall(w: WireWriter, c: Call): number {
  return (
    measureMap(w, TAG_CALL_TRACE_CONTEXT, c.traceContext) +
    uint32Size(TAG_CALL_HEAD_TIMEOUT_MS, c.headTimeoutMs) +
    uint32Size(TAG_CALL_IDLE_TIMEOUT_MS, c.idleTimeoutMs)
  );
}

export function writeCall(w: WireWriter, c: Call): void {
  writeMap(w, TAG_CALL_TRACE_CONTEXT, c.traceContext);
  w.uint32(TAG_CALL_HEAD_TIMEOUT_MS, c.headTimeoutMs);
  w.uint32(TAG_CALL_IDLE_TIMEOUT_MS, c.idleTimeoutMs);
}

export function readCall(r: WireReader, end: number): Call {
  const c: Call = { traceContext: {}, headTimeoutMs: 0, idleTimeoutMs: 0 };
  while (r.at < end) {
    const t = r.varint();
    if (t === TAG_CALL_TRACE_CONTEXT) readMapEntry(r, r.end(), c.traceContext);
    else if (t === TAG_CALL_HEAD_TIMEOUT_MS) c.headTimeoutMs = r.varint();
    else if (t === TAG_CALL_IDLE_TIMEOUT_MS) c.idleTimeoutMs = r.varint();
    else r.skip(t);
  }
  return c;
}

export function measureResponseHead(w: WireWriter, h: ResponseHead): number {
  return (
    uint32Size(TAG_HEAD_STATUS, h.status) +
    w.measureString(TAG_HEAD_REASON, h.reason) +
    measureHeaders(w, TAG_HEAD_HEADERS, h.headers) +
    (h.timing === undefined ? 0 : w.fill(TAG_HEAD_TIMING, w.reserve(), measureTiming(h.timing)))
  );
}

export function writeResponseHead(w: WireWriter, h: ResponseHead): void {
  w.uint32(TAG_HEAD_STATUS, h.status);
  w.string(TAG_HEAD_REASON, h.reason);
  writeHeaders(w, TAG_HEAD_HEADERS, h.headers);
  const timing = h.timing;
  if (timing === undefined) return;
  w.message(TAG_HEAD_TIMING);
  w.uint32(TAG_TIMING_GATEWAY_QUEUE_US, timing.gatewayQueueUs);
  w.uint32(TAG_TIMING_GATEWAY_US, timing.gatewayUs);
  w.uint32(TAG_TIMING_FRAMEWORK_US, timing.frameworkUs);
  w.uint32(TAG_TIMING_APP_US, timing.appUs);
}

export function readResponseHead(r: WireReader, end: number): ResponseHead {
  const h: ResponseHead = { status: 0, reason: '', headers: [], timing: undefined };
  while (r.at < end) {
    const t = r.varint();
    if (t === TAG_HEAD_STATUS) h.status = r.varint();
    else if (t === TAG_HEAD_REASON) h.reason = r.string();
    else if (t === TAG_HEAD_HEADERS) h.headers.push(readHeader(r, r.end()));
    else if (t === TAG_HEAD_TIMING) h.timing = readTiming(r, r.end());
    else r.skip(t);
  }
  return h;
}

function measureTiming(t: HeadTiming): number {
  return (
    uint32Size(TAG_TIMING_GATEWAY_QUEUE_US, t.gatewayQueueUs) +
    uint32Size(TAG_TIMING_GATEWAY_US, t.gatewayUs) +
    uint32Size(TAG_TIMING_FRAMEWORK_US, t.frameworkUs) +
    uint32Size(TAG_TIMING_APP_US, t.appUs)
  );
}

function readTiming(r: WireReader, end: number): HeadTiming {
  const t: HeadTiming = { gatewayQueueUs: 0, gatewayUs: 0, frameworkUs: 0, appUs: 0 };
  while (r.at < end) {
    const tag = r.varint();
    if (tag === TAG_TIMING_GATEWAY_QUEUE_US) t.gatewayQueueUs = r.varint();
    else if (tag === TAG_TIMING_GATEWAY_US) t.gatewayUs = r.varint();
    else if (tag === TAG_TIMING_FRAMEWORK_US) t.frameworkUs = r.varint();
    else if (tag === TAG_TIMING_APP_US) t.appUs = r.varint();
    else r.skip(tag);
  }
  return t;
}

export function measureFailure(w: WireWriter, f: Failure): number {
  return (
    uint32Size(TAG_FAILURE_STATUS, f.status) +
    w.measureString(TAG_FAILURE_CODE, f.code) +
    w.measureString(TAG_FAILURE_MESSAGE, f.message) +
    boolSize(TAG_FAILURE_NOT_ACCEPTED, f.notAccepted)
  );
}

export function writeFailure(w: WireWriter, f: Failure): void {
  w.uint32(TAG_FAILURE_STATUS, f.status);
  w.string(TAG_FAILURE_CODE, f.code);
  w.string(TAG_FAILURE_MESSAGE, f.message);
  w.bool(TAG_FAILURE_NOT_ACCEPTED, f.notAccepted);
}

export function readFailure(r: WireReader, end: number): Failure {
  const f: Failure = { status: 0, code: '', message: '', notAccepted: false };
  while (r.at < end) {
    const t = r.varint();
    if (t === TAG_FAILURE_STATUS) f.status = r.varint();
    else if (t === TAG_FAILURE_CODE) f.code = r.string();
    else if (t === TAG_FAILURE_MESSAGE) f.message = r.string();
    else if (t === TAG_FAILURE_NOT_ACCEPTED) f.notAccepted = r.varint() !== 0;
    else r.skip(t);
  }
  return f;
}

/** A repeated Header field (`fieldTag`), every entry measured as a nested message. */
export function measureHeaders(w: WireWriter, fieldTag: number, headers: readonly Header[]): number {
  let size = 0;
  for (const h of headers)
    size += w.fill(
      fieldTag,
      w.reserve(),
      w.measureString(TAG_HEADER_NAME, h.name) + w.measureString(TAG_HEADER_VALUE, h.value),
    );
  return size;
}

export function writeHeaders(w: WireWriter, fieldTag: number, headers: readonly Header[]): void {
  for (const h of headers) {
    w.message(fieldTag);
    w.string(TAG_HEADER_NAME, h.name);
    w.string(TAG_HEADER_VALUE, h.value);
  }
}

export function readHeader(r: WireReader, end: number): Header {
  const h: Header = { name: '', value: '' };
  while (r.at < end) {
    const t = r.varint();
    if (t === TAG_HEADER_NAME) h.name = r.string();
    else if (t === TAG_HEADER_VALUE) h.value = r.string();
    else r.skip(t);
  }
  return h;
}

/** A map<string, string> field (`fieldTag`): one nested entry message per key. */
export function measureMap(w: WireWriter, fieldTag: number, map: Readonly<Record<string, string>>): number {
  let size = 0;
  for (const key in map)
    size += w.fill(
      fieldTag,
      w.reserve(),
      w.measureString(TAG_ENTRY_KEY, key) + w.measureString(TAG_ENTRY_VALUE, map[key] as string),
    );
  return size;
}

export function writeMap(w: WireWriter, fieldTag: number, map: Readonly<Record<string, string>>): void {
  for (const key in map) {
    w.message(fieldTag);
    w.string(TAG_ENTRY_KEY, key);
    w.string(TAG_ENTRY_VALUE, map[key] as string);
  }
}

/** Reads one map entry into `into`. */
export function readMapEntry(r: WireReader, end: number, into: Record<string, string>): void {
  let key = '';
  let value = '';
  while (r.at < end) {
    const t = r.varint();
    if (t === TAG_ENTRY_KEY) key = r.string();
    else if (t === TAG_ENTRY_VALUE) value = r.string();
    else r.skip(t);
  }
  into[key] = value;
}

/** The limits of a ReplyBatch: rare (a stream's first message, a change), so plainly written. */
export function measureLimits(w: WireWriter, l: Limits): number {
  let size = 0;
  if (l.headerBytes !== undefined)
    size += w.fill(TAG_LIMITS_HEADER_BYTES, w.reserve(), measureLimit(w, l.headerBytes as Limit));
  if (l.bodyBytes !== undefined)
    size += w.fill(TAG_LIMITS_BODY_BYTES, w.reserve(), measureLimit(w, l.bodyBytes as Limit));
  if (l.headTimeoutMs !== undefined)
    size += w.fill(TAG_LIMITS_HEAD_TIMEOUT_MS, w.reserve(), measureLimit(w, l.headTimeoutMs as Limit));
  if (l.idleTimeoutMs !== undefined)
    size += w.fill(TAG_LIMITS_IDLE_TIMEOUT_MS, w.reserve(), measureLimit(w, l.idleTimeoutMs as Limit));
  return size;
}

export function writeLimits(w: WireWriter, l: Limits): void {
  writeLimit(w, TAG_LIMITS_HEADER_BYTES, l.headerBytes);
  writeLimit(w, TAG_LIMITS_BODY_BYTES, l.bodyBytes);
  writeLimit(w, TAG_LIMITS_HEAD_TIMEOUT_MS, l.headTimeoutMs);
  writeLimit(w, TAG_LIMITS_IDLE_TIMEOUT_MS, l.idleTimeoutMs);
}

export function readLimits(r: WireReader, end: number): Limits {
  const l: Limits = {
    headerBytes: undefined,
    bodyBytes: undefined,
    headTimeoutMs: undefined,
    idleTimeoutMs: undefined,
  };
  while (r.at < end) {
    const t = r.varint();
    if (t === TAG_LIMITS_HEADER_BYTES) l.headerBytes = readLimit(r, r.end());
    else if (t === TAG_LIMITS_BODY_BYTES) l.bodyBytes = readLimit(r, r.end());
    else if (t === TAG_LIMITS_HEAD_TIMEOUT_MS) l.headTimeoutMs = readLimit(r, r.end());
    else if (t === TAG_LIMITS_IDLE_TIMEOUT_MS) l.idleTimeoutMs = readLimit(r, r.end());
    else r.skip(t);
  }
  return l;
}

function measureLimit(w: WireWriter, l: Limit): number {
  return (
    uint64Size(TAG_LIMIT_VALUE, l.value) +
    w.measureString(TAG_LIMIT_SETTING, l.setting) +
    w.measureString(TAG_LIMIT_VARIABLE, l.variable) +
    w.measureString(TAG_LIMIT_ORIGIN, l.origin)
  );
}

function writeLimit(w: WireWriter, fieldTag: number, l: Limit | undefined): void {
  if (l === undefined) return;
  w.message(fieldTag);
  w.uint64(TAG_LIMIT_VALUE, l.value);
  w.string(TAG_LIMIT_SETTING, l.setting);
  w.string(TAG_LIMIT_VARIABLE, l.variable);
  w.string(TAG_LIMIT_ORIGIN, l.origin);
}

function readLimit(r: WireReader, end: number): Limit {
  const l: Limit = { value: 0, setting: '', variable: '', origin: '' };
  while (r.at < end) {
    const t = r.varint();
    if (t === TAG_LIMIT_VALUE) l.value = r.varint();
    else if (t === TAG_LIMIT_SETTING) l.setting = r.string();
    else if (t === TAG_LIMIT_VARIABLE) l.variable = r.string();
    else if (t === TAG_LIMIT_ORIGIN) l.origin = r.string();
    else r.skip(t);
  }
  return l;
}
