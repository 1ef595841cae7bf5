import type { MuxClient } from './mux-client';

/** How a pool member stands: `up` takes requests, the others do not (but see Pool.pick's fallbacks). */
export type MemberState = 'up' | 'trial' | 'ejected' | 'draining' | 'removed';

export interface MemberStats {
  address: string;
  state: MemberState;
  /** Requests on its stream now. */
  outstanding: number;
  requests: number;
  failures: number;
  /** From its grpc.health.v1 Watch: SERVING, NOT_SERVING, … ("" before the first answer). */
  health: string;
}

/**
 * One instance of a pool: its connection and its health, passive (nginx's max_fails / fail_timeout: that many
 * failures within fail_timeout take it out for fail_timeout, then one trial request decides) and active (its
 * grpc.health.v1 Watch: NOT_SERVING takes it out at once, SERVING brings it back at once).
 */
export class PoolMember<H> {
  readonly address: string;
  readonly client: MuxClient<H>;
  requests = 0;
  failures = 0;
  #fails = 0;
  #firstFailAt = 0;
  #ejectedUntil = 0;
  #trialInFlight = false;
  #health = '';
  #removed = false;

  constructor(address: string, client: MuxClient<H>) {
    this.address = address;
    this.client = client;
  }

  get removed(): boolean {
    return this.#removed;
  }

  get health(): string {
    return this.#health;
  }

  state(now: number): MemberState {
    if (this.#removed) return 'removed';
    if (this.#health === 'NOT_SERVING' || this.#health === 'SERVICE_UNKNOWN') return 'draining';
    if (now < this.#ejectedUntil) return 'ejected';
    return this.#ejectedUntil > 0 ? 'trial' : 'up';
  }

  /** Whether it may take a new request now: up, or after its ejection with no trial request running yet. */
  available(now: number): boolean {
    const state = this.state(now);
    return state === 'up' || (state === 'trial' && !this.#trialInFlight);
  }

  /** A request goes to this member. */
  begin(now: number): void {
    this.requests += 1;
    if (this.state(now) === 'trial') this.#trialInFlight = true;
  }

  /** The member answered (a response head, or an error of the layers behind it). */
  succeeded(): void {
    this.#fails = 0;
    this.#ejectedUntil = 0;
    this.#trialInFlight = false;
  }

  /** The member could not be reached or its stream broke. Returns true when this took it out. */
  failed(now: number, maxFails: number, failTimeoutMs: number): boolean {
    this.failures += 1;
    this.#trialInFlight = false;
    if (this.state(now) === 'trial') return this.eject(now, failTimeoutMs);
    if (now - this.#firstFailAt > failTimeoutMs) {
      this.#fails = 0;
      this.#firstFailAt = now;
    }
    this.#fails += 1;
    if (maxFails === 0 || this.#fails < maxFails) return false;
    return this.eject(now, failTimeoutMs);
  }

  /** Takes it out for `failTimeoutMs` (too many failures, or its health Watch broke). False when it already was. */
  eject(now: number, failTimeoutMs: number): boolean {
    if (this.state(now) === 'ejected') return false;
    this.#trialInFlight = false;
    this.#ejectedUntil = now + failTimeoutMs;
    return true;
  }

  /** What its health Watch says; SERVING ends an ejection at once (the instance is back). */
  setHealth(status: string): void {
    this.#health = status;
    if (status === 'SERVING') this.succeeded();
  }

  /** Gone from DNS: no new requests; its connection closes once idle. */
  remove(): void {
    this.#removed = true;
    this.client.close(false);
  }

  stats(now: number): MemberStats {
    return {
      address: this.address,
      state: this.state(now),
      outstanding: this.client.inFlight,
      requests: this.requests,
      failures: this.failures,
      health: this.#health,
    };
  }
}
