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
  accepted(id: number): void;
}

/** The limits a request arrives with (mono.transport.v1.Call). */
export interface CallLimits {
  /** ms until the response head must be sent; 0: none. */
  headTimeoutMs: number;
  /** The longest gap in ms between two body chunks in either direction; 0: none. */
  idleTimeoutMs: number;
}

/** A limit on a request body, applied as it arrives (RequestLimits is one). */
export interface BodyLimit {
  /** Bytes; 0: no limit. */
  readonly maxBodyBytes: number;
  /** The error a body beyond it fails the call with (413). */
  bodyTooLarge(): AppError;
}

interface ReceivedFrame {
  data: Uint8Array;
  end: boolean;
  cancel: boolean;
  credit: number;
}

export interface ServerCallErrors {
  /** The code a request ends with when its response head is not sent by the time its client allowed. */
  deadline: ErrorCode;
  /** The code a request ends with when no body bytes moved in either direction for its idle limit. */
  idle: ErrorCode;
  /** The code the request body fails with when the client cancels or goes away. */
  cancelled: ErrorCode;
  /** The code for a client that broke the protocol (overran its window). */
  protocol: ErrorCode;
}

/**
 * One request received on a multiplexed stream. The request body arrives through `body` (attach a sink,
 * acknowledge with `consumed`); the response leaves through `respond`, `write` and `end`, or `fail`. `signal`
 * aborts when the client cancels, the stream breaks, the response head is not sent by `deadline`, or no body bytes
 * move for `idleTimeoutMs` (docs/adr/0006-resilience.md).
 */
export class ServerCall<H> extends HopCall {
  readonly head: H;
  /** Epoch milliseconds by which the response head must be sent; Infinity without a limit. */
  readonly deadline: number;
  /** The longest gap in ms between two body chunks in either direction; 0 without a limit. */
  readonly idleTimeoutMs: number;
  /** performance.now() when a body chunk last moved (or the call began). */
  lastActivity = performance.now();
  readonly traceContext: Readonly<Record<string, string>>;
  /** The context the handler and every callback of this call run in: its SERVER span active. */
  readonly context: Context;
  readonly body: InboundBody;
  /** Runs once when the call is aborted (cancel, deadline, lost stream); cheaper than `signal` on the hot path. */
  onabort: ((reason: AppError) => void) | undefined = undefined;
  readonly #link: ServerLink;
  readonly #errors: ServerCallErrors;
  /** Request-body bytes received so far, and the limit they are held to (limitBody). */
  #received = 0;
  #bodyLimit: BodyLimit | undefined;
  #headSent = false;
  #accepted = false;
  #abortReason: AppError | undefined;
  #controller: AbortController | undefined;

  constructor(
    id: number,
    head: H,
    { headTimeoutMs, idleTimeoutMs }: CallLimits,
    traceContext: Record<string, string>,
    link: ServerLink,
    errors: ServerCallErrors,
    { span, context: active }: RequestSpan,
  ) {
    super(id, link, span, headTimeoutMs);
    this.head = head;
    this.traceContext = traceContext;
    this.context = active;
    this.#link = link;
    this.#errors = errors;
    this.deadline = headTimeoutMs > 0 ? Date.now() + headTimeoutMs : Infinity;
    this.idleTimeoutMs = idleTimeoutMs;
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

  /** Milliseconds left until the response head must be sent (Infinity without a limit). */
  remainingMs(now = Date.now()): number {
    return this.deadline - now;
  }

  /**
   * The request is admitted: it will not be refused as not accepted any more. A client still sending its body is
   * told, so it may stop holding that body for a retry.
   */
  accept(): void {
    if (this.#accepted || this.done) return;
    this.#accepted = true;
    if (!this.body.done) this.#link.accepted(this.id);
  }

  /**
   * Holds the request body to `limit` from now on: the first chunk beyond it is not delivered, and the call fails with
   * `limit.bodyTooLarge()` (413 if the response head was not sent yet, else the client aborts the response), its body
   * fails — so its consumer never takes a truncated body for a whole one — and `signal` aborts. Returns false, doing
   * nothing, when the bytes already received exceed it: the caller refuses the request itself.
   */
  limitBody(limit: BodyLimit): boolean {
    if (limit.maxBodyBytes <= 0) return true;
    if (this.#received > limit.maxBodyBytes) return false;
    this.#bodyLimit = limit;
    return true;
  }

  respond(head: ResponseHead): void {
    if (this.done) return;
    if (this.#headSent) throw new Error('response head already sent');
    this.#headSent = true;
    this.stopTimer();
    this.#link.head(this.id, head);
  }

  override write(chunk: Uint8Array): boolean {
    if (this.done) return true;
    if (!this.#headSent) throw new Error('write before respond');
    this.lastActivity = performance.now();
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
    this.#expire(new AppError(this.#errors.deadline, 'the response head was not ready in time'));
  }

  /**
   * Called by the connection's sweep: ends the call when no body bytes moved for its idle limit while a body was
   * moving (the response's after its head, or the request's still arriving).
   */
  checkIdle(now: number): void {
    if (this.done || this.idleTimeoutMs === 0 || now - this.lastActivity < this.idleTimeoutMs) return;
    if (!this.#headSent && this.body.done) return;
    this.#expire(new AppError(this.#errors.idle, `no body bytes moved for ${this.idleTimeoutMs} ms`));
  }

  #expire(err: AppError): void {
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
    const bytes = frame.data.byteLength;
    if (bytes > 0) {
      this.lastActivity = performance.now();
      this.#received += bytes;
      const limit = this.#bodyLimit;
      if (limit !== undefined && limit.maxBodyBytes > 0 && this.#received > limit.maxBodyBytes) {
        this.#expire(limit.bodyTooLarge());
        return;
      }
      if (!this.body.receive(frame.data, frame.end)) {
        const err = new AppError(this.#errors.protocol, 'the client overran its flow-control window');
        this.fail(err);
        this.#abortWith(err);
        return;
      }
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
