import type { Environ } from '@mono/contracts';
import { AppError } from '@mono/errors';
import { afterEach, describe, expect, it } from 'vitest';
import { readBody } from './read-body';
import type { BodyLimit, ServerCall } from './server-call';
import { environ, recordingSink, signal, startTestServer, testClient } from './testing';

const cleanups: Array<() => void> = [];
afterEach(() => {
  while (cleanups.length > 0) cleanups.pop()?.();
});

/** 10 bytes at most; the refusal is the framework's 413. */
const TEN_BYTES: BodyLimit = {
  maxBodyBytes: 10,
  bodyTooLarge: () => new AppError('FW_ERR_BODY_TOO_LARGE', 'the body exceeds 10B'),
};

/** What the handler saw of the request: the body it read, or how reading it failed, and whether it was aborted. */
interface Seen {
  read: string;
  failure: string | undefined;
  aborted: string | undefined;
}

async function serve(handler: (call: ServerCall<Environ>, seen: (s: Seen) => void) => void) {
  const seen = signal<Seen>();
  const server = await startTestServer<Environ>((call) => handler(call, seen.resolve));
  cleanups.push(() => server.stop());
  const client = testClient(server.address);
  cleanups.push(() => client.close());
  return { client, seen: seen.promise };
}

/** Reads the whole body into `seen`, or how reading it failed. */
async function readAll(call: ServerCall<Environ>, seen: (s: Seen) => void): Promise<void> {
  const chunks: Buffer[] = [];
  let failure: string | undefined;
  try {
    for await (const chunk of readBody(call.body)) chunks.push(Buffer.from(chunk));
  } catch (err) {
    failure = (err as AppError).code;
  }
  seen({
    read: Buffer.concat(chunks).toString(),
    failure,
    aborted: (call.signal.reason as AppError | undefined)?.code,
  });
}

/** Sends `chunks` one event-loop turn apart (each its own frame), then ends the body. */
async function sendBody(
  client: ReturnType<typeof testClient>,
  chunks: string[],
): Promise<ReturnType<typeof recordingSink>['outcome']> {
  const recording = recordingSink();
  const call = client.call(environ('/upload'), { headTimeoutMs: 0, idleTimeoutMs: 0 }, recording.sink);
  recording.attach(call);
  for (const chunk of chunks) {
    call.write(Buffer.from(chunk));
    await new Promise((resolve) => setImmediate(resolve));
  }
  call.end();
  return recording.outcome;
}

describe('ServerCall.limitBody', () => {
  it('should fail a body that crosses the limit with 413 before the head, never handing over a truncated body', async () => {
    const { client, seen } = await serve((call, report) => {
      expect(call.limitBody(TEN_BYTES)).toBe(true);
      void readAll(call, report);
    });
    const outcome = await sendBody(client, ['12345', '67890', 'x']);
    expect(outcome.error?.code).toBe('FW_ERR_BODY_TOO_LARGE');
    expect(outcome.error?.httpStatus).toBe(413);
    expect(outcome.head).toBeUndefined();
    const { failure, aborted } = await seen;
    expect(failure).toBe('FW_ERR_BODY_TOO_LARGE');
    expect(aborted).toBe('FW_ERR_BODY_TOO_LARGE');
  });

  it('should abort a response whose head was sent when the body crosses the limit', async () => {
    const { client, seen } = await serve((call, report) => {
      call.limitBody(TEN_BYTES);
      call.respond({ status: 200, reason: 'OK', headers: [] });
      call.write(Buffer.from('started'));
      void readAll(call, report);
    });
    const outcome = await sendBody(client, ['12345', '67890', 'x']);
    expect(outcome.head?.status).toBe(200);
    expect(outcome.error?.code).toBe('FW_ERR_BODY_TOO_LARGE');
    expect((await seen).failure).toBe('FW_ERR_BODY_TOO_LARGE');
  });

  it('should let a body up to the limit through whole', async () => {
    const { client, seen } = await serve((call, report) => {
      call.limitBody(TEN_BYTES);
      void readAll(call, report).then(() => {
        call.respond({ status: 200, reason: 'OK', headers: [] });
        call.end();
      });
    });
    const outcome = await sendBody(client, ['12345', '67890']);
    expect(outcome.head?.status).toBe(200);
    expect(await seen).toEqual({ read: '1234567890', failure: undefined, aborted: undefined });
  });

  it('should say so, and do nothing, when the body received already exceeds the limit', async () => {
    const { client, seen } = await serve((call, report) => {
      const limited = call.limitBody(TEN_BYTES);
      report({ read: String(limited), failure: undefined, aborted: undefined });
      call.fail(TEN_BYTES.bodyTooLarge());
    });
    const recording = recordingSink();
    const call = client.call(environ('/upload'), { headTimeoutMs: 0, idleTimeoutMs: 0 }, recording.sink);
    call.write(Buffer.from('more than ten bytes'));
    call.end();
    expect((await seen).read).toBe('false');
    expect((await recording.outcome).error?.code).toBe('FW_ERR_BODY_TOO_LARGE');
  });
});
