import { performance } from 'node:perf_hooks';

/** A deadline in a `Deadlines`: `cancel()` once it is not needed (a no-op after it fired). */
export interface Deadline {
  cancel(): void;
}

/** One deadline, a node of its duration's list (circular, around a sentinel). */
class Entry implements Deadline {
  prev: Entry = this;
  next: Entry = this;
  constructor(
    readonly at: number,
    /** Undefined once cancelled: a deadline found due may still be cancelled before it expires. */
    public onExpire: (() => void) | undefined,
  ) {}

  cancel(): void {
    this.onExpire = undefined;
    this.unlink();
  }

  unlink(): void {
    this.prev.next = this.next;
    this.next.prev = this.prev;
    this.prev = this;
    this.next = this;
  }
}

/**
 * The head timers of the calls in flight, on one Node timer armed lazily (nginx keeps its timers the same way).
 *
 * A call's head timer almost never fires: it is set as the call starts and cancelled a millisecond later. With a Node
 * timer per call, a lone client makes Node create its list of timers for that duration, queue it and start libuv's
 * timer on every request and drop them all when the call ends (measured: ~5 % of the stack's CPU per lone request,
 * docs/adr/0028-head-timers-armed-lazily.md). Here a duration's list stays, and the Node timer stays armed for the
 * earliest deadline it was armed for: a deadline cancelled before it does not disarm it, and when it fires it expires
 * what is due and arms itself again for the next deadline, if any. A deadline is added at the end of its duration's
 * list (deadlines of one duration come in order) and cancelled by unlinking it. Unref'd: the calls' streams keep a
 * process alive, not their deadlines.
 *
 * @example
 * const deadline = deadlines.add(30_000, () => call.expired());
 * deadline.cancel(); // the head came in time
 */
export class Deadlines {
  /** Per duration (ms), the sentinel of its list; a list found empty when the timer fires goes. */
  readonly #lists = new Map<number, Entry>();
  readonly #now: () => number;
  #timer: NodeJS.Timeout | undefined;
  /** When the Node timer is due (in `now`'s ms); Infinity when it is not armed. */
  #armedAt = Infinity;

  constructor(now: () => number = () => performance.now()) {
    this.#now = now;
  }

  /** Calls `onExpire` in `ms` (> 0), unless the returned deadline is cancelled first. */
  add(ms: number, onExpire: () => void): Deadline {
    const at = this.#now() + ms;
    let head = this.#lists.get(ms);
    if (head === undefined) {
      head = new Entry(Infinity, undefined);
      this.#lists.set(ms, head);
    }
    const entry = new Entry(at, onExpire);
    entry.prev = head.prev;
    entry.next = head;
    head.prev.next = entry;
    head.prev = entry;
    if (at < this.#armedAt) this.#arm(at);
    return entry;
  }

  /** Deadlines not cancelled nor fired yet (tests). */
  get size(): number {
    let size = 0;
    for (const head of this.#lists.values()) for (let e = head.next; e !== head; e = e.next) size += 1;
    return size;
  }

  #arm(at: number): void {
    if (this.#timer !== undefined) clearTimeout(this.#timer);
    this.#armedAt = at;
    this.#timer = setTimeout(this.#fire, Math.max(1, Math.ceil(at - this.#now())));
    this.#timer.unref();
  }

  readonly #fire = (): void => {
    this.#timer = undefined;
    this.#armedAt = Infinity;
    const now = this.#now();
    const due: Entry[] = [];
    let next = Infinity;
    for (const [ms, head] of this.#lists) {
      let entry = head.next;
      while (entry !== head && entry.at <= now) {
        const after = entry.next;
        entry.unlink();
        due.push(entry);
        entry = after;
      }
      if (entry === head) this.#lists.delete(ms);
      else if (entry.at < next) next = entry.at;
    }
    // Node's timer may fire a little before `now` reaches a deadline (it counts from the loop's cached time): what is
    // not due yet waits for the next arming.
    if (next !== Infinity) this.#arm(next);
    if (due.length > 0) setImmediate(expire, due);
  };
}

/**
 * Runs after the loop's poll phase, not in its timers phase: when the loop was held up past a deadline (a collection,
 * a long task), the response that arrived in time is read before the timer that fired late can fail its call.
 */
function expire(due: Entry[]): void {
  for (const entry of due) {
    const onExpire = entry.onExpire;
    if (onExpire === undefined) continue;
    try {
      onExpire();
    } catch (err) {
      // As from a timer of its own: uncaught, and the other expiries still run.
      queueMicrotask(() => {
        throw err;
      });
    }
  }
}

/** The process's head timers (every call's, on either side of every hop). */
export const deadlines = new Deadlines();
