import { Metadata, type ServerDuplexStream } from '@grpc/grpc-js';
import type {
  Boundary,
  Limits,
  ReplyBatch,
  ReplyFrame,
  RequestBatch,
  RequestFrame,
  ResponseHead,
} from '@mono/contracts';
import { AppError, toAppError, toFailure, type ErrorCode } from '@mono/errors';
import { ServerCall, type ServerCallErrors, type ServerLink } from '../server-call';
import { CallTable } from './call-table';
import { EMPTY } from './limits';
import { Outbox, type FrameKind } from './outbox';
import { startServerSpan } from './request-span';

export interface ServerErrors extends ServerCallErrors {
  /** A handler that throws fails its call with this code. */
  internal: ErrorCode;
  /** Requests that arrive while the server drains fail with this code. */
  shuttingDown: ErrorCode;
}

export type CallHandler<H> = (call: ServerCall<H>) => void;

const NO_LIMITS = Object.freeze({ traceContext: {}, headTimeoutMs: 0, idleTimeoutMs: 0 });

/** A server's frames: a failure or the response's end ends the call for the client, so nothing joins them. */
const REPLY_FRAMES: FrameKind<ReplyFrame> = {
  body: (id, data, end, credit) => ({ id, data, end, credit, accepted: false }),
  final: (frame) => frame.failure !== undefined || frame.end,
};

/** How often idle limits are checked: a quarter of the smallest limit seen, between these bounds. */
const MIN_SWEEP_MS = 50;
const MAX_SWEEP_MS = 1_000;

/**
 * One client's Exchange stream on the server, and the calls multiplexed on it. It sends its stream headers, then the
 * limits the server accepts (and again whenever they change: `announce`). Draining, it tells the client goaway,
 * refuses new requests as not accepted (any that crossed the goaway) or serves them (a reload: docs/adr/0010), and
 * ends the stream once the client has half-closed it and the calls in flight are done (docs/adr/0006-resilience.md).
 */
export class ServerConnection<H> implements ServerLink {
  readonly #stream: ServerDuplexStream<RequestBatch<H>, ReplyBatch>;
  readonly #calls = new CallTable<ServerCall<H>>();
  readonly #outbox: Outbox<ReplyFrame>;
  readonly #handler: CallHandler<H>;
  readonly #errors: ServerErrors;
  readonly #boundary: Boundary<unknown>;
  readonly #onClosed: (connection: ServerConnection<H>) => void;
  readonly #onBodyBytes: ((bytes: number) => void) | undefined;
  #alive = true;
  #draining = false;
  /** Requests that arrive now are refused as not accepted. */
  #refusing = false;
  #clientEnded = false;
  #sweepMs = MAX_SWEEP_MS;
  #sweep: NodeJS.Timeout | undefined;

  constructor(
    stream: ServerDuplexStream<RequestBatch<H>, ReplyBatch>,
    boundary: Boundary<H>,
    handler: CallHandler<H>,
    errors: ServerErrors,
    onClosed: (connection: ServerConnection<H>) => void,
    onBodyBytes: ((bytes: number) => void) | undefined,
    limits: Limits | undefined,
  ) {
    this.#stream = stream;
    this.#boundary = boundary as Boundary<unknown>;
    this.#handler = handler;
    this.#errors = errors;
    this.#onClosed = onClosed;
    this.#onBodyBytes = onBodyBytes;
    this.#outbox = new Outbox((frames) => this.#stream.write({ frames, goaway: false }), REPLY_FRAMES, onBodyBytes);
    stream.on('data', this.#onData);
    stream.on('end', this.#onEnd);
    stream.on('error', this.#onGone);
    stream.on('cancelled', this.#onGone);
    stream.sendMetadata(new Metadata());
    if (limits !== undefined) stream.write({ frames: [], goaway: false, limits });
  }

  get inFlight(): number {
    return this.#calls.size;
  }

  /**
   * Tells the client goaway; requests that crossed it are refused as not accepted, or served (`crossing: 'serve'`).
   * The stream ends once the client is done with it.
   */
  drain(crossing: 'refuse' | 'serve' = 'refuse'): void {
    if (this.#draining || !this.#alive) return;
    this.#draining = true;
    this.#refusing = crossing === 'refuse';
    this.#outbox.flush();
    if (!this.#clientEnded) this.#stream.write({ frames: [], goaway: true });
    this.#endIfIdle();
  }

  /** The server's limits changed: the client hears them before the replies of this turn. */
  announce(limits: Limits): void {
    if (!this.#alive || this.#clientEnded) return;
    this.#stream.write({ frames: [], goaway: false, limits });
  }

  head(id: number, head: ResponseHead): void {
    this.#outbox.push({ id, head, data: EMPTY, end: false, credit: 0, accepted: false });
  }

  data(id: number, chunk: Uint8Array | undefined, end: boolean): void {
    this.#outbox.data(id, chunk, end);
  }

  credit(id: number, bytes: number): void {
    this.#outbox.credit(id, bytes);
  }

  fail(id: number, failure: ReplyFrame['failure']): void {
    this.#outbox.push({ id, data: EMPTY, end: false, credit: 0, failure, accepted: false });
  }

  accepted(id: number): void {
    this.#outbox.push({ id, data: EMPTY, end: false, credit: 0, accepted: true });
  }

  release(id: number): void {
    this.#calls.delete(id);
    if (this.#draining) this.#endIfIdle();
  }

  #open(frame: RequestFrame<H>, head: H): void {
    if (this.#calls.has(frame.id)) {
      this.#calls.get(frame.id)?.fail(new AppError(this.#errors.protocol, `request id ${frame.id} reused`));
      return;
    }
    if (this.#refusing) {
      const refused = new AppError(this.#errors.shuttingDown, 'the server is shutting down', { notAccepted: true });
      this.fail(frame.id, toFailure(refused));
      return;
    }
    const limits = frame.call ?? NO_LIMITS;
    const span = startServerSpan(this.#boundary, limits.traceContext);
    const call = new ServerCall(frame.id, head, limits, limits.traceContext, this, this.#errors, span);
    this.#calls.set(frame.id, call);
    if (limits.idleTimeoutMs > 0) this.#watchIdle(limits.idleTimeoutMs);
    try {
      call.open(frame, this.#handler);
    } catch (err) {
      call.fail(toAppError(err, this.#errors.internal));
    }
  }

  #endIfIdle(): void {
    if (this.#calls.size > 0 || !this.#alive || !this.#clientEnded) return;
    this.#outbox.flush();
    this.#alive = false;
    this.#outbox.close();
    this.#stopSweep();
    this.#stream.end();
    this.#onClosed(this);
  }

  #watchIdle(idleTimeoutMs: number): void {
    const every = Math.min(MAX_SWEEP_MS, Math.max(MIN_SWEEP_MS, Math.floor(idleTimeoutMs / 4)));
    if (this.#sweep !== undefined && every >= this.#sweepMs) return;
    this.#stopSweep();
    this.#sweepMs = every;
    this.#sweep = setInterval(this.#onSweep, every);
    this.#sweep.unref();
  }

  #stopSweep(): void {
    if (this.#sweep === undefined) return;
    clearInterval(this.#sweep);
    this.#sweep = undefined;
    this.#sweepMs = MAX_SWEEP_MS;
  }

  readonly #onSweep = (): void => {
    const now = performance.now();
    for (const call of this.#calls.values()) call.checkIdle(now);
  };

  readonly #onData = (batch: RequestBatch<H>): void => {
    let bytes = 0;
    for (const frame of batch.frames) {
      bytes += frame.data.byteLength;
      if (frame.head) this.#open(frame, frame.head);
      else this.#calls.get(frame.id)?.receive(frame);
    }
    if (bytes > 0) this.#onBodyBytes?.(bytes);
  };

  readonly #onEnd = (): void => {
    // The client half-closed: it sends no new requests; answer those in flight, then end.
    this.#clientEnded = true;
    this.#draining = true;
    this.#endIfIdle();
  };

  readonly #onGone = (): void => {
    if (!this.#alive) return;
    this.#alive = false;
    this.#outbox.close();
    this.#stopSweep();
    const reason = new AppError(this.#errors.cancelled, 'the client stream is gone');
    const calls = this.#calls.values();
    this.#calls.clear();
    for (const call of calls) call.abort(reason);
    this.#onClosed(this);
  };
}
