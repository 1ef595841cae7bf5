import type { Limit, Limits } from '@mono/contracts';
import { AppError, type ErrorCode } from '@mono/errors';
import { describeLimit, smallestLimits } from './hop-limits';
import type { BodyLimit } from './server-call';

/** The catalogue codes a layer refuses with: 431 for a head, 413 for a body. */
export interface RequestLimitCodes {
  headers: ErrorCode;
  body: ErrorCode;
}

/**
 * The size limits one layer applies to a request: for each, its own or — where the layers behind it announced less —
 * theirs, so that a request they would refuse is refused here at once, naming the limit it crossed
 * (docs/adr/0014-limits-that-agree.md). Per request it is two numbers to compare; `update` recomputes them when the
 * layers behind announce new limits. It is also the body limit a ServerCall applies as the body arrives.
 *
 * @example
 * const limits = new RequestLimits(own, { headers: 'GW_ERR_HEADERS_TOO_LARGE', body: 'GW_ERR_BODY_TOO_LARGE' });
 * pool.events.onLimits = (inner) => limits.update(inner);
 * if (limits.maxHeaderBytes > 0 && size > limits.maxHeaderBytes) throw limits.headersTooLarge(size);
 */
export class RequestLimits implements BodyLimit {
  /** This layer's own limits. */
  readonly own: Limits;
  /** Bytes of the request head (requestHeadBytes) beyond which it is refused; 0: none. */
  maxHeaderBytes = 0;
  /** Bytes of the request body beyond which it is refused; 0: none. */
  maxBodyBytes = 0;
  readonly #codes: RequestLimitCodes;
  #header: Limit | undefined;
  #body: Limit | undefined;

  constructor(own: Limits, codes: RequestLimitCodes) {
    this.own = own;
    this.#codes = codes;
    this.update(undefined);
  }

  /** The layers behind announced `inner` (undefined: nothing yet): the smaller of each limit applies from now on. */
  update(inner: Limits | undefined): void {
    const applied = smallestLimits([this.own, inner]);
    this.#header = applied.headerBytes;
    this.#body = applied.bodyBytes;
    this.maxHeaderBytes = this.#header?.value ?? 0;
    this.maxBodyBytes = this.#body?.value ?? 0;
  }

  /** The refusal of a head of `bytes` (431), naming the limit it crossed. */
  headersTooLarge(bytes: number): AppError {
    return new AppError(
      this.#codes.headers,
      `the request head of ${bytes} bytes exceeds ${describeLimit('headerBytes', this.#header as Limit)}`,
    );
  }

  /** The refusal of a body (413), of `declared` bytes when its length is known, naming the limit it crossed. */
  bodyTooLarge(declared?: number | string): AppError {
    const body = declared === undefined ? 'the body' : `the body of ${declared} bytes`;
    return new AppError(this.#codes.body, `${body} exceeds ${describeLimit('bodyBytes', this.#body as Limit)}`);
  }
}
