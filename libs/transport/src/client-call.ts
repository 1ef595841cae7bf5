import { context, type Context } from '@opentelemetry/api';
import type { ReplyFrame, ResponseHead } from '@mono/contracts';
import { AppError, fromFailure, type ErrorCode } from '@mono/errors';
import { HopCall, type Link } from './internal/hop-call';
import type { BodySink } from './internal/inbound-body';
import type { RequestSpan } from './internal/request-span';

/** Where a response goes: its head, then body chunks, then end; or an error at any point. */
export interface ResponseSink extends BodySink {
  head(head: ResponseHead): void;
  /** The server admitted the request (told only for a request whose body was still being sent). */
  accepted?(): void;
  /**
   * The response's last chunk and its end at once (most responses arrive whole): a sink without it hears `data` then
   * `end`. The edge ends its HTTP response with the chunk, one step of Node's instead of two.
   */
  last?(chunk: Uint8Array): void;
}

/**
 * The client's own head timer is a backstop, by default this much later than the limit it sends: normally the
 * server's timer fires first and its more precise error (which layer ran out of time) reaches the client.
 */
export const HEAD_BACKSTOP_MS = 50;

/** What a client call needs from the connection it runs on. */
export interface ClientLink extends Link {
  credit(id: number, bytes: number): void;
  cancel(id: number): void;
}

export interface ClientCallErrors {
  /** The code a request ends with when its response head does not come in time. */
  deadline: ErrorCode;
  /** The code a Failure frame with an unknown code becomes. */
  fallback: ErrorCode;
}

/**
 * One request sent on a multiplexed stream: the request body goes out through `write`/`end` (window-limited, like
 * a Node writable; `ondrain`), the response comes in through the sink given at creation, acknowledged with `ack`.
 */
export class ClientCall extends HopCall {
  readonly #link: ClientLink;
  readonly #sink: ResponseSink;
  readonly #errors: ClientCallErrors;
  readonly #context: Context;
  /** The response's last frame is being delivered: the sender needs no more window. */
  #ending = false;

  constructor(
    id: number,
    link: ClientLink,
    sink: ResponseSink,
    errors: ClientCallErrors,
    headTimeoutMs: number,
    { span, context: active }: RequestSpan,
    backstopMs: number,
  ) {
    super(id, link, span, headTimeoutMs > 0 ? headTimeoutMs + backstopMs : 0);
    this.#link = link;
    this.#sink = sink;
    this.#errors = errors;
    this.#context = active;
  }

  /** Acknowledges response-body bytes the consumer has taken, opening the sender's window again. */
  ack(bytes: number): void {
    if (!this.done && !this.#ending && bytes > 0) this.#link.credit(this.id, bytes);
  }

  /** Gives up on the request: the server is told, and the sink hears nothing more. */
  cancel(): void {
    if (this.done) return;
    this.finish();
    this.#link.cancel(this.id);
  }

  /** A frame for this call arrived: the sink hears of it in the context the call was made in. */
  receive(frame: ReplyFrame): void {
    if (this.done) return;
    context.with(this.#context, this.#deliver, this, frame);
  }

  /** The stream this call ran on is gone. */
  lost(err: AppError): void {
    if (this.done) return;
    this.finish(err);
    context.with(this.#context, () => this.#sink.error(err));
  }

  protected sent(): void {}

  protected expired(): void {
    const err = new AppError(this.#errors.deadline, 'no response head from the upstream in time');
    this.finish(err);
    this.#link.cancel(this.id);
    context.with(this.#context, () => this.#sink.error(err));
  }

  #deliver(frame: ReplyFrame): void {
    if (frame.credit > 0) this.opened(frame.credit);
    if (frame.failure) {
      const err = fromFailure(frame.failure, this.#errors.fallback);
      this.finish(err);
      this.#sink.error(err);
      return;
    }
    if (frame.accepted) this.#sink.accepted?.();
    if (frame.head) {
      this.stopTimer();
      this.#sink.head(frame.head);
    }
    // A chunk that arrives with the end is acknowledged by nobody: a credit frame for it would cost both sides a
    // message (a write and a wake-up each) per request.
    this.#ending = frame.end;
    if (frame.end && frame.data.byteLength > 0 && this.#sink.last !== undefined) {
      if (this.done) return;
      this.finish();
      this.#sink.last(frame.data);
      return;
    }
    if (frame.data.byteLength > 0 && !this.done) this.#sink.data(frame.data);
    if (frame.end && !this.done) {
      this.finish();
      this.#sink.end();
    }
  }
}
