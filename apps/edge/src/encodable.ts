import type { ResponseEncoder } from './compress';

/** What node:http's ServerResponse and node:http2's compatibility response both have, and an encoder takes over. */
/* eslint-disable @typescript-eslint/no-explicit-any -- a mixin's base: TypeScript requires any[] for its constructor,
   and Node's overloads take any for these arguments */
type ResponseClass = new (...args: any[]) => {
  writeHead(status: number, reason?: any, headers?: any): unknown;
  write(chunk: any, encoding?: any, cb?: any): boolean;
  end(chunk?: any, encoding?: any, cb?: any): unknown;
  emit(event: string | symbol, ...args: any[]): boolean;
};
/* eslint-enable @typescript-eslint/no-explicit-any */

/** What the compression stage uses of a response (compress.ts). */
export interface Encodable {
  /** The encoder of this response while it decides or encodes; undefined for the rest. */
  encoder: ResponseEncoder | undefined;
  /** Node's writeHead, write, end and emit, under the encoder. */
  rawWriteHead(status: number, reason?: string, headers?: unknown): void;
  rawWrite(chunk: unknown, encoding?: unknown, cb?: unknown): boolean;
  rawEnd(chunk?: unknown, encoding?: unknown, cb?: unknown): void;
  rawEmit(event: string | symbol, ...args: unknown[]): boolean;
}

const SETTLES_THE_FIELD = {};

/** Whether `res` is one of the edge's own responses, which the compression stage can encode. */
export function isEncodable(res: object): res is Encodable {
  return typeof (res as Partial<Encodable>).rawWrite === 'function';
}

/**
 * A response class whose writeHead, write, end and 'drain' go through the compression stage's encoder while one is
 * set. The encoder is a field of the class, so that the response of a request with Accept-Encoding has the same map
 * as any other: set as own properties per request (as this stage once did), the methods gave those responses maps of
 * their own, and Node's HTTP code met a second kind of response the first time a client sent Accept-Encoding
 * (docs/adr/0036-compression-on-the-response-class.md).
 */
export function encodable<Base extends ResponseClass>(base: Base) {
  return class EncodableResponse extends base implements Encodable {
    encoder: ResponseEncoder | undefined = undefined;

    // eslint-disable-next-line @typescript-eslint/no-explicit-any -- a mixin's constructor (TypeScript's rule)
    constructor(...args: any[]) {
      super(...args);
      // V8 takes a field only ever initialised for a constant of one type and compiles it into the code that reads
      // it. Under clients that never send Accept-Encoding, `encoder` stays undefined, and the first one that does
      // changed it: every function that had inlined writeHead, write or end (Node's HTTP server's among them) was
      // deoptimised at once, mid-traffic. Two stores of different kinds settle it as a variable from the first
      // response on (docs/adr/0046-settled-while-cold.md).
      (this as { encoder: unknown }).encoder = SETTLES_THE_FIELD;
      this.encoder = undefined;
    }

    override writeHead(status: number, reason?: unknown, headers?: unknown): this {
      const encoder = this.encoder;
      if (encoder === undefined) super.writeHead(status, reason, headers);
      else encoder.writeHead(status, reason, headers);
      return this;
    }

    override write(chunk: unknown, encoding?: unknown, cb?: unknown): boolean {
      const encoder = this.encoder;
      return encoder === undefined ? super.write(chunk, encoding, cb) : encoder.write(chunk, encoding, cb);
    }

    override end(chunk?: unknown, encoding?: unknown, cb?: unknown): this {
      const encoder = this.encoder;
      if (encoder === undefined) super.end(chunk, encoding, cb);
      else encoder.end(chunk, encoding, cb);
      return this;
    }

    override emit(event: string | symbol, ...args: unknown[]): boolean {
      if (this.encoder?.absorbs(event)) return true;
      return super.emit(event, ...args);
    }

    rawWriteHead(status: number, reason?: string, headers?: unknown): void {
      if (reason === undefined) super.writeHead(status, headers);
      else super.writeHead(status, reason, headers);
    }

    rawWrite(chunk: unknown, encoding?: unknown, cb?: unknown): boolean {
      return super.write(chunk, encoding, cb);
    }

    rawEnd(chunk?: unknown, encoding?: unknown, cb?: unknown): void {
      super.end(chunk, encoding, cb);
    }

    rawEmit(event: string | symbol, ...args: unknown[]): boolean {
      return super.emit(event, ...args);
    }
  };
}
