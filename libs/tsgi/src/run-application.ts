import type { Application, Environ, ExcInfo, Flush, HeaderList, ResponseBody } from './environ';
import { InterfaceError } from './interface-error';
import { ResponseQueue } from './response-queue';
import { checkHeaders, parseStatus, statusAllowsBody, type ParsedStatus } from './response-head';

/** Where the host sends a response: the framework service's transport, or a test's recorder. */
export interface ResponseOutput {
  /** True once the client went away or the deadline passed: the host stops reading the body. */
  readonly aborted: boolean;
  /** Registers the host's reaction to an abort (it closes the body at once); called at most once. */
  whenAborted(listener: () => void): void;
  head(code: number, reason: string, headers: HeaderList): void;
  /** Sends one chunk; returns a promise when the receiver wants the host to wait before the next one. */
  write(chunk: Uint8Array): void | Promise<void>;
  end(): void;
  /** The application failed; `headSent` says whether the client already has a status. */
  fail(err: unknown, headSent: boolean): void;
}

interface Pending {
  status: ParsedStatus;
  headers: HeaderList;
}

/**
 * The server side of the interface (wsgiref's BaseHandler): calls the application, holds the head until the first
 * body bytes (or `flush()`, or the end of an empty body), streams the body, and always calls `close()`.
 * A body given as an array of at most one chunk gets a Content-Length when it has none, as wsgiref does.
 *
 * @example
 * await runApplication(app, environ, output);
 */
export async function runApplication(app: Application, environ: Environ, output: ResponseOutput): Promise<void> {
  const response = new HostResponse(output);
  let body: ResponseBody;
  try {
    body = await app(environ, response.startResponse);
  } catch (err) {
    output.fail(err, response.headSent);
    return;
  }
  await response.send(body);
}

/**
 * One response on the server side, in the two halves a host runs apart (wsgiref's `start_response` and
 * `finish_response`): the application gets `startResponse`; `send` then sends the body it returned. What
 * `runApplication` does, for a host that calls the application itself.
 *
 * @example
 * const response = new HostResponse(output);
 * await response.send(await app(environ, response.startResponse));
 */
export class HostResponse {
  #headSent = false;
  #pending: Pending | undefined;
  readonly #output: ResponseOutput;

  constructor(output: ResponseOutput) {
    this.#output = output;
  }

  /** True once the head went to the output: a failure can then no longer change the status. */
  get headSent(): boolean {
    return this.#headSent;
  }

  readonly startResponse = (status: string, headers: HeaderList, excInfo?: ExcInfo): Flush => {
    if (this.#pending && excInfo === undefined) {
      throw new InterfaceError('start_response called a second time without exc_info');
    }
    if (excInfo !== undefined && this.#headSent) throw excInfo;
    this.#pending = { status: parseStatus(status), headers: checkHeaders(headers) };
    return this.#flush;
  };

  /** Sends the body the application returned, chunk by chunk as the output takes them, then always `close()`. */
  send(body: ResponseBody): Promise<void> {
    if (isWholeBody(body)) {
      // Most responses: one chunk or none, nothing to close. Sent here, without the promises and the abort listener
      // a streamed body needs (~1 µs a request, ADR-0033).
      try {
        this.#end(body[0]);
      } catch (err) {
        if (!this.#output.aborted) this.#output.fail(err, this.#headSent);
      }
      return SENT;
    }
    if (body instanceof ResponseQueue) return this.#sendQueue(body);
    return this.#stream(body);
  }

  /**
   * An imperative writer's body (Express's `res.send`): what it holds is sent at once and, when its writer has ended
   * it (most responses), its end in the same turn as its last chunk, so that both go in one frame
   * (docs/adr/0050-a-small-body-in-the-heads-write.md), without the promises and the abort listener of a streamed body.
   * The rest of a body its writer has not ended streams.
   */
  #sendQueue(queue: ResponseQueue): Promise<void> {
    try {
      // An aborted output reads nothing: the streamed path closes the body at once, and its writer hears it.
      while (!this.#output.aborted) {
        const next = queue.takeNow();
        if (next === undefined) break;
        if (next.done) {
          this.#end();
          return SENT;
        }
        const writing = this.#write(next.value);
        if (writing) return this.#stream(queue, writing);
      }
    } catch (err) {
      if (!this.#output.aborted) this.#output.fail(err, this.#headSent);
      queue.close();
      return SENT;
    }
    return this.#stream(queue);
  }

  /** Streams `body`, after the write `writing` that waits for the output, when one does. */
  async #stream(body: ResponseBody, writing?: Promise<void>): Promise<void> {
    const output = this.#output;
    const close = closeOnce(body, output, this);
    output.whenAborted(close);
    try {
      if (writing) await writing;
      if (Array.isArray(body)) await this.#sendArray(body);
      else await this.#sendIterable(body);
    } catch (err) {
      if (!output.aborted) output.fail(err, this.#headSent);
    } finally {
      await close();
    }
  }

  readonly #flush = (): void => {
    if (!this.#headSent && this.#pending) this.#sendHead();
  };

  #sendHead(contentLength?: number): void {
    if (!this.#pending) throw new InterfaceError('the body began before start_response was called');
    const { status, headers } = this.#pending;
    const out =
      contentLength !== undefined && needsContentLength(status.code, headers)
        ? [...headers, ['Content-Length', String(contentLength)] as [string, string]]
        : headers;
    this.#headSent = true;
    this.#output.head(status.code, status.reason, out);
  }

  #write(chunk: unknown): void | Promise<void> {
    if (!(chunk instanceof Uint8Array)) {
      throw new InterfaceError(`body chunks must be Uint8Array, got ${typeof chunk}`);
    }
    if (chunk.byteLength === 0) return;
    if (!this.#headSent) this.#sendHead();
    return this.#output.write(chunk);
  }

  /** Ends the response; `onlyChunk` is the whole body of a one-element array, which fixes its Content-Length. */
  #end(onlyChunk?: Uint8Array): void {
    if (!this.#headSent) this.#sendHead(onlyChunk?.byteLength ?? 0);
    if (onlyChunk && onlyChunk.byteLength > 0) void this.#output.write(onlyChunk);
    this.#output.end();
  }

  async #sendArray(body: readonly unknown[]): Promise<void> {
    if (body.length <= 1) {
      const only = body[0];
      if (only !== undefined && !(only instanceof Uint8Array)) await this.#write(only);
      this.#end(only as Uint8Array | undefined);
      return;
    }
    for (const chunk of body) {
      if (this.#output.aborted) return;
      const wait = this.#write(chunk);
      if (wait) await wait;
    }
    this.#end();
  }

  async #sendIterable(body: Iterable<Uint8Array> | AsyncIterable<Uint8Array>): Promise<void> {
    if (body instanceof ResponseQueue) return this.#streamQueue(body);
    for await (const chunk of body as AsyncIterable<unknown>) {
      if (this.#output.aborted) return;
      const wait = this.#write(chunk);
      if (wait) await wait;
    }
    if (!this.#output.aborted) this.#end();
  }

  /** A response queue read without waiting while it holds more, as `#sendQueue` does: its end with its last chunk. */
  async #streamQueue(queue: ResponseQueue): Promise<void> {
    for (;;) {
      const next = queue.takeNow() ?? (await queue.next());
      if (next.done) break;
      if (this.#output.aborted) return;
      const wait = this.#write(next.value);
      if (wait) await wait;
    }
    if (!this.#output.aborted) this.#end();
  }
}

/** `close()` of the body, once: when the response is over, or at once when the request is aborted. */
function closeOnce(body: ResponseBody, output: ResponseOutput, response: HostResponse): () => Promise<void> {
  let closing: Promise<void> | undefined;
  return () => {
    closing ??= (async () => {
      try {
        await body.close?.();
      } catch (err) {
        if (!output.aborted) output.fail(err, response.headSent);
      }
    })();
    return closing;
  };
}

const SENT: Promise<void> = Promise.resolve();

/** A body of at most one Uint8Array chunk, as an array, with no `close()`: it goes out in one `#end`. */
function isWholeBody(body: ResponseBody): body is ResponseBody & readonly Uint8Array[] {
  if (!Array.isArray(body) || body.length > 1 || (body as { close?: unknown }).close !== undefined) return false;
  const only: unknown = body[0];
  return only === undefined || only instanceof Uint8Array;
}

function needsContentLength(code: number, headers: HeaderList): boolean {
  if (!statusAllowsBody(code)) return false;
  return !headers.some(([name]) => name.toLowerCase() === 'content-length');
}
