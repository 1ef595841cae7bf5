import type { Boundary, Limits } from '@mono/contracts';
import { AppError } from '@mono/errors';
import { noLimits, sameLimits, smallestLimits } from './hop-limits';
import { MuxClient, type CallOptions, type MuxClientOptions } from './mux-client';
import { PoolCall, type PoolCallOptions } from './pool-call';
import { PoolMember, type MemberStats } from './pool-member';
import { resolveServers, systemResolver, type Resolver } from './resolve-servers';
import type { ResponseSink } from './client-call';

export type Balance = 'round-robin' | 'least-outstanding';

/** A pool's settings; the defaults are nginx's (`max_fails=1 fail_timeout=10s`, round-robin). */
export interface PoolSettings {
  /** `host:port` (a name resolving to several addresses is that many members), `[v6]:port`, `unix:/path`. */
  servers: readonly string[];
  balance?: Balance;
  /** Failures within `failTimeoutMs` that take a member out (a lost health Watch takes it out at once); 0: never. */
  maxFails?: number;
  failTimeoutMs?: number;
  /** How often names are looked up again (also soon after a failure). */
  resolveEveryMs?: number;
  /** Tries per request, the first included; 0: min(members, 2). */
  tries?: number;
  /** Request-body bytes kept for a retry until the request is accepted. */
  retainBodyBytes?: number;
}

export interface PoolEvents {
  /** A member joined, left, was taken out or came back. */
  onMember?(address: string, event: 'added' | 'removed' | 'ejected' | 'serving' | 'not serving'): void;
  /** A request went to another member. */
  onRetry?(reason: string): void;
  /** A name could not be resolved (once per change). */
  onResolveError?(server: string): void;
  /**
   * What the pool accepts of every request changed: for each limit the smallest its members announced (a member
   * that went away no longer counts; one that is unreachable still does, with what it said last).
   */
  onLimits?(limits: Limits): void;
}

export interface PoolStats {
  members: MemberStats[];
  retries: number;
  retriesByReason: Record<string, number>;
  ejections: number;
}

const MIN_RESOLVE_GAP_MS = 1_000;
const NO_LIMITS: Limits = Object.freeze(noLimits());

/**
 * The instances behind one upstream name, and the one place requests are balanced and retried on every hop
 * (docs/adr/0006-resilience.md): round-robin or least-outstanding over the members that are up, passive health from
 * failures, active health from each member's grpc.health.v1 Watch, names re-resolved periodically and after a
 * failure, and `call()` retrying a request on another member only when that is safe.
 *
 * @example
 * const pool = new Pool(gatewayBoundary, { servers: ['gateway:50051'] }, { errors: edgeHopErrors });
 * await pool.start();
 * const call = pool.call(request, { headTimeoutMs: 60_000, idleTimeoutMs: 60_000 }, sink, { idempotent: true });
 */
export class Pool<H> {
  readonly settings: Readonly<Required<PoolSettings>>;
  readonly #boundary: Boundary<H>;
  readonly #clientOptions: MuxClientOptions;
  readonly #events: PoolEvents;
  readonly #resolver: Resolver;
  readonly #members = new Map<string, PoolMember<H>>();
  #list: PoolMember<H>[] = [];
  #next = 0;
  #retries = 0;
  readonly #retriesByReason: Record<string, number> = {};
  #ejections = 0;
  #timer: NodeJS.Timeout | undefined;
  #lastResolve = 0;
  #resolving: Promise<void> | undefined;
  #unresolved = new Set<string>();
  /** undefined until a member announced any. */
  #limits: Limits | undefined;
  #closed = false;

  constructor(
    boundary: Boundary<H>,
    settings: PoolSettings,
    clientOptions: MuxClientOptions,
    { events = {}, resolver = systemResolver }: { events?: PoolEvents; resolver?: Resolver } = {},
  ) {
    if (settings.servers.length === 0) throw new Error(`no ${boundary.server} configured`);
    this.#boundary = boundary;
    this.#clientOptions = clientOptions;
    this.#events = events;
    this.#resolver = resolver;
    this.settings = {
      servers: settings.servers,
      balance: settings.balance ?? 'round-robin',
      maxFails: settings.maxFails ?? 1,
      failTimeoutMs: settings.failTimeoutMs ?? 10_000,
      resolveEveryMs: settings.resolveEveryMs ?? 5_000,
      tries: settings.tries ?? 0,
      retainBodyBytes: settings.retainBodyBytes ?? 1 << 20,
    };
  }

  /** Resolves the servers once and opens a stream to every member; re-resolves periodically from then on. */
  async start(): Promise<void> {
    await this.resolve();
    if (this.settings.resolveEveryMs > 0 && !this.#closed) {
      this.#timer = setInterval(() => void this.resolve(), this.settings.resolveEveryMs);
      this.#timer.unref();
    }
  }

  /** True when some member is connected and not draining: requests have somewhere to go. */
  get ready(): boolean {
    const now = Date.now();
    return this.#list.some((member) => member.available(now) && member.client.isConnected() && member.health !== '');
  }

  /** What every member accepts: for each limit, the smallest any member announced (docs/adr/0014). */
  get limits(): Limits {
    return this.#limits ?? NO_LIMITS;
  }

  get size(): number {
    return this.#list.length;
  }

  /** Tries a request gets, the first included. */
  get tries(): number {
    return this.settings.tries > 0 ? this.settings.tries : Math.max(1, Math.min(this.#list.length, 2));
  }

  /**
   * Sends a request to a member; on a failure that is safe to retry (see PoolCall) it goes to another one. With no
   * member at all, the sink hears `unavailable` at once.
   */
  call(head: H, options: CallOptions, sink: ResponseSink, callOptions: PoolCallOptions): PoolCall<H> {
    return new PoolCall(this, head, options, sink, callOptions);
  }

  /**
   * The member for a new request, other than those in `tried`: the next one up and serving (round-robin) or the
   * one with the fewest requests outstanding; one whose health is not known yet only when none is known to serve; a
   * member whose ejection is over gets one trial request. When every member is
   * draining, one of them still gets the request, to refuse it as not accepted (503); when every member is out, none
   * (502 at once). A lone member is never out, as nginx ignores max_fails for a single server.
   */
  pick(tried?: ReadonlySet<PoolMember<H>>): PoolMember<H> | undefined {
    const now = Date.now();
    const list = this.#list;
    if (list.length === 1) {
      const lone = list[0] as PoolMember<H>;
      return tried?.has(lone) ? undefined : this.#begin(lone, now);
    }
    let best: PoolMember<H> | undefined;
    let unknown: PoolMember<H> | undefined;
    let draining: PoolMember<H> | undefined;
    for (let n = 0; n < list.length; n += 1) {
      const member = list[(this.#next + n) % list.length] as PoolMember<H>;
      if (tried?.has(member)) continue;
      if (!member.available(now)) {
        if (draining === undefined && member.state(now) === 'draining') draining = member;
        continue;
      }
      // A member whose health is not known yet (just found in DNS) goes last among those up.
      if (member.health !== 'SERVING') {
        unknown ??= member;
        continue;
      }
      if (this.settings.balance === 'round-robin') {
        best = member;
        break;
      }
      if (best === undefined || member.client.inFlight < best.client.inFlight) best = member;
    }
    const chosen = best ?? unknown ?? draining;
    if (chosen === undefined) return undefined;
    this.#next = (list.indexOf(chosen) + 1) % list.length;
    return this.#begin(chosen, now);
  }

  /** A request to `member` could not be delivered (connection refused, stream broken). */
  failed(member: PoolMember<H>): void {
    if (member.failed(Date.now(), this.settings.maxFails, this.settings.failTimeoutMs)) this.#ejected(member);
    if (Date.now() - this.#lastResolve >= MIN_RESOLVE_GAP_MS) void this.resolve();
  }

  retried(reason: string): void {
    this.#retries += 1;
    this.#retriesByReason[reason] = (this.#retriesByReason[reason] ?? 0) + 1;
    this.#events.onRetry?.(reason);
  }

  /** The code of a request whose member could not be reached or whose stream broke. */
  get unavailableCode(): string {
    return this.#clientOptions.errors.unavailable;
  }

  /** The error a request gets when no member can take it. */
  unavailable(): AppError {
    return new AppError(this.#clientOptions.errors.unavailable, `no ${this.#boundary.server} instance is reachable`);
  }

  stats(): PoolStats {
    const now = Date.now();
    return {
      members: this.#list.map((member) => member.stats(now)),
      retries: this.#retries,
      retriesByReason: { ...this.#retriesByReason },
      ejections: this.#ejections,
    };
  }

  close(): void {
    this.#closed = true;
    if (this.#timer) clearInterval(this.#timer);
    for (const member of this.#list) member.client.close();
    this.#members.clear();
    this.#list = [];
  }

  /** Looks the servers up again: new addresses become members, vanished ones are drained and removed. */
  resolve(): Promise<void> {
    this.#resolving ??= this.#resolve().finally(() => {
      this.#resolving = undefined;
    });
    return this.#resolving;
  }

  async #resolve(): Promise<void> {
    this.#lastResolve = Date.now();
    const { addresses, failed } = await resolveServers(this.settings.servers, this.#resolver);
    if (this.#closed) return;
    for (const server of failed) if (!this.#unresolved.has(server)) this.#events.onResolveError?.(server);
    this.#unresolved = new Set(failed);
    // A name that did not resolve this time keeps its members: DNS hiccups must not empty a pool.
    if (failed.length > 0 && addresses.length === 0) return;
    const current = new Set(addresses);
    for (const address of addresses) if (!this.#members.has(address)) this.#add(address);
    let removed = false;
    if (failed.length === 0) {
      for (const [address, member] of this.#members) {
        if (current.has(address)) continue;
        this.#remove(address, member);
        removed = true;
      }
    }
    this.#list = [...this.#members.values()];
    if (removed) this.#limitsChanged();
  }

  #limitsChanged(): void {
    if (this.#closed) return;
    const limits = smallestLimits(this.#list.map((member) => member.client.limits));
    // The first announcement is news even when it limits nothing: the layer in front learns that they agree.
    if (this.#limits !== undefined && sameLimits(limits, this.#limits)) return;
    this.#limits = limits;
    this.#events.onLimits?.(limits);
  }

  #add(address: string): void {
    const client = new MuxClient(address, this.#boundary, {
      ...this.#clientOptions,
      onLimits: () => this.#limitsChanged(),
    });
    const member = new PoolMember(address, client);
    this.#members.set(address, member);
    client.warm();
    client.watchHealth((status) => {
      const before = member.health;
      member.setHealth(status);
      if (status === before) return;
      if (status === 'SERVING') this.#events.onMember?.(address, 'serving');
      else if (before === 'SERVING') this.#events.onMember?.(address, 'not serving');
      // A Watch that broke lost its connection: the member is out now, not when a request next finds it dead.
      if (status === '' && this.settings.maxFails > 0 && member.eject(Date.now(), this.settings.failTimeoutMs))
        this.#ejected(member);
    });
    this.#events.onMember?.(address, 'added');
  }

  #ejected(member: PoolMember<H>): void {
    this.#ejections += 1;
    this.#events.onMember?.(member.address, 'ejected');
  }

  #remove(address: string, member: PoolMember<H>): void {
    this.#members.delete(address);
    member.remove();
    this.#events.onMember?.(address, 'removed');
  }

  #begin(member: PoolMember<H>, now: number): PoolMember<H> {
    member.begin(now);
    return member;
  }
}
