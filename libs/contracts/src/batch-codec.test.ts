import { randomBytes, randomInt } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  decodeReplyBatch,
  decodeRequestBatch,
  encodeReplyBatch,
  encodeRequestBatch,
  environCodec,
  httpRequestCodec,
} from './batch-codec';
import { type Environ, RequestBatch as FrameworkRequestBatch } from './generated/mono/framework/v1/framework';
import { type HttpRequest, RequestBatch as GatewayRequestBatch } from './generated/mono/gateway/v1/gateway';
import { ReplyBatch } from './generated/mono/transport/v1/transport';

const TEXT = ['', 'a', 'GET', '/environ?a=%20b&a=c', 'Hello World!', 'café ✓ 𝄞', 'x'.repeat(300), 'X-Rep'];
const pick = <T>(values: readonly T[]): T => values[randomInt(values.length)] as T;
const maybe = <T>(make: () => T): T | undefined => (randomInt(2) === 0 ? undefined : make());
const text = () => (randomInt(4) === 0 ? randomBytes(randomInt(1, 20)).toString('base64') : pick(TEXT));
const uint = () => pick([0, 1, 127, 128, 16_383, 16_384, 2 ** 21, 2 ** 28, 2 ** 32 - 1, randomInt(1_000_000)]);
const headers = () => Array.from({ length: randomInt(4) }, () => ({ name: text(), value: text() }));
const map = () => Object.fromEntries(Array.from({ length: randomInt(3) }, () => [text(), text()]));
const bytes = () => (randomInt(3) === 0 ? new Uint8Array(0) : randomBytes(pick([1, 100, 70_000])));

const httpRequest = (): HttpRequest => ({
  method: text(),
  target: text(),
  protocol: text(),
  scheme: text(),
  headers: headers(),
  client: maybe(() => ({ address: text(), port: uint() })),
  server: maybe(() => ({ address: text(), port: uint() })),
  requestId: text(),
});
const environ = (): Environ => ({
  requestMethod: text(),
  scriptName: text(),
  pathInfo: text(),
  queryString: text(),
  contentType: text(),
  contentLength: text(),
  serverName: text(),
  serverPort: text(),
  serverProtocol: text(),
  remoteAddr: text(),
  remotePort: text(),
  urlScheme: text(),
  headers: headers(),
  requestUri: text(),
  variables: map(),
});
const requestFrames = <H>(head: () => H) =>
  Array.from({ length: randomInt(1, 6) }, () => ({
    id: uint(),
    call: maybe(() => ({ timeoutMs: uint(), traceContext: map() })),
    head: maybe(head),
    data: bytes(),
    end: randomInt(2) === 0,
    cancel: randomInt(2) === 0,
    credit: uint(),
  }));
const replyFrames = () =>
  Array.from({ length: randomInt(1, 6) }, () => ({
    id: uint(),
    head: maybe(() => ({ status: uint(), reason: text(), headers: headers() })),
    data: bytes(),
    end: randomInt(2) === 0,
    failure: maybe(() => ({ status: uint(), code: text(), message: text() })),
    credit: uint(),
  }));

/** Byte arrays compare by content whatever their class (Buffer views here, Uint8Array in the generated code). */
const plain = (value: unknown): unknown =>
  JSON.parse(
    JSON.stringify(value, (_k, v) =>
      v instanceof Uint8Array || v?.type === 'Buffer' ? Buffer.from(v.data ?? v).toString('hex') : v,
    ),
  );

describe('batch codec', () => {
  it('should encode request batches exactly as the generated encoders do (both boundaries, 300 random batches)', () => {
    for (let i = 0; i < 150; i += 1) {
      const gateway = { frames: requestFrames(httpRequest) };
      expect(encodeRequestBatch(gateway, httpRequestCodec)).toEqual(
        Buffer.from(GatewayRequestBatch.encode(gateway).finish()),
      );
      const framework = { frames: requestFrames(environ) };
      expect(encodeRequestBatch(framework, environCodec)).toEqual(
        Buffer.from(FrameworkRequestBatch.encode(framework).finish()),
      );
    }
  });

  it('should decode request batches to what the generated decoders give', () => {
    for (let i = 0; i < 150; i += 1) {
      const gateway = Buffer.from(GatewayRequestBatch.encode({ frames: requestFrames(httpRequest) }).finish());
      expect(plain(decodeRequestBatch(gateway, httpRequestCodec))).toEqual(plain(GatewayRequestBatch.decode(gateway)));
      const framework = Buffer.from(FrameworkRequestBatch.encode({ frames: requestFrames(environ) }).finish());
      expect(plain(decodeRequestBatch(framework, environCodec))).toEqual(
        plain(FrameworkRequestBatch.decode(framework)),
      );
    }
  });

  it('should encode and decode reply batches as the generated code does', () => {
    for (let i = 0; i < 150; i += 1) {
      const batch = { frames: replyFrames() };
      const generated = Buffer.from(ReplyBatch.encode(batch).finish());
      expect(encodeReplyBatch(batch)).toEqual(generated);
      expect(plain(decodeReplyBatch(generated))).toEqual(plain(ReplyBatch.decode(generated)));
    }
  });

  it('should hand out body bytes as views into the received message, not copies', () => {
    const data = randomBytes(1000);
    const encoded = encodeReplyBatch({ frames: [{ id: 1, data, end: true, credit: 0 }] });
    const decoded = decodeReplyBatch(encoded).frames[0]?.data as Buffer;
    expect(decoded.buffer).toBe(encoded.buffer);
    expect(Buffer.compare(decoded, data)).toBe(0);
  });

  it('should skip fields it does not know (a newer peer)', () => {
    const unknown = Buffer.from([0xf8, 0x01, 0x2a, 0x82, 0x02, 0x02, 0x68, 0x69]); // field 31 varint 42, field 32 "hi"
    const frame = Buffer.concat([Buffer.from([0x08, 0x05]), unknown]);
    const batch = Buffer.concat([Buffer.from([0x0a, frame.length]), frame]);
    expect(decodeReplyBatch(batch).frames[0]?.id).toBe(5);
  });

  it('should refuse a truncated message', () => {
    expect(() => decodeReplyBatch(Buffer.from([0x0a, 0x10, 0x08]))).toThrow('truncated');
  });
});
