import { INITIAL_WINDOW, MAX_DATA_FRAME } from './limits';

/** Emits one body chunk (or only the end) as a frame. */
export type EmitBody = (chunk: Uint8Array | undefined, end: boolean) => void;

/**
 * The sending half of a body: sends chunks while the receiver's window allows and keeps the rest until credit
 * arrives. `write` returns false once the window is used up; `ondrain` runs when it opens again, as with Node's
 * writable streams.
 */
export class OutboundBody {
  ondrain: (() => void) | undefined = undefined;
  readonly #emit: EmitBody;
  #window = INITIAL_WINDOW;
  #pending: Uint8Array[] = [];
  #ending = false;
  #ended = false;
  #needDrain = false;

  constructor(emit: EmitBody) {
    this.#emit = emit;
  }

  get ending(): boolean {
    return this.#ending;
  }

  write(chunk: Uint8Array): boolean {
    if (this.#ending) throw new Error('write after end');
    if (chunk.byteLength === 0) return !this.#needDrain;
    if (this.#pending.length > 0) this.#pending.push(chunk);
    else this.#send(chunk);
    const open = this.#pending.length === 0 && this.#window > 0;
    if (!open) this.#needDrain = true;
    return open;
  }

  end(): void {
    if (this.#ending) return;
    this.#ending = true;
    if (this.#pending.length === 0) this.#finish();
  }

  credit(bytes: number): void {
    this.#window += bytes;
    while (this.#pending.length > 0 && this.#window > 0) {
      const chunk = this.#pending.shift() as Uint8Array;
      this.#send(chunk);
    }
    if (this.#pending.length > 0) return;
    if (this.#ending) this.#finish();
    else if (this.#needDrain && this.#window > 0) {
      this.#needDrain = false;
      this.ondrain?.();
    }
  }

  #finish(): void {
    if (this.#ended) return;
    this.#ended = true;
    this.#emit(undefined, true);
  }

  /** Sends what the window allows of `chunk`, in frames of at most MAX_DATA_FRAME, and keeps the rest first in line. */
  #send(chunk: Uint8Array): void {
    let offset = 0;
    while (offset < chunk.byteLength && this.#window > 0) {
      const size = Math.min(chunk.byteLength - offset, this.#window, MAX_DATA_FRAME);
      this.#emit(offset === 0 && size === chunk.byteLength ? chunk : chunk.subarray(offset, offset + size), false);
      this.#window -= size;
      offset += size;
    }
    if (offset < chunk.byteLength) this.#pending.unshift(offset === 0 ? chunk : chunk.subarray(offset));
  }
}
