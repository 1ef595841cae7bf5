import type { AppError } from '@mono/errors';
import { INITIAL_WINDOW } from './limits';

/** Where a received body goes. The consumer acknowledges bytes with `consumed` once it has taken them. */
export interface BodySink {
  data(chunk: Uint8Array): void;
  end(): void;
  error(err: AppError): void;
}

/**
 * The receiving half of a body. Chunks that arrive before a sink is attached wait here; the window caps them, so
 * this never holds more than INITIAL_WINDOW bytes. Acknowledged bytes go back to the sender as credit.
 */
export class InboundBody {
  readonly #ack: (bytes: number) => void;
  #sink: BodySink | undefined;
  #queue: Uint8Array[] = [];
  #state: 'open' | 'ending' | 'ended' | 'failed' = 'open';
  #error: AppError | undefined;
  #unacked = 0;

  constructor(ack: (bytes: number) => void) {
    this.#ack = ack;
  }

  get done(): boolean {
    return this.#state !== 'open';
  }

  /**
   * Takes one received chunk, the last one when `end`; false when the sender overran its window (a protocol
   * violation). The last chunk is never acknowledged: the sender needs no more window.
   */
  receive(chunk: Uint8Array, end = false): boolean {
    if (this.#state !== 'open') return true;
    this.#unacked += chunk.byteLength;
    if (this.#unacked > INITIAL_WINDOW) return false;
    if (end) this.#state = 'ending';
    if (this.#sink) this.#sink.data(chunk);
    else this.#queue.push(chunk);
    if (end) this.#end();
    return true;
  }

  finish(): void {
    if (this.#state === 'open') this.#end();
  }

  #end(): void {
    this.#state = 'ended';
    if (this.#sink) this.#sink.end();
  }

  fail(err: AppError): void {
    if (this.#state !== 'open') return;
    this.#state = 'failed';
    this.#error = err;
    if (this.#sink) this.#sink.error(err);
  }

  attach(sink: BodySink): void {
    if (this.#sink) throw new Error('body already has a consumer');
    this.#sink = sink;
    const queued = this.#queue;
    this.#queue = [];
    for (const chunk of queued) sink.data(chunk);
    if (this.#state === 'ended') sink.end();
    else if (this.#state === 'failed') sink.error(this.#error as AppError);
  }

  consumed(bytes: number): void {
    if (bytes <= 0) return;
    this.#unacked -= bytes;
    if (this.#state === 'open') this.#ack(bytes);
  }
}
