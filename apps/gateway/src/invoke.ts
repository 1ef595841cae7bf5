import { context } from '@opentelemetry/api';
import type { Environ } from '@mono/contracts';
import { forwardBody, type MuxClient } from '@mono/transport';
import type { Step } from './compose';
import type { GatewayContext } from './context';

/**
 * Forwards the request to the framework and its response back: bodies flow both ways under the windows of both
 * hops, a cancel from the edge cancels the framework's call, and the framework's errors pass through unchanged
 * (GW_ERR_FRAMEWORK_UNAVAILABLE, 502, when it cannot be reached). The request is over when both sides are.
 */
export function invoke(framework: MuxClient<Environ>): Step<GatewayContext> {
  return function invokeStep(ctx) {
    context.with(ctx.active, forward, undefined, framework, ctx);
  };
}

function forward(framework: MuxClient<Environ>, ctx: GatewayContext): void {
  const { call } = ctx;
  const response = forwardBody(
    call,
    (bytes) => downstream.ack(bytes),
    (err) => call.fail(err),
  );
  const downstream = framework.call(
    ctx.environ as Environ,
    { headTimeoutMs: ctx.timeoutMs, idleTimeoutMs: 0 },
    {
      head: (head) => call.respond(head),
      data: response.data,
      end() {
        response.end();
        ctx.finish();
      },
      error(err) {
        call.fail(err);
        ctx.finish();
      },
    },
  );
  call.onabort = () => {
    downstream.cancel();
    ctx.finish();
  };
  call.body.attach(
    forwardBody(
      downstream,
      (bytes) => call.body.consumed(bytes),
      () => downstream.cancel(),
    ),
  );
}
