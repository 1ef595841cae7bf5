import { context, type Context, type Span } from '@opentelemetry/api';
import type { ReplyFrame, ResponseHead } from '@mono/contracts';
import { AppError, fromFailure, type ErrorCode } from '@mono/errors';
import type { BodySink } from './inbound-body';
import { bodyBytesMoved } from './memory-pressure';
import { OutboundBody } from './outbound-body';
import { endRequestSpan, type RequestSpan } from './request-span';

/** Where a response goes: its head, then body chunks, then end; or an error at any point. */
export interface ResponseSink extends BodySink {
  head(head: ResponseHead): void;
}

/**
 * The client's own deadline timer is a backstop, this much later than the deadline it sends: normally the server's
 * timer fires first and its more precise error (which layer ran out of time) reaches the client.
 */
const BACKSTOP_MS = 50;

/** What a client call needs from the connection it runs on. */
export interface ClientLink {
  data(id: number, chunk: Uint8Array | undefined, end: boolean): void;
  credit(id: number, bytes: number): void;
  cancel(id: number): void;
  release(id: number): void;
}

export interface ClientCallErrors {
  /** The code a request ends with when its deadline passes before the response is complete. */
  deadline: ErrorCode;
  /** The code a Failure frame with an unknown code becomes. */
  fallback: ErrorCode;
}

/**
 * One request sent on a multiplexed stream: the request body goes out through `write`/`end` (window-limited, like
 * a Node writable), the response comes in through the sink given at creation, acknowledged with `ack`.
 */
export class ClientCall {
  readonly id: number;
  readonly #link: ClientLink;
  readonly #sink: ResponseSink;
  readonly #errors: ClientCallErrors;
  readonly #body: OutboundBody;
  readonly #span: Span;
  readonly #context: Context;
  #done = false;
  #timer: NodeJS.Timeout | undefined;

  constructor(
    id: number,
    link: ClientLink,
    sink: ResponseSink,
    errors: ClientCallErrors,
    timeoutMs: number,
    { span, context: active }: RequestSpan,
  ) {
    this.id = id;
    this.#link = link;
    this.#sink = sink;
    this.#errors = errors;
    this.#span = span;
    this.#context = active;
    this.#body = new OutboundBody((chunk, end) => this.#link.data(this.id, chunk, end));
    if (timeoutMs > 0) this.#timer = setTimeout(this.#onDeadline, timeoutMs + BACKSTOP_MS);
  }

  /** True once the response ended, failed or the call was cancelled: nothing more arrives or leaves. */
  get done(): boolean {
    return this.#done;
  }

  set ondrain(listener: (() => void) | undefined) {
    this.#body.ondrain = listener;
  }

  write(chunk: Uint8Array): boolean {
    if (this.#done) return true;
    return this.#body.write(chunk);
  }

  end(): void {
    if (!this.#done) this.#body.end();
  }

  /** Acknowledges response-body bytes the consumer has taken, opening the sender's window again. */
  ack(bytes: number): void {
    if (!this.#done && bytes > 0) this.#link.credit(this.id, bytes);
  }

  /** Gives up on the request: the server is told, and the sink hears nothing more. */
  cancel(): void {
    if (this.#done) return;
    this.#finish();
    this.#link.cancel(this.id);
  }

  /** A frame for this call arrived: the sink hears of it in the context the call was made in. */
  receive(frame: ReplyFrame): void {
    if (this.#done) return;
    context.with(this.#context, this.#deliver, this, frame);
  }

  #deliver(frame: ReplyFrame): void {
    if (frame.credit > 0) this.#body.credit(frame.credit);
    if (frame.failure) {
      const err = fromFailure(frame.failure, this.#errors.fallback);
      this.#finish(err);
      this.#sink.error(err);
      return;
    }
    if (frame.head) this.#sink.head(frame.head);
    if (frame.data.byteLength > 0 && !this.#done) {
      bodyBytesMoved(frame.data.byteLength);
      this.#sink.data(frame.data);
    }
    if (frame.end && !this.#done) {
      this.#finish();
      this.#sink.end();
    }
  }

  /** The stream this call ran on is gone. */
  lost(err: AppError): void {
    if (this.#done) return;
    this.#finish(err);
    context.with(this.#context, () => this.#sink.error(err));
  }

  #finish(err?: AppError): void {
    this.#done = true;
    if (this.#timer) clearTimeout(this.#timer);
    this.#body.ondrain = undefined;
    this.#link.release(this.id);
    endRequestSpan(this.#span, err);
  }

  readonly #onDeadline = (): void => {
    this.#timer = undefined;
    if (this.#done) return;
    const err = new AppError(this.#errors.deadline, 'deadline exceeded waiting for the upstream');
    this.#finish(err);
    this.#link.cancel(this.id);
    context.with(this.#context, () => this.#sink.error(err));
  };
}
