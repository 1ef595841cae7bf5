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
  const c = new ClientCall(1, link, recording.sink, frameworkHopErrors.client, 0, { span, context: ROOT_CONTEXT }, 50);
  recording.attach(c);
  return { c, credits, outcome: recording.outcome };
}

/** A call whose sink takes `last` and writes down what it hears, in order. */
function hearing() {
  const credits: number[] = [];
  const heard: string[] = [];
  const link: ClientLink = {
    data: () => {},
    release: () => {},
    cancel: () => {},
    credit: (_id, bytes) => credits.push(bytes),
  };
  const sink = {
    head: () => heard.push('head'),
    data: (chunk: Uint8Array) => heard.push(`data ${chunk.byteLength}`),
    last: (chunk: Uint8Array) => heard.push(`last ${chunk.byteLength}`),
    end: () => heard.push('end'),
    error: () => heard.push('error'),
  };
  const span = trace.wrapSpanContext(INVALID_SPAN_CONTEXT);
  const c = new ClientCall(1, link, sink, frameworkHopErrors.client, 0, { span, context: ROOT_CONTEXT }, 50);
  return { c, heard, credits };
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
  it('should hand a sink that takes it the last chunk and the end at once, with no credit for it', () => {
    const { c, heard, credits } = hearing();
    c.receive(frame(4, false, true));
    c.receive(frame(6, true));
    c.receive(frame(2, true));
    expect(heard).toEqual(['head', 'data 4', 'last 6']);
    expect(c.done).toBe(true);
    expect(credits).toEqual([]);
  });

  it('should end a response whose end comes without a chunk through end, even for a sink that takes last', () => {
    const { c, heard } = hearing();
    c.receive(frame(3, false, true));
    c.receive(frame(0, true));
    expect(heard).toEqual(['head', 'data 3', 'end']);
  });

  it('should give credit for the response chunks its consumer took, but not for the one that came with the end', async () => {
    const { c, credits, outcome } = call();
    c.receive(frame(4, false, true));
    c.receive(frame(6, true));
    expect((await outcome).body.byteLength).toBe(10);
    expect(credits).toEqual([4]);
  });
});
