import { AppError } from '@mono/errors';

/** A slot among a mount's requests in flight; give it back exactly once, when the request is over. */
export class Ticket {
  readonly #admission: Admission;
  #released = false;

  constructor(admission: Admission) {
    this.#admission = admission;
  }

  release(): void {
    if (this.#released) return;
    this.#released = true;
    this.#admission.released();
  }
}

interface Waiter {
  admitted: (ticket: Ticket) => void;
  refused: (err: AppError) => void;
  /** performance.now() after which it gives up waiting. */
  until: number;
}

export interface AdmissionLimits {
  /** Requests in flight at once. */
  maxInFlight: number;
  /** Requests that may wait for a slot. */
  maxQueue: number;
  /** ms a request may wait for a slot; 0: as long as it takes. */
  maxWaitMs: number;
}

/**
 * Bounds one mount's requests in flight and queues a bounded number more, each for a bounded time (uWSGI's listen
 * queue, made explicit): a full queue refuses at once with GW_ERR_OVERLOADED, a request that waited too long with
 * GW_ERR_QUEUE_TIMEOUT — both 503 + Retry-After and not accepted, so the edge may try another gateway
 * (docs/adr/0006-resilience.md). One timer serves the whole queue: its oldest waiter's.
 */
export class Admission {
  readonly limits: Readonly<AdmissionLimits>;
  readonly #queue: Waiter[] = [];
  #inFlight = 0;
  #timer: NodeJS.Timeout | undefined;

  constructor(limits: AdmissionLimits) {
    this.limits = limits;
  }

  get inFlight(): number {
    return this.#inFlight;
  }

  get queued(): number {
    return this.#queue.length;
  }

  /** A slot at once, or undefined when every slot is taken (then `wait` for one). */
  take(): Ticket | undefined {
    if (this.#inFlight >= this.limits.maxInFlight) return undefined;
    this.#inFlight += 1;
    return new Ticket(this);
  }

  /**
   * Queues a request for the next slot that frees up; `refused` hears when it waited too long. Throws
   * GW_ERR_OVERLOADED when the queue is full. Returns a function that withdraws the request (its client left).
   */
  wait(admitted: (ticket: Ticket) => void, refused: (err: AppError) => void): () => void {
    const { maxQueue, maxWaitMs } = this.limits;
    if (this.#queue.length >= maxQueue) {
      throw new AppError('GW_ERR_OVERLOADED', `${this.#inFlight} requests in flight and ${this.#queue.length} queued`, {
        notAccepted: true,
      });
    }
    const waiter: Waiter = { admitted, refused, until: maxWaitMs > 0 ? performance.now() + maxWaitMs : Infinity };
    this.#queue.push(waiter);
    if (this.#queue.length === 1) this.#arm();
    return () => {
      const at = this.#queue.indexOf(waiter);
      if (at === -1) return;
      this.#queue.splice(at, 1);
      if (at === 0) this.#arm();
    };
  }

  /** A ticket was given back: the first one waiting gets its slot. */
  released(): void {
    const next = this.#queue.shift();
    if (next === undefined) {
      this.#inFlight -= 1;
      return;
    }
    this.#arm();
    next.admitted(new Ticket(this));
  }

  #arm(): void {
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = undefined;
    const oldest = this.#queue[0];
    if (oldest === undefined || oldest.until === Infinity) return;
    this.#timer = setTimeout(this.#expire, Math.max(0, oldest.until - performance.now()));
  }

  readonly #expire = (): void => {
    this.#timer = undefined;
    const now = performance.now();
    const expired: Waiter[] = [];
    while (this.#queue.length > 0 && (this.#queue[0] as Waiter).until <= now)
      expired.push(this.#queue.shift() as Waiter);
    this.#arm();
    for (const waiter of expired) {
      waiter.refused(
        new AppError('GW_ERR_QUEUE_TIMEOUT', `no slot freed up within ${this.limits.maxWaitMs} ms`, {
          notAccepted: true,
        }),
      );
    }
  };
}
