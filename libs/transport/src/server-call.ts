import { context, type Context } from '@opentelemetry/api';
import type { ReplyFrame, ResponseHead } from '@mono/contracts';
import { AppError, toFailure, type ErrorCode } from '@mono/errors';
import { HopCall, type Link } from './internal/hop-call';
import { InboundBody } from './internal/inbound-body';
import type { RequestSpan } from './internal/request-span';

/** What a server call needs from the connection it runs on. */
export interface ServerLink extends Link {
  head(id: number, head: ResponseHead): void;
  credit(id: number, bytes: number): void;
  fail(id: number, failure: ReplyFrame['failure']): void;
}

interface ReceivedFrame {
  data: Uint8Array;
  end: boolean;
  cancel: boolean;
  credit: number;
}

export interface ServerCallErrors {
  /** The code a request ends with when the deadline its client sent passes. */
  deadline: ErrorCode;
  /** The code the request body fails with when the client cancels or goes away. */
  cancelled: ErrorCode;
  /** The code for a client that broke the protocol (overran its window). */
  protocol: ErrorCode;
}

/**
 * One request received on a multiplexed stream. The request body arrives through `body` (attach a sink,
 * acknowledge with `consumed`); the response leaves through `respond`, `write` and `end`, or `fail`. `signal`
 * aborts when the client cancels, the stream breaks or the deadline passes.
 */
export class ServerCall<H> extends HopCall {
  readonly head: H;
  /** Epoch milliseconds after which the client no longer waits; Infinity when it sent no deadline. */
  readonly deadline: number;
  readonly traceContext: Readonly<Record<string, string>>;
  /** The context the handler and every callback of this call run in: its SERVER span active. */
  readonly context: Context;
  readonly body: InboundBody;
  /** Runs once when the call is aborted (cancel, deadline, lost stream); cheaper than `signal` on the hot path. */
  onabort: ((reason: AppError) => void) | undefined = undefined;
  readonly #link: ServerLink;
  readonly #errors: ServerCallErrors;
  #headSent = false;
  #abortReason: AppError | undefined;
  #controller: AbortController | undefined;

  constructor(
    id: number,
    head: H,
    timeoutMs: number,
    traceContext: Record<string, string>,
    link: ServerLink,
    errors: ServerCallErrors,
    { span, context: active }: RequestSpan,
  ) {
    super(id, link, span, timeoutMs);
    this.head = head;
    this.traceContext = traceContext;
    this.context = active;
    this.#link = link;
    this.#errors = errors;
    this.deadline = timeoutMs > 0 ? Date.now() + timeoutMs : Infinity;
    this.body = new InboundBody((bytes) => this.#link.credit(this.id, bytes));
  }

  get signal(): AbortSignal {
    if (!this.#controller) {
      this.#controller = new AbortController();
      if (this.#abortReason) this.#controller.abort(this.#abortReason);
    }
    return this.#controller.signal;
  }

  get aborted(): boolean {
    return this.#abortReason !== undefined;
  }

  get headSent(): boolean {
    return this.#headSent;
  }

  /** Milliseconds left until the deadline (Infinity without one). */
  remainingMs(now = Date.now()): number {
    return this.deadline - now;
  }

  respond(head: ResponseHead): void {
    if (this.done) return;
    if (this.#headSent) throw new Error('response head already sent');
    this.#headSent = true;
    this.#link.head(this.id, head);
  }

  override write(chunk: Uint8Array): boolean {
    if (this.done) return true;
    if (!this.#headSent) throw new Error('write before respond');
    return super.write(chunk);
  }

  override end(): void {
    if (this.done) return;
    if (!this.#headSent) throw new Error('end before respond');
    super.end();
  }

  /** Ends the request with an error. The client maps it to a status, or aborts its own response if it had begun. */
  fail(err: AppError): void {
    if (this.done) return;
    this.#link.fail(this.id, toFailure(err));
    this.finish(err);
    this.body.fail(err);
  }

  /** A frame for this call arrived: the body's consumer hears of it in the call's context. */
  receive(frame: ReceivedFrame): void {
    context.with(this.context, this.#receive, this, frame);
  }

  /** The call's first frame, then `handler`: one entry into the call's context for both. */
  open(frame: ReceivedFrame, handler: (call: this) => void): void {
    context.with(this.context, this.#open, this, frame, handler);
  }

  /** The client cancelled, or the stream is gone: stop, and send nothing more. */
  abort(reason: AppError): void {
    if (this.done) return;
    this.finish();
    context.with(this.context, () => {
      this.body.fail(reason);
      this.#abortWith(reason);
    });
  }

  protected sent(): void {
    this.finish();
    // A body still being received after the response ended is not read any more (an Error only then: they cost).
    if (!this.body.done) this.body.fail(new AppError(this.#errors.cancelled, 'the response is complete'));
  }

  protected expired(): void {
    const err = new AppError(this.#errors.deadline, 'deadline exceeded');
    context.with(this.context, () => {
      this.fail(err);
      this.#abortWith(err);
    });
  }

  #open(frame: ReceivedFrame, handler: (call: this) => void): void {
    this.#receive(frame);
    handler(this);
  }

  #receive(frame: ReceivedFrame): void {
    if (frame.cancel) {
      this.abort(new AppError(this.#errors.cancelled, 'the client cancelled the request'));
      return;
    }
    if (frame.credit > 0) this.opened(frame.credit);
    if (frame.data.byteLength > 0 && !this.body.receive(frame.data)) {
      const err = new AppError(this.#errors.protocol, 'the client overran its flow-control window');
      this.fail(err);
      this.#abortWith(err);
      return;
    }
    if (frame.end) this.body.finish();
  }

  #abortWith(reason: AppError): void {
    if (this.#abortReason) return;
    this.#abortReason = reason;
    this.#controller?.abort(reason);
    this.onabort?.(reason);
  }
}
