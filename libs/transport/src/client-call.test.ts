import { INVALID_SPAN_CONTEXT, ROOT_CONTEXT, trace } from '@opentelemetry/api';
import type { ReplyFrame } from '@mono/contracts';
import { describe, expect, it } from 'vitest';
import { ClientCall, type ClientLink } from './client-call';
import { frameworkHopErrors } from './hop-errors';
import { recordingSink } from './testing';

function call() {
  const credits: number[] = [];
  const link: ClientLink = {
    data: () => {},
    release: () => {},
    cancel: () => {},
    credit: (_id, bytes) => credits.push(bytes),
  };
  const recording = recordingSink();
  const span = trace.wrapSpanContext(INVALID_SPAN_CONTEXT);
  const c = new ClientCall(1, link, recording.sink, frameworkHopErrors.client, 0, { span, context: ROOT_CONTEXT });
  recording.attach(c);
  return { c, credits, outcome: recording.outcome };
}

const frame = (data: number, end: boolean, head = false): ReplyFrame =>
  ({
    id: 1,
    data: new Uint8Array(data),
    end,
    credit: 0,
    accepted: false,
    head: head ? { status: 200, reason: 'OK', headers: [] } : undefined,
    failure: undefined,
  }) as unknown as ReplyFrame;

describe('ClientCall', () => {
  it('should give credit for the response chunks its consumer took, but not for the one that came with the end', async () => {
    const { c, credits, outcome } = call();
    c.receive(frame(4, false, true));
    c.receive(frame(6, true));
    expect((await outcome).body.byteLength).toBe(10);
    expect(credits).toEqual([4]);
  });
});
