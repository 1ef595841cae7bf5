import type { Span } from '@opentelemetry/api';
import type { AppError } from '@mono/errors';
import { type Deadline, deadlines } from './deadlines';
import { OutboundBody } from './outbound-body';
import { endRequestSpan } from './request-span';

/** What a call needs from the connection it runs on, on either side. */
export interface Link {
  data(id: number, chunk: Uint8Array | undefined, end: boolean): void;
  release(id: number): void;
}

/**
 * What a call on either side of a hop shares: its id on the stream, the body it sends (window-limited, like a Node
 * writable), its head timer (the response head must come in time; stopped once it did; deadlines.ts) and its span,
 * and the one way it ends (`finish`).
 */
export abstract class HopCall {
  readonly id: number;
  readonly #link: Link;
  readonly #out: OutboundBody;
  readonly #span: Span;
  #done = false;
  #timer: Deadline | undefined;

  constructor(id: number, link: Link, span: Span, timerMs: number) {
    this.id = id;
    this.#link = link;
    this.#span = span;
    this.#out = new OutboundBody((chunk, end) => this.#emit(chunk, end));
    if (timerMs > 0) this.#timer = deadlines.add(timerMs, this.#onTimer);
  }

  /** True once the call is over (ended, failed, cancelled or aborted): nothing more arrives or leaves. */
  get done(): boolean {
    return this.#done;
  }

  set ondrain(listener: (() => void) | undefined) {
    this.#out.ondrain = listener;
  }

  /** Sends a body chunk; false once the peer's window is full (wait for `ondrain`). */
  write(chunk: Uint8Array): boolean {
    if (this.#done) return true;
    return this.#out.write(chunk);
  }

  /** Ends the body this side sends, once everything written has left. */
  end(): void {
    if (!this.#done) this.#out.end();
  }

  /** The response head came in time: the head timer has done its job. */
  protected stopTimer(): void {
    this.#timer?.cancel();
    this.#timer = undefined;
  }

  /** The peer took `bytes` of the body this side sends: its window opens again. */
  protected opened(bytes: number): void {
    this.#out.credit(bytes);
  }

  /**
   * Marks the call over, once: stops its deadline timer, forgets its drain listener, frees its id on the stream and
   * ends its span (ERROR with the code of `err`, if given).
   */
  protected finish(err?: AppError): void {
    if (this.#done) return;
    this.#done = true;
    this.#timer?.cancel();
    this.#out.ondrain = undefined;
    this.#link.release(this.id);
    endRequestSpan(this.#span, err);
  }

  /** The body this side sends has fully left. */
  protected abstract sent(): void;

  /** The head timer fired while the call was not over. */
  protected abstract expired(): void;

  #emit(chunk: Uint8Array | undefined, end: boolean): void {
    this.#link.data(this.id, chunk, end);
    if (end) this.sent();
  }

  readonly #onTimer = (): void => {
    this.#timer = undefined;
    if (!this.#done) this.expired();
  };
}
