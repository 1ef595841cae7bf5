import { setImmediate as tick } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { EMPTY, MAX_BATCH_BYTES } from './limits';
import { Outbox, type FrameKind } from './outbox';

interface TestFrame {
  id: number;
  head?: string;
  data: Uint8Array;
  end: boolean;
  cancel: boolean;
  credit: number;
}

const FRAMES: FrameKind<TestFrame> = {
  body: (id, data, end, credit) => ({ id, data, end, cancel: false, credit }),
  final: (frame) => frame.cancel,
};

function outbox(onBodyBytes?: (bytes: number) => void) {
  const batches: TestFrame[][] = [];
  const box = new Outbox<TestFrame>((frames) => batches.push(frames), FRAMES, onBodyBytes);
  const frame = (id: number, fields: Partial<TestFrame> = {}): TestFrame => ({
    ...FRAMES.body(id, EMPTY, false, 0),
    ...fields,
  });
  /** The frames written so far, bodies as their length. */
  const written = () =>
    batches.map((frames) => frames.map(({ data, ...rest }) => ({ ...rest, data: data.byteLength })));
  return { box, batches, frame, written };
}

describe('Outbox', () => {
  it('should write the frames of one event-loop turn as one batch', async () => {
    const { box, batches, frame } = outbox();
    for (let id = 1; id <= 5; id += 1) box.push(frame(id));
    expect(batches).toEqual([]);
    await tick();
    expect(batches.map((frames) => frames.map((f) => f.id))).toEqual([[1, 2, 3, 4, 5]]);
  });

  it('should write early once the body bytes pass MAX_BATCH_BYTES', () => {
    const { box, batches } = outbox();
    box.data(1, new Uint8Array(MAX_BATCH_BYTES / 2), false);
    box.data(2, new Uint8Array(MAX_BATCH_BYTES / 2), false);
    expect(batches.map((frames) => frames.length)).toEqual([2]);
  });

  it('should join a body chunk, its end and credit to the newest frame when it is the same request’s', async () => {
    const { box, frame, written } = outbox();
    box.push(frame(1, { head: 'GET /' }));
    box.data(1, new Uint8Array(3), false);
    box.data(1, undefined, true);
    box.credit(1, 10);
    box.credit(1, 5);
    await tick();
    expect(written()).toEqual([[{ id: 1, head: 'GET /', data: 3, end: true, cancel: false, credit: 15 }]]);
  });

  it('should start a new frame for another request, for a second chunk, and after a final frame', async () => {
    const { box, frame, written } = outbox();
    box.push(frame(1, { head: 'GET /' }));
    box.data(2, new Uint8Array(1), false);
    box.data(2, new Uint8Array(2), false);
    box.push(frame(2, { cancel: true }));
    box.credit(2, 7);
    await tick();
    expect(written()).toEqual([
      [
        { id: 1, head: 'GET /', data: 0, end: false, cancel: false, credit: 0 },
        { id: 2, data: 1, end: false, cancel: false, credit: 0 },
        { id: 2, data: 2, end: false, cancel: false, credit: 0 },
        { id: 2, data: 0, end: false, cancel: true, credit: 0 },
        { id: 2, data: 0, end: false, cancel: false, credit: 7 },
      ],
    ]);
  });

  it('should report every body chunk it is given, and nothing else', () => {
    const reported: number[] = [];
    const { box, frame } = outbox((bytes) => reported.push(bytes));
    box.push(frame(1, { head: 'GET /' }));
    box.data(1, new Uint8Array(100), false);
    box.data(1, undefined, true);
    box.credit(1, 50);
    box.data(2, new Uint8Array(7), true);
    expect(reported).toEqual([100, 7]);
  });

  it('should drop what is queued, and refuse more, once closed', async () => {
    const { box, batches, frame } = outbox();
    box.push(frame(1));
    box.close();
    box.push(frame(2));
    box.data(3, new Uint8Array(1), true);
    await tick();
    expect(batches).toEqual([]);
  });
});
