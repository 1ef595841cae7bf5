import { MAX_BATCH_BYTES } from './limits';

interface Frame {
  id: number;
  data: Uint8Array;
}

/**
 * Collects the frames one event-loop turn produces and writes them as one stream message, after I/O callbacks
 * (setImmediate): every request that arrived in the same turn shares one gRPC message (ADR-0001).
 */
export class Outbox<F extends Frame> {
  readonly #write: (frames: F[]) => void;
  #frames: F[] = [];
  #bytes = 0;
  #scheduled = false;
  #closed = false;

  constructor(write: (frames: F[]) => void) {
    this.#write = write;
  }

  push(frame: F): void {
    if (this.#closed) return;
    this.#frames.push(frame);
    this.grow(frame.data.byteLength);
  }

  /** The newest unsent frame, when it belongs to `id`: fields written next may join it instead of a new frame. */
  tail(id: number): F | undefined {
    const last = this.#frames[this.#frames.length - 1];
    return last !== undefined && last.id === id ? last : undefined;
  }

  /** Accounts body bytes added to a frame already queued. */
  grow(bytes: number): void {
    this.#bytes += bytes;
    if (this.#bytes >= MAX_BATCH_BYTES) this.flush();
    else if (!this.#scheduled) {
      this.#scheduled = true;
      setImmediate(this.#onImmediate);
    }
  }

  flush(): void {
    if (this.#frames.length === 0 || this.#closed) return;
    const frames = this.#frames;
    this.#frames = [];
    this.#bytes = 0;
    this.#write(frames);
  }

  close(): void {
    this.#closed = true;
    this.#frames = [];
  }

  readonly #onImmediate = (): void => {
    this.#scheduled = false;
    this.flush();
  };
}
