import { Metadata, type ServerDuplexStream } from '@grpc/grpc-js';
import type { Boundary, ReplyBatch, ReplyFrame, RequestBatch, RequestFrame, ResponseHead } from '@mono/contracts';
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

/** A server's frames: a failure or the response's end ends the call for the client, so nothing joins them. */
const REPLY_FRAMES: FrameKind<ReplyFrame> = {
  body: (id, data, end, credit) => ({ id, data, end, credit }),
  final: (frame) => frame.failure !== undefined || frame.end,
};

/** One client's Exchange stream on the server, and the calls multiplexed on it. */
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

  constructor(
    stream: ServerDuplexStream<RequestBatch<H>, ReplyBatch>,
    boundary: Boundary<H>,
    handler: CallHandler<H>,
    errors: ServerErrors,
    onClosed: (connection: ServerConnection<H>) => void,
    onBodyBytes: ((bytes: number) => void) | undefined,
  ) {
    this.#stream = stream;
    this.#boundary = boundary as Boundary<unknown>;
    this.#handler = handler;
    this.#errors = errors;
    this.#onClosed = onClosed;
    this.#onBodyBytes = onBodyBytes;
    this.#outbox = new Outbox((frames) => this.#stream.write({ frames }), REPLY_FRAMES, onBodyBytes);
    stream.on('data', this.#onData);
    stream.on('end', this.#onEnd);
    stream.on('error', this.#onGone);
    stream.on('cancelled', this.#onGone);
    stream.sendMetadata(new Metadata());
  }

  get inFlight(): number {
    return this.#calls.size;
  }

  /** Refuses new requests, lets those in flight finish, then ends the stream. */
  drain(): void {
    this.#draining = true;
    this.#endIfIdle();
  }

  head(id: number, head: ResponseHead): void {
    this.#outbox.push({ id, head, data: EMPTY, end: false, credit: 0 });
  }

  data(id: number, chunk: Uint8Array | undefined, end: boolean): void {
    this.#outbox.data(id, chunk, end);
  }

  credit(id: number, bytes: number): void {
    this.#outbox.credit(id, bytes);
  }

  fail(id: number, failure: ReplyFrame['failure']): void {
    this.#outbox.push({ id, data: EMPTY, end: false, credit: 0, failure });
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
    if (this.#draining) {
      this.fail(frame.id, toFailure(new AppError(this.#errors.shuttingDown, 'the server is shutting down')));
      return;
    }
    const { timeoutMs = 0, traceContext = {} } = frame.call ?? {};
    const span = startServerSpan(this.#boundary, traceContext);
    const call = new ServerCall(frame.id, head, timeoutMs, traceContext, this, this.#errors, span);
    this.#calls.set(frame.id, call);
    try {
      call.open(frame, this.#handler);
    } catch (err) {
      call.fail(toAppError(err, this.#errors.internal));
    }
  }

  #endIfIdle(): void {
    if (this.#calls.size > 0 || !this.#alive) return;
    this.#outbox.flush();
    this.#alive = false;
    this.#outbox.close();
    this.#stream.end();
    this.#onClosed(this);
  }

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
    this.drain();
  };

  readonly #onGone = (): void => {
    if (!this.#alive) return;
    this.#alive = false;
    this.#outbox.close();
    const reason = new AppError(this.#errors.cancelled, 'the client stream is gone');
    const calls = this.#calls.values();
    this.#calls.clear();
    for (const call of calls) call.abort(reason);
    this.#onClosed(this);
  };
}
