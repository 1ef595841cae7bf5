import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { encodeReplyBatch, encodeRequestBatch } from './batch-codec';
import { HttpRequest, RequestBatch } from './generated/mono/gateway/v1/gateway';
import { ReplyBatch } from './generated/mono/transport/v1/transport';

const request: HttpRequest = {
  method: 'POST',
  target: '/echo?é=1',
  protocol: 'HTTP/1.1',
  scheme: 'http',
  headers: [{ name: 'X-Rep', value: 'a' }, { name: 'X-Rep', value: 'b' }],
  client: { address: '127.0.0.1', port: 50000 },
  server: { address: '127.0.0.1', port: 8080 },
  requestId: 'abc',
};

describe('batch codec', () => {
  it('should encode request batches exactly as the generated encoder does', () => {
    const batch = {
      frames: [
        { id: 1, call: { timeoutMs: 60_000, traceContext: { traceparent: 'tp', baggage: 'b' } }, head: request, data: randomBytes(300), end: true, cancel: false, credit: 0 },
        { id: 2 ** 31 + 5, data: new Uint8Array(0), end: false, cancel: true, credit: 70_000 },
        { id: 3, data: randomBytes(200_000), end: false, cancel: false, credit: 1 },
      ],
    };
    const generated = Buffer.from(RequestBatch.encode(batch).finish());
    expect(encodeRequestBatch(batch, (h) => HttpRequest.encode(h).finish())).toEqual(generated);
  });

  it('should encode reply batches exactly as the generated encoder does', () => {
    const batch = {
      frames: [
        { id: 9, head: { status: 200, reason: 'OK', headers: [{ name: 'Content-Type', value: 'text/plain' }] }, data: Buffer.from('hi'), end: true, credit: 5 },
        { id: 10, data: new Uint8Array(0), end: false, credit: 0, failure: { status: 14, code: 'GW_ERR_FRAMEWORK_UNAVAILABLE', message: 'down' } },
        { id: 11, data: randomBytes(1 << 20), end: false, credit: 0 },
      ],
    };
    expect(encodeReplyBatch(batch)).toEqual(Buffer.from(ReplyBatch.encode(batch).finish()));
  });

  it('should encode an empty batch as nothing', () => {
    expect(encodeReplyBatch({ frames: [] }).byteLength).toBe(0);
  });
});
