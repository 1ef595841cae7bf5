import { AppError } from '@mono/errors';

export interface Ticket {
  /** Gives the slot back; call exactly once, when the request is over. */
  release(): void;
}

type Waiter = (ticket: Ticket) => void;

/**
 * Bounds the requests in flight to the framework and queues a bounded number more (uWSGI's listen queue, made
 * explicit): a full queue refuses at once with GW_ERR_OVERLOADED (503 + Retry-After) instead of timing out.
 */
export class Admission {
  readonly #max: number;
  readonly #maxQueue: number;
  readonly #queue: Waiter[] = [];
  #inFlight = 0;

  constructor(maxConcurrency: number, maxQueue: number) {
    this.#max = maxConcurrency;
    this.#maxQueue = maxQueue;
  }

  get inFlight(): number {
    return this.#inFlight;
  }

  get queued(): number {
    return this.#queue.length;
  }

  /** A slot at once, or undefined when every slot is taken (then `wait` for one). */
  take(): Ticket | undefined {
    if (this.#inFlight >= this.#max) return undefined;
    this.#inFlight += 1;
    return this.#ticket();
  }

  /**
   * Queues `admitted` for the next slot that frees up; refuses with GW_ERR_OVERLOADED when the queue is full.
   * Returns a function that withdraws the request (its client left); it does nothing once the request was admitted.
   */
  wait(admitted: Waiter): () => void {
    if (this.#queue.length >= this.#maxQueue) {
      throw new AppError('GW_ERR_OVERLOADED', `${this.#inFlight} requests in flight and ${this.#queue.length} queued`);
    }
    this.#queue.push(admitted);
    return () => {
      const at = this.#queue.indexOf(admitted);
      if (at !== -1) this.#queue.splice(at, 1);
    };
  }

  #ticket(): Ticket {
    let released = false;
    return {
      release: () => {
        if (released) return;
        released = true;
        const next = this.#queue.shift();
        if (next) next(this.#ticket());
        else this.#inFlight -= 1;
      },
    };
  }
}
