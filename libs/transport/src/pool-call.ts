import { context, trace, type Context } from '@opentelemetry/api';
import type { ResponseHead } from '@mono/contracts';
import type { AppError } from '@mono/errors';
import { ATTR_MONO_RETRY_REASON } from '@mono/telemetry';
import { ATTR_SERVER_ADDRESS } from '@opentelemetry/semantic-conventions';
import type { ClientCall, ResponseSink } from './client-call';
import type { CallOptions } from './mux-client';
import type { Pool } from './pool';
import type { PoolMember } from './pool-member';

export interface PoolCallOptions {
  /** The method is idempotent (RFC 9110: GET, HEAD, OPTIONS, TRACE, PUT, DELETE): it may run twice. */
  idempotent: boolean;
}

/**
 * One request sent through a pool: a ClientCall on one member at a time, retried on another member only when that
 * cannot run it twice (docs/adr/0006-resilience.md):
 * - the member refused it as **not accepted** (draining, queue full, not ready; or its stream never became ready):
 *   it reached no application, so any method may go elsewhere;
 * - its stream broke before any response: only an idempotent method may go elsewhere;
 * never once a response head was passed on, and a request with a body only while this call still holds everything it
 * sent (up to `retainBodyBytes`, kept until the member accepts the request). A failure passed on is no longer "not
 * accepted": the hop that saw it did the retrying, so an outer hop does not multiply it.
 */
export class PoolCall<H> {
  readonly #pool: Pool<H>;
  readonly #head: H;
  readonly #options: CallOptions;
  readonly #sink: ResponseSink;
  readonly #idempotent: boolean;
  readonly #startedAt = performance.now();
  readonly #context: Context = context.active();
  #attempt: Attempt<H> | undefined;
  #tried: Set<PoolMember<H>> | undefined;
  /** Body chunks sent so far, for a retry; null once too many or once accepted. */
  #retained: Uint8Array[] | null | undefined;
  #retainedBytes = 0;
  #attempts = 0;
  #ended = false;
  #delivered = false;
  #done = false;
  #ondrain: (() => void) | undefined;

  constructor(pool: Pool<H>, head: H, options: CallOptions, sink: ResponseSink, { idempotent }: PoolCallOptions) {
    this.#pool = pool;
    this.#head = head;
    this.#options = options;
    this.#sink = sink;
    this.#idempotent = idempotent;
    const member = pool.pick();
    if (member === undefined) process.nextTick(() => this.#giveUp(pool.unavailable()));
    else this.#send(member, options);
  }

  /** The member the request went to last. */
  get upstream(): string | undefined {
    return this.#attempt?.member.address;
  }

  get done(): boolean {
    return this.#done;
  }

  set ondrain(listener: (() => void) | undefined) {
    this.#ondrain = listener;
    if (this.#attempt) this.#attempt.call.ondrain = listener;
  }

  write(chunk: Uint8Array): boolean {
    if (this.#done || this.#attempt === undefined) return true;
    if (this.#retained !== null) this.#retain(chunk);
    return this.#attempt.call.write(chunk);
  }

  end(): void {
    this.#ended = true;
    if (!this.#done) this.#attempt?.call.end();
  }

  ack(bytes: number): void {
    this.#attempt?.call.ack(bytes);
  }

  cancel(): void {
    if (this.#done) return;
    this.#done = true;
    this.#attempt?.call.cancel();
  }

  onAccepted(attempt: Attempt<H>): void {
    if (attempt === this.#attempt) this.#retained = null;
  }

  onHead(attempt: Attempt<H>, head: ResponseHead): void {
    if (attempt !== this.#attempt || this.#done) return;
    this.#delivered = true;
    this.#retained = null;
    attempt.member.succeeded();
    this.#sink.head(head);
  }

  onData(attempt: Attempt<H>, chunk: Uint8Array): void {
    if (attempt === this.#attempt && !this.#done) this.#sink.data(chunk);
  }

  onEnd(attempt: Attempt<H>): void {
    if (attempt !== this.#attempt || this.#done) return;
    this.#done = true;
    this.#sink.end();
  }

  onLast(attempt: Attempt<H>, chunk: Uint8Array): void {
    if (attempt !== this.#attempt || this.#done) return;
    this.#done = true;
    const sink = this.#sink;
    if (sink.last !== undefined) sink.last(chunk);
    else {
      sink.data(chunk);
      sink.end();
    }
  }

  onError(attempt: Attempt<H>, err: AppError): void {
    if (attempt !== this.#attempt || this.#done) return;
    const unreachable = err.code === this.#pool.unavailableCode;
    if (unreachable) this.#pool.failed(attempt.member);
    else if (!this.#delivered) attempt.member.succeeded();
    const reason = this.#retryReason(err, unreachable);
    const next = reason === undefined ? undefined : this.#pool.pick(this.#triedWith(attempt.member));
    if (reason === undefined || next === undefined) {
      this.#giveUp(err);
      return;
    }
    this.#pool.retried(reason);
    trace
      .getSpan(this.#context)
      ?.addEvent('retry', { [ATTR_MONO_RETRY_REASON]: reason, [ATTR_SERVER_ADDRESS]: next.address });
    const elapsed = Math.floor(performance.now() - this.#startedAt);
    const headTimeoutMs = this.#options.headTimeoutMs > 0 ? Math.max(1, this.#options.headTimeoutMs - elapsed) : 0;
    context.with(this.#context, () => this.#send(next, { ...this.#options, headTimeoutMs }));
  }

  #retryReason(err: AppError, unreachable: boolean): string | undefined {
    if (this.#delivered || this.#attempts >= this.#pool.tries) return undefined;
    if (this.#retained === null && !(this.#ended && this.#retainedBytes === 0)) return undefined;
    if (err.notAccepted) return unreachable ? 'unreachable' : 'not accepted';
    if (unreachable && this.#idempotent) return 'stream broke';
    return undefined;
  }

  #triedWith(member: PoolMember<H>): Set<PoolMember<H>> {
    this.#tried ??= new Set();
    this.#tried.add(member);
    return this.#tried;
  }

  #send(member: PoolMember<H>, options: CallOptions): void {
    const attempt = new Attempt(this, member);
    this.#attempt = attempt;
    this.#attempts += 1;
    attempt.call = member.client.call(this.#head, options, attempt);
    if (this.#ondrain) attempt.call.ondrain = this.#ondrain;
    if (this.#retained) for (const chunk of this.#retained) attempt.call.write(chunk);
    if (this.#ended) attempt.call.end();
  }

  #retain(chunk: Uint8Array): void {
    this.#retainedBytes += chunk.byteLength;
    if (this.#retainedBytes > this.#pool.settings.retainBodyBytes) this.#retained = null;
    else (this.#retained ??= []).push(chunk);
  }

  #giveUp(err: AppError): void {
    if (this.#done) return;
    this.#done = true;
    this.#sink.error(err.notAccepted ? err.passedOn() : err);
  }
}

/** The sink of one try: passes what its call hears to the PoolCall, which ignores tries it gave up on. */
class Attempt<H> implements ResponseSink {
  readonly owner: PoolCall<H>;
  readonly member: PoolMember<H>;
  call!: ClientCall;

  constructor(owner: PoolCall<H>, member: PoolMember<H>) {
    this.owner = owner;
    this.member = member;
  }

  accepted(): void {
    this.owner.onAccepted(this);
  }

  head(head: ResponseHead): void {
    this.owner.onHead(this, head);
  }

  data(chunk: Uint8Array): void {
    this.owner.onData(this, chunk);
  }

  end(): void {
    this.owner.onEnd(this);
  }

  last(chunk: Uint8Array): void {
    this.owner.onLast(this, chunk);
  }

  error(err: AppError): void {
    this.owner.onError(this, err);
  }
}
