import { EMPTY, MAX_BATCH_BYTES } from './limits';

/** The fields every frame has, on either side of a hop. */
export interface Frame {
  id: number;
  data: Uint8Array;
  end: boolean;
  credit: number;
}

/** How one side makes its frames, and which of them take no more fields. */
export interface FrameKind<F extends Frame> {
  /** A frame with only the body fields set. */
  body(id: number, data: Uint8Array, end: boolean, credit: number): F;
  /** True for a frame that ends the call for the peer, which nothing may join: a client's cancel; a server's failure or end. */
  final(frame: F): boolean;
}

/**
 * Collects the frames one event-loop turn produces and writes them as one stream message, after I/O callbacks
 * (setImmediate): every request that arrived in the same turn shares one gRPC message (ADR-0001). Fields written for
 * the request whose frame is newest join that frame, so a small request or response is a single frame (head, data
 * and end together; credit riding along).
 */
export class Outbox<F extends Frame> {
  readonly #write: (frames: F[]) => void;
  readonly #kind: FrameKind<F>;
  readonly #onBodyBytes: ((bytes: number) => void) | undefined;
  #frames: F[] = [];
  #bytes = 0;
  #scheduled = false;
  #closed = false;
  #held = false;

  constructor(write: (frames: F[]) => void, kind: FrameKind<F>, onBodyBytes?: (bytes: number) => void) {
    this.#write = write;
    this.#kind = kind;
    this.#onBodyBytes = onBodyBytes;
  }

  push(frame: F): void {
    if (this.#closed) return;
    this.#frames.push(frame);
    this.#grow(frame.data.byteLength);
  }

  /**
   * A body chunk, or only the end of the body, for `id`. It joins the newest frame when that is `id`'s and has room:
   * a chunk needs a frame without body, the end one that is not ended (the end follows the frame's chunk).
   */
  data(id: number, chunk: Uint8Array | undefined, end: boolean): void {
    const tail = this.#tail(id);
    if (chunk === undefined) {
      if (tail !== undefined && !tail.end) tail.end = end;
      else this.push(this.#kind.body(id, EMPTY, end, 0));
      return;
    }
    this.#onBodyBytes?.(chunk.byteLength);
    if (tail !== undefined && tail.data.byteLength === 0 && !tail.end) {
      tail.data = chunk;
      tail.end = end;
      this.#grow(chunk.byteLength);
    } else this.push(this.#kind.body(id, chunk, end, 0));
  }

  /** Body bytes `id`'s consumer took: joins the newest frame when it is `id`'s. */
  credit(id: number, bytes: number): void {
    const tail = this.#tail(id);
    if (tail !== undefined) tail.credit += bytes;
    else this.push(this.#kind.body(id, EMPTY, false, bytes));
  }

  /** Keeps every frame until `release()`: a client's stream before the server answered it. */
  hold(): void {
    this.#held = true;
  }

  release(): void {
    this.#held = false;
    this.flush();
  }

  flush(): void {
    if (this.#frames.length === 0 || this.#closed || this.#held) return;
    const frames = this.#frames;
    this.#frames = [];
    this.#bytes = 0;
    this.#write(frames);
  }

  /** Sends nothing more; returns the frames that never left. */
  close(): F[] {
    this.#closed = true;
    const unsent = this.#frames;
    this.#frames = [];
    return unsent;
  }

  /** The newest unsent frame, when it belongs to `id` and may take more fields. */
  #tail(id: number): F | undefined {
    const last = this.#frames[this.#frames.length - 1];
    return last !== undefined && last.id === id && !this.#kind.final(last) ? last : undefined;
  }

  #grow(bytes: number): void {
    this.#bytes += bytes;
    if (this.#bytes >= MAX_BATCH_BYTES) this.flush();
    else if (!this.#scheduled) {
      this.#scheduled = true;
      setImmediate(this.#onImmediate);
    }
  }

  readonly #onImmediate = (): void => {
    this.#scheduled = false;
    this.flush();
  };
}
