import { describe, expect, it } from 'vitest';
import type { Application } from './environ';
import { InterfaceError } from './interface-error';
import { ResponseQueue, type QueueOwner } from './response-queue';
import { HostResponse, type ResponseOutput } from './run-application';
import { invoke } from './testing';

const bytes = (text: string) => Buffer.from(text);

/** A promise the test opens when it chooses. */
function gate(): { promise: Promise<void>; open: () => void } {
  let open!: () => void;
  const promise = new Promise<void>((resolve) => (open = resolve));
  return { promise, open };
}

describe('runApplication', () => {
  it('should send the head with the first non-empty chunk, not at start_response', async () => {
    const waiting = gate();
    const release = gate();
    const app: Application = (_environ, startResponse) => {
      startResponse('200 OK', [['Content-Type', 'text/plain']]);
      return (async function* () {
        yield new Uint8Array(0);
        waiting.open();
        await release.promise;
        yield bytes('late');
      })();
    };
    const recording = invoke(app);
    await waiting.promise;
    expect(recording.events).toEqual([]);
    release.open();
    await recording.done;
    expect(recording.events.map((e) => e.type)).toEqual(['head', 'data', 'end']);
    expect(recording.body).toBe('late');
  });

  it('should send the head at once on flush()', async () => {
    const waiting = gate();
    const release = gate();
    const app: Application = (_environ, startResponse) => {
      const flush = startResponse('200 OK', [['Content-Type', 'text/event-stream']]);
      flush();
      return (async function* () {
        waiting.open();
        await release.promise;
        yield bytes('event');
      })();
    };
    const recording = invoke(app);
    await waiting.promise;
    expect(recording.events.map((e) => e.type)).toEqual(['head']);
    release.open();
    await recording.done;
  });

  it('should send the head at the end of an empty body, with Content-Length 0 for an empty list', async () => {
    const recording = invoke((_environ, startResponse) => {
      startResponse('204 No Content', []);
      return [];
    });
    await recording.done;
    expect(recording.events).toEqual([{ type: 'head', code: 204, reason: 'No Content', headers: [] }, { type: 'end' }]);
    const ok = invoke((_environ, startResponse) => {
      startResponse('200 OK', []);
      return [];
    });
    await ok.done;
    expect(ok.headers).toEqual([['Content-Length', '0']]);
  });

  it('should add Content-Length to a one-chunk list, as wsgiref does, and not to a stream', async () => {
    const list = invoke((_environ, startResponse) => {
      startResponse('200 OK', [['Content-Type', 'text/plain']]);
      return [bytes('Hello World!')];
    });
    await list.done;
    expect(list.headers).toEqual([
      ['Content-Type', 'text/plain'],
      ['Content-Length', '12'],
    ]);
    const stream = invoke((_environ, startResponse) => {
      startResponse('200 OK', []);
      return (function* () {
        yield bytes('x');
      })();
    });
    await stream.done;
    expect(stream.headers).toEqual([]);
  });

  it('should let exc_info replace the head before it is sent, and rethrow it after', async () => {
    const replaced = invoke((_environ, startResponse) => {
      startResponse('200 OK', []);
      startResponse('500 Internal Server Error', [['Content-Type', 'text/plain']], new Error('caught'));
      return [bytes('sorry')];
    });
    await replaced.done;
    expect(replaced.status).toBe(500);

    const late = invoke((_environ, startResponse) => {
      startResponse('200 OK', []);
      return (function* () {
        yield bytes('part');
        startResponse('500 Internal Server Error', [], new Error('too late'));
      })();
    });
    await late.done;
    const failure = late.events.find((e) => e.type === 'fail');
    expect(failure).toMatchObject({ type: 'fail', headSent: true });
    expect((failure as { error: Error }).error.message).toBe('too late');
  });

  it('should refuse a second start_response without exc_info', async () => {
    const recording = invoke((_environ, startResponse) => {
      startResponse('200 OK', []);
      startResponse('201 Created', []);
      return [];
    });
    await recording.done;
    expect(recording.events[0]).toMatchObject({ type: 'fail', headSent: false });
    expect((recording.events[0] as { error: unknown }).error).toBeInstanceOf(InterfaceError);
  });

  const invalid: Array<[string, string, Array<[string, string]>]> = [
    ['a status without a reason', '200', []],
    ['a status that is not three digits', '20 OK', []],
    ['a header name with a space', '200 OK', [['Bad Name', 'x']]],
    ['a header value with a newline', '200 OK', [['X-A', 'a\r\nInjected: 1']]],
    ['a hop-by-hop header', '200 OK', [['Transfer-Encoding', 'chunked']]],
  ];
  it.each(invalid)('should fail the request on %s', async (_case, status, headers) => {
    const recording = invoke((_environ, startResponse) => {
      startResponse(status, headers);
      return [];
    });
    await recording.done;
    expect((recording.events[0] as { error: unknown }).error).toBeInstanceOf(InterfaceError);
  });

  it('should fail a body that begins before start_response, or yields strings', async () => {
    const early = invoke(() => [bytes('x'), bytes('y')]);
    await early.done;
    expect((early.events[0] as { error: Error }).error.message).toMatch(/before start_response/);
    const text = invoke((_environ, startResponse) => {
      startResponse('200 OK', []);
      return ['not bytes'] as unknown as Uint8Array[];
    });
    await text.done;
    expect((text.events[0] as { error: Error }).error.message).toMatch(/must be Uint8Array/);
  });

  it('should report an application that throws before its head as not sent', async () => {
    const recording = invoke(async () => {
      throw new Error('boom');
    });
    await recording.done;
    expect(recording.events).toMatchObject([{ type: 'fail', headSent: false }]);
  });

  it('should always call close(): after the end, after an error, and when the client goes away', async () => {
    const closed: string[] = [];
    const body = (name: string, fail = false) =>
      Object.assign(
        (function* () {
          yield bytes('a');
          if (fail) throw new Error('mid-body');
          yield bytes('b');
        })(),
        { close: () => void closed.push(name) },
      );
    const normal = invoke((_e, startResponse) => (startResponse('200 OK', []), body('normal')));
    const failing = invoke((_e, startResponse) => (startResponse('200 OK', []), body('failing', true)));
    await Promise.all([normal.done, failing.done]);
    const release = gate();
    const forever = invoke((_e, startResponse) => {
      startResponse('200 OK', []);
      return Object.assign(
        (async function* () {
          yield bytes('first');
          await release.promise;
        })(),
        { close: () => void closed.push('aborted') },
      );
    });
    await forever.until('data');
    forever.abort();
    expect([...closed].sort()).toEqual(['aborted', 'failing', 'normal']);
    release.open();
    await forever.done;
    expect(closed.filter((c) => c === 'aborted')).toHaveLength(1);
  });
});

describe('HostResponse', () => {
  /** An output that records what it is sent; `write` waits for `writing` when one is given. */
  function recorder(writing?: () => Promise<void>) {
    const events: string[] = [];
    const output: ResponseOutput = {
      aborted: false,
      whenAborted: () => {},
      head: (code) => events.push(`head ${code}`),
      write: (chunk) => {
        events.push(`data ${Buffer.from(chunk).toString()}`);
        return writing?.();
      },
      end: () => events.push('end'),
      fail: (err, headSent) => events.push(`fail ${String(err)} ${headSent ? 'after' : 'before'} the head`),
    };
    return { events, output };
  }

  const newQueue = (owner: Partial<QueueOwner> = {}) =>
    new ResponseQueue(1024, { drained: () => {}, finishedReading: () => {}, aborted: () => {}, ...owner });

  it('should send a response queue its writer already ended at once, its end with its last chunk', async () => {
    const { events, output } = recorder();
    const response = new HostResponse(output);
    response.startResponse('200 OK', [['Content-Length', '11']]);
    const queue = newQueue();
    queue.push(bytes('hello '));
    queue.push(bytes('world'));
    queue.end();
    const sent = response.send(queue);
    // Before anything else runs: the transport joins an end written in the same turn to the frame of the last chunk.
    expect(events).toEqual(['head 200', 'data hello ', 'data world', 'end']);
    await sent;
    expect(queue.settled).toBe(true);
  });

  it('should go on reading a response queue its writer ends later', async () => {
    const { events, output } = recorder();
    const response = new HostResponse(output);
    response.startResponse('200 OK', []);
    const queue = newQueue();
    queue.push(bytes('first'));
    const sent = response.send(queue);
    expect(events).toEqual(['head 200', 'data first']);
    queue.push(bytes('second'));
    queue.end();
    await sent;
    expect(events).toEqual(['head 200', 'data first', 'data second', 'end']);
  });

  it('should wait for an output that asks it to before the next chunk of a response queue', async () => {
    const opened = gate();
    const { events, output } = recorder(() => opened.promise);
    const response = new HostResponse(output);
    response.startResponse('200 OK', []);
    const queue = newQueue();
    queue.push(bytes('first'));
    queue.push(bytes('second'));
    queue.end();
    const sent = response.send(queue);
    await Promise.resolve();
    expect(events).toEqual(['head 200', 'data first']);
    opened.open();
    await sent;
    expect(events).toEqual(['head 200', 'data first', 'data second', 'end']);
  });

  it('should fail the response whose writer failed before its end, and close its queue', async () => {
    const { events, output } = recorder();
    let aborted = 0;
    const response = new HostResponse(output);
    response.startResponse('200 OK', []);
    const queue = newQueue({ aborted: () => (aborted += 1) });
    queue.fail(new Error('the writer broke'));
    await response.send(queue);
    expect(events).toEqual(['fail Error: the writer broke before the head']);
    expect(queue.settled).toBe(true);
    expect(aborted).toBe(1);
  });

  it('should read nothing of a response queue once the output was aborted, and close it as aborted', async () => {
    const { events, output } = recorder();
    const abortedOutput: ResponseOutput = { ...output, aborted: true, whenAborted: (listener) => listener() };
    const heard: string[] = [];
    const response = new HostResponse(abortedOutput);
    response.startResponse('204 No Content', []);
    const queue = newQueue({ finishedReading: () => heard.push('finished'), aborted: () => heard.push('aborted') });
    queue.end();
    await response.send(queue);
    expect(events).toEqual([]);
    expect(heard).toEqual(['aborted']);
  });
});
