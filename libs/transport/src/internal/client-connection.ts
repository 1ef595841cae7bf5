import type { ClientDuplexStream, Client } from '@grpc/grpc-js';
import { Metadata } from '@grpc/grpc-js';
import type { Boundary, Call, Limits, ReplyBatch, RequestBatch, RequestFrame } from '@mono/contracts';
import { AppError, type ErrorCode } from '@mono/errors';
import { ClientCall, type ClientCallErrors, type ClientLink, type ResponseSink } from '../client-call';
import { CallTable } from './call-table';
import { EMPTY } from './limits';
import { Outbox, type FrameKind } from './outbox';
import type { RequestSpan } from './request-span';

export interface ConnectionErrors extends ClientCallErrors {
  /** The code every call in flight ends with when the stream breaks or cannot be opened. */
  unavailable: ErrorCode;
}

/** What a connection tells its owner. */
export interface ConnectionEvents<H> {
  /** The server answered the new stream. */
  ready(): void;
  /** The server announced what it accepts (its stream's first message, and whenever that changes). */
  limits(limits: Limits): void;
  /** The server said goaway: open no new request here. */
  draining(connection: ClientConnection<H>): void;
  /** The stream is gone; `graceful` when it ended after a goaway with nothing in flight. */
  closed(connection: ClientConnection<H>, detail: string, graceful: boolean): void;
}

const MAX_ID = 0xffff_ffff;

/** A client's frames: a cancel ends the call for the server, so nothing joins it. */
const REQUEST_FRAMES: FrameKind<RequestFrame<never>> = {
  body: (id, data, end, credit) => ({ id, data, end, cancel: false, credit }),
  final: (frame) => frame.cancel,
};

/**
 * One long-lived Exchange stream and the calls multiplexed on it. It dies as a whole: when the stream breaks, every
 * call in flight fails with `unavailable` — marked not accepted when it provably never reached the server (the
 * stream never became ready, or its first frame never left) — and the owner opens a new connection for the next
 * request. A server that drains says goaway: no new call goes here, and the stream half-closes once its calls are done.
 */
export class ClientConnection<H> implements ClientLink {
  readonly #stream: ClientDuplexStream<RequestBatch<H>, ReplyBatch>;
  readonly #calls = new CallTable<ClientCall>();
  readonly #outbox: Outbox<RequestFrame<H>>;
  readonly #errors: ConnectionErrors;
  readonly #events: ConnectionEvents<H>;
  readonly #onBodyBytes: ((bytes: number) => void) | undefined;
  readonly #upstream: string;
  readonly #headBackstopMs: number;
  #nextId = 1;
  #alive = true;
  #ready = false;
  #draining = false;
  #halfClosed = false;
  #readyTimer: NodeJS.Timeout | undefined;

  constructor(
    client: Client,
    boundary: Boundary<H>,
    errors: ConnectionErrors,
    connectTimeoutMs: number,
    events: ConnectionEvents<H>,
    onBodyBytes: ((bytes: number) => void) | undefined,
    headBackstopMs: number,
  ) {
    this.#errors = errors;
    this.#headBackstopMs = headBackstopMs;
    this.#events = events;
    this.#onBodyBytes = onBodyBytes;
    this.#upstream = boundary.server;
    this.#stream = client.makeBidiStreamRequest(
      boundary.path,
      boundary.serializeRequest,
      boundary.deserializeReply,
      new Metadata(),
      {},
    );
    // Nothing is written before the server answers the stream: so a call on a stream that never became ready
    // provably never reached the server (it is refused as not accepted, and may go elsewhere whatever its method).
    this.#outbox = new Outbox<RequestFrame<H>>((frames) => this.#stream.write({ frames }), REQUEST_FRAMES, onBodyBytes);
    this.#outbox.hold();
    this.#stream.on('metadata', this.#onMetadata);
    this.#stream.on('data', this.#onData);
    this.#stream.on('error', this.#onError);
    this.#stream.on('end', this.#onEnd);
    this.#readyTimer = setTimeout(this.#onConnectTimeout, connectTimeoutMs);
  }

  /** It takes new calls: alive, and the server did not say goaway. */
  get usable(): boolean {
    return this.#alive && !this.#draining;
  }

  get alive(): boolean {
    return this.#alive;
  }

  get ready(): boolean {
    return this.#ready;
  }

  get inFlight(): number {
    return this.#calls.size;
  }

  open(head: H, call: Call, sink: ResponseSink, span: RequestSpan): ClientCall {
    const id = this.#allocateId();
    const clientCall = new ClientCall(id, this, sink, this.#errors, call.headTimeoutMs, span, this.#headBackstopMs);
    this.#calls.set(id, clientCall);
    this.#outbox.push({ id, call, head, data: EMPTY, end: false, cancel: false, credit: 0 });
    return clientCall;
  }

  data(id: number, chunk: Uint8Array | undefined, end: boolean): void {
    this.#outbox.data(id, chunk, end);
  }

  credit(id: number, bytes: number): void {
    this.#outbox.credit(id, bytes);
  }

  cancel(id: number): void {
    this.#outbox.push({ id, data: EMPTY, end: false, cancel: true, credit: 0 });
  }

  release(id: number): void {
    this.#calls.delete(id);
    if (this.#draining && this.#calls.size === 0) this.#halfClose();
  }

  /** Ends the stream at once (`force`), or once the calls in flight are done. */
  close(force = true): void {
    if (!this.#alive) return;
    if (force) {
      this.#die('closed by this side');
      this.#stream.cancel();
      return;
    }
    this.#draining = true;
    if (this.#calls.size === 0) this.#halfClose();
  }

  #allocateId(): number {
    do {
      this.#nextId = this.#nextId >= MAX_ID ? 1 : this.#nextId + 1;
    } while (this.#calls.has(this.#nextId));
    return this.#nextId;
  }

  #halfClose(): void {
    if (this.#halfClosed || !this.#alive) return;
    this.#halfClosed = true;
    this.#outbox.flush();
    this.#stream.end();
  }

  /** Fails every call in flight with a message that names the service but not its address (that goes to the log). */
  #die(detail: string): void {
    if (!this.#alive) return;
    this.#alive = false;
    if (this.#readyTimer) clearTimeout(this.#readyTimer);
    const unsent = this.#outbox.close();
    const calls = this.#calls.values();
    this.#calls.clear();
    if (calls.length > 0) {
      const lost = new AppError(this.#errors.unavailable, `the ${this.#upstream} is unavailable`);
      const refused = new AppError(this.#errors.unavailable, `the ${this.#upstream} is unavailable`, {
        notAccepted: true,
      });
      const neverSent = new Set(unsent.filter((f) => f.call !== undefined).map((f) => f.id));
      for (const call of calls) call.lost(neverSent.has(call.id) ? refused : lost);
    }
    this.#events.closed(this, detail, this.#draining && calls.length === 0);
  }

  readonly #onMetadata = (): void => {
    this.#ready = true;
    if (this.#readyTimer) clearTimeout(this.#readyTimer);
    this.#readyTimer = undefined;
    this.#outbox.release();
    this.#events.ready();
  };

  readonly #onData = (batch: ReplyBatch): void => {
    if (batch.limits !== undefined) this.#events.limits(batch.limits);
    let bytes = 0;
    for (const frame of batch.frames) {
      bytes += frame.data.byteLength;
      this.#calls.get(frame.id)?.receive(frame);
    }
    if (bytes > 0) this.#onBodyBytes?.(bytes);
    if (batch.goaway && !this.#draining) {
      this.#draining = true;
      this.#events.draining(this);
      if (this.#calls.size === 0) this.#halfClose();
    }
  };

  readonly #onError = (err: Error & { code?: number; details?: string }): void => {
    this.#die(err.details ?? err.message);
  };

  readonly #onEnd = (): void => {
    this.#die('the server ended the stream');
  };

  readonly #onConnectTimeout = (): void => {
    this.#readyTimer = undefined;
    if (this.#ready || !this.#alive) return;
    this.#die('no answer to the new stream in time');
    this.#stream.cancel();
  };
}
