import type { Socket } from 'node:net';

export interface ConnectionBalanceOptions {
  /** Client connections this process holds now. */
  open: () => number;
  /** Tells the other processes what `open` is. */
  report: (open: number) => void;
  /** ms between reports while nothing changes; a process not heard from in four of them is given nothing. */
  heartbeatMs?: number;
  /** ms a change waits before it is reported, so that a burst of connections is one report. */
  reportDelayMs?: number;
  now?: () => number;
  /** Passes a connection to process `to`; false when it could not (the connection is served here then). */
  pass?: (to: number, socket: Socket) => boolean;
}

/** What a process that stops says it holds: more than any, so that nothing is passed to it while it drains. */
export const DRAINING = Number.MAX_SAFE_INTEGER;

/** ms under which a closed connection counts as turnover. */
const SHORT_MS = 1_000;

interface Peer {
  open: number;
  heardAt: number;
  /** Connections this process passed to the peer, and of those the ones the peer said it took (both since it started). */
  passed: number;
  taken: number;
  /** When this process last took a connection the peer passed on. */
  gaveAt: number;
}

/**
 * Where a new client connection of an edge process should be served: here, or by another edge process holding fewer.
 * The processes accept from the same listening sockets (ADR-0017), and the one that wakes first takes every
 * connection waiting: a burst of connections (a client opening its pool, clients reconnecting after a restart) often
 * all went to one process, whose requests then travelled as one wave while the other process idled. Each process
 * reports how many connections it holds and how many of those passed to it by each other one it took (at once after
 * a change, and every `heartbeatMs`), so that connections still on their way count too. A process holding more than
 * one connection and an eighth over the least loaded one it heard from lately passes the new connection to it
 * (nginx's `ngx_accept_disabled` draws its line at an eighth too); to one that passed it connections in the last half
 * heartbeat, only when it holds over twice as many and two. A process not heard from lately (stopped, stuck, gone) is
 * given nothing, and none is passed while connections turn over here (more closed after less than a second, in the
 * last second or so, than held): passing one costs more than serving it (docs/adr/0029-connections-balanced-across-the-edges-processes.md).
 *
 * @example
 * const balance = new ConnectionBalance({ open: () => connections.open, report: (open) => primary.send({ open }) });
 * const to = balance.destination(); // undefined: serve it here; else pass it, then balance.passedTo(to)
 */
export class ConnectionBalance {
  readonly #open: () => number;
  readonly #report: (open: number) => void;
  readonly #reportDelayMs: number;
  readonly #freshMs: number;
  readonly #holdMs: number;
  readonly #now: () => number;
  readonly #pass: (to: number, socket: Socket) => boolean;
  readonly #peers = new Map<number, Peer>();
  readonly #takenFrom = new Map<number, number>();
  readonly #heartbeat: NodeJS.Timeout;
  #reportTimer: NodeJS.Timeout | undefined;
  /** Connections closed here lately after less than SHORT_MS: each counts 1 when it closes, e times less a second later. */
  #turnover = 0;
  #turnoverAt = 0;
  #stopped = false;
  #onChange: () => void = () => {};

  constructor({
    open,
    report,
    heartbeatMs = 250,
    reportDelayMs = 10,
    now = performance.now.bind(performance),
    pass = () => false,
  }: ConnectionBalanceOptions) {
    this.#open = open;
    this.#report = report;
    this.#reportDelayMs = reportDelayMs;
    this.#freshMs = 4 * heartbeatMs;
    this.#holdMs = heartbeatMs / 2;
    this.#now = now;
    this.#pass = pass;
    this.#heartbeat = setInterval(() => this.#report(this.#open()), heartbeatMs).unref();
  }

  /** Called whenever `passing` may have changed other than by this process's own accepts and closes. */
  onChange(listener: () => void): void {
    this.#onChange = listener;
  }

  /** Process `peer` said it holds `open` connections and took `taken` of those this process passed to it. */
  heard(peer: number, open: number, taken: number): void {
    const known = this.#peers.get(peer);
    if (known === undefined) this.#peers.set(peer, { open, heardAt: this.#now(), passed: 0, taken, gaveAt: -Infinity });
    else Object.assign(known, { open, heardAt: this.#now(), taken });
    this.#onChange();
  }

  /** Process `peer` is gone: what was passed to it and what it took start again from nothing. */
  forget(peer: number): void {
    this.#peers.delete(peer);
    this.#takenFrom.delete(peer);
    this.#onChange();
  }

  /** A connection was passed to `peer`: it counts there until `peer` says it took it. */
  passedTo(peer: number): void {
    const known = this.#peers.get(peer);
    if (known !== undefined) known.passed += 1;
  }

  /** A connection `peer` passed on is served here. */
  took(peer: number): void {
    this.#takenFrom.set(peer, this.takenFrom(peer) + 1);
    const known = this.#peers.get(peer);
    if (known !== undefined) known.gaveAt = this.#now();
    this.changed();
    this.#onChange();
  }

  /** How many connections passed on by `peer` this process took: what it reports to `peer`. */
  takenFrom(peer: number): number {
    return this.#takenFrom.get(peer) ?? 0;
  }

  /** Asked about each new connection accepted paused (app.ts): false when it was passed to another process. */
  admit(socket: Socket): boolean {
    const to = this.destination();
    if (to === undefined || !this.#pass(to, socket)) return true;
    this.passedTo(to);
    return false;
  }

  /** A connection is served here (accepted, or passed here). */
  accepted(): void {
    this.changed();
  }

  /** The process a new connection should go to (`passedTo` once it went), or undefined to serve it here. */
  destination(): number | undefined {
    return this.#underloaded();
  }

  /** Whether a new connection would be passed on now (the edge accepts it paused then, ready to pass). */
  get passing(): boolean {
    return this.#underloaded() !== undefined;
  }

  /** The peer holding the fewest, when this process holds enough more than it to pass it a connection. */
  #underloaded(): number | undefined {
    const mine = this.#open();
    const now = this.#now();
    let least: Peer | undefined;
    let leastPeer = 0;
    let fewest = Infinity;
    for (const [peer, known] of this.#peers) {
      // What it holds, with what is on its way there.
      const open = known.open + known.passed - known.taken;
      if (now - known.heardAt <= this.#freshMs && open < fewest) {
        least = known;
        leastPeer = peer;
        fewest = open;
      }
    }
    // Connections that close within a second (a client opening one per request) are spread by the accepting itself,
    // and passing one costs both processes more than serving it: more such closed here lately than held, none.
    if (least === undefined || this.#turnoverNow() > mine) return undefined;
    // A peer that just passed connections here holds more than it last said, and thought this process held fewer:
    // two processes counting each other from reports a burst has outgrown passed each other half the burst. Only
    // twice as many go back to it then.
    const line = now - least.gaveAt <= this.#holdMs ? 2 * fewest + 2 : fewest + 1 + (mine >> 3);
    return mine > line ? leastPeer : undefined;
  }

  /** A connection served here closed after `openMs`. */
  closed(openMs: number): void {
    if (openMs < SHORT_MS) {
      this.#turnover = this.#turnoverNow() + 1;
      this.#turnoverAt = this.#now();
    }
    this.changed();
  }

  #turnoverNow(): number {
    return this.#turnover * Math.exp((this.#turnoverAt - this.#now()) / 1_000);
  }

  /**
   * This process's count changed (a connection came in): the others hear of it within `reportDelayMs` — or with the
   * next heartbeat while connections turn over here faster than they stay, when no connection is passed either way.
   */
  changed(): void {
    if (this.#stopped || this.#reportTimer !== undefined || this.#turnoverNow() > this.#open()) return;
    this.#reportTimer = setTimeout(() => {
      this.#reportTimer = undefined;
      this.#report(this.#open());
    }, this.#reportDelayMs).unref();
  }

  /** Tells the others at once what this process holds (another process just began to accept and has heard nothing). */
  reportNow(): void {
    if (!this.#stopped) this.#report(this.#open());
  }

  /** Reports no more, after telling the others this process is draining (`DRAINING`). */
  stop(): void {
    if (this.#stopped) return;
    this.#stopped = true;
    this.#report(DRAINING);
    clearInterval(this.#heartbeat);
    clearTimeout(this.#reportTimer);
    this.#reportTimer = undefined;
  }
}
