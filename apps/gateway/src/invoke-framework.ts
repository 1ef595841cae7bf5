import type { Environ, HttpRequest } from '@mono/contracts';
import { forwardBody, type MuxClient, type ServerCall } from '@mono/transport';

/**
 * Forwards one request to the framework and its response back: bodies flow both ways with the windows of both
 * hops, a cancel from the edge cancels the framework's call, and the framework's errors pass through unchanged.
 * `done` runs once, when the request is over on both sides.
 */
export function invokeFramework(
  framework: MuxClient<Environ>,
  call: ServerCall<HttpRequest>,
  environ: Environ,
  timeoutMs: number,
  done: () => void,
): void {
  let finished = false;
  const finish = () => {
    if (finished) return;
    finished = true;
    done();
  };
  const response = forwardBody(
    call,
    (bytes) => downstream.ack(bytes),
    (err) => call.fail(err),
  );
  const downstream = framework.call(
    environ,
    { headTimeoutMs: timeoutMs, idleTimeoutMs: 0 },
    {
      head: (head) => call.respond(head),
      data: response.data,
      end() {
        response.end();
        finish();
      },
      error(err) {
        call.fail(err);
        finish();
      },
    },
  );
  call.onabort = () => {
    downstream.cancel();
    finish();
  };
  call.body.attach(
    forwardBody(
      downstream,
      (bytes) => call.body.consumed(bytes),
      () => downstream.cancel(),
    ),
  );
}
