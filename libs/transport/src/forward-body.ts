import type { AppError } from '@mono/errors';
import type { BodySink } from './internal/inbound-body';

/** Anything a body can be written to with window-limited writes: a ClientCall, a ServerCall. */
export interface BodyTarget {
  write(chunk: Uint8Array): boolean;
  end(): void;
  ondrain: (() => void) | undefined;
}

/**
 * A sink that passes a received body on to `target`, acknowledging each chunk to its sender only once the target
 * accepted it without filling up; so a slow receiver downstream slows the sender upstream, and the hop in between
 * holds at most one window.
 *
 * @example
 * serverCall.body.attach(forwardBody(clientCall, (n) => serverCall.body.consumed(n), onError));
 */
export function forwardBody(
  target: BodyTarget,
  ack: (bytes: number) => void,
  onError: (err: AppError) => void,
): BodySink {
  let owed = 0;
  const ondrain = (): void => {
    const bytes = owed;
    owed = 0;
    ack(bytes);
  };
  target.ondrain = ondrain;
  return {
    data(chunk) {
      if (target.write(chunk) && owed === 0) ack(chunk.byteLength);
      else owed += chunk.byteLength;
    },
    end() {
      target.end();
    },
    error: onError,
  };
}
