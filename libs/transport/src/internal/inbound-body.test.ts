import { describe, expect, it } from 'vitest';
import { AppError } from '@mono/errors';
import { InboundBody } from './inbound-body';
import { INITIAL_WINDOW } from './limits';

describe('InboundBody', () => {
  it('should hold chunks that arrive before a consumer, then hand them over in order', () => {
    const body = new InboundBody(() => {});
    body.receive(Buffer.from('a'));
    body.receive(Buffer.from('b'));
    body.finish();
    const seen: string[] = [];
    body.attach({ data: (c) => seen.push(Buffer.from(c).toString()), end: () => seen.push('<end>'), error: () => {} });
    expect(seen).toEqual(['a', 'b', '<end>']);
  });

  it('should acknowledge what the consumer took', () => {
    const acks: number[] = [];
    const body = new InboundBody((n) => acks.push(n));
    body.attach({ data: () => {}, end: () => {}, error: () => {} });
    body.receive(new Uint8Array(10));
    body.consumed(10);
    expect(acks).toEqual([10]);
  });

  it('should not acknowledge the chunk that came with the end, even when the consumer takes it at once', () => {
    const acks: number[] = [];
    const body = new InboundBody((n) => acks.push(n));
    const seen: string[] = [];
    body.attach({
      data: (c) => (seen.push(String(c.byteLength)), body.consumed(c.byteLength)),
      end: () => seen.push('<end>'),
      error: () => {},
    });
    body.receive(new Uint8Array(3));
    body.receive(new Uint8Array(5), true);
    expect(seen).toEqual(['3', '5', '<end>']);
    expect(acks).toEqual([3]);
  });

  it('should report a sender that overruns its window', () => {
    const body = new InboundBody(() => {});
    expect(body.receive(new Uint8Array(INITIAL_WINDOW))).toBe(true);
    expect(body.receive(new Uint8Array(1))).toBe(false);
  });

  it('should pass a failure to a consumer that attaches later', () => {
    const body = new InboundBody(() => {});
    body.fail(new AppError('TRANSPORT_ERR_CANCELLED'));
    let code = '';
    body.attach({ data: () => {}, end: () => {}, error: (err) => (code = err.code) });
    expect(code).toBe('TRANSPORT_ERR_CANCELLED');
  });
});
