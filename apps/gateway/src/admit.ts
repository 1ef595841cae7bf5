import { AppError } from '@mono/errors';
import type { Step } from '@mono/runtime';
import { ATTR_MONO_IN_FLIGHT, ATTR_MONO_QUEUE_MS, type Logger } from '@mono/telemetry';
import type { Admission, Ticket } from './admission';
import type { Mount } from './gateway-stats';
import type { GatewayContext } from './context';
import { failRequest } from './fail-request';

/**
 * Refuses a request, as not accepted, until the gateway's pools have served (the edge sends it to another gateway).
 * Takes a slot among the mount's requests in flight, or waits in its queue for one (a client that leaves meanwhile
 * withdraws); a full queue throws GW_ERR_OVERLOADED, a wait past the queue's limit fails with GW_ERR_QUEUE_TIMEOUT
 * (both 503 + Retry-After, not accepted). Once admitted the request is accepted. A request admitted at once costs
 * nothing more than its ticket.
 */
export function admit(log: Logger, ready: () => boolean): Step<GatewayContext> {
  return function admitStep(ctx, next) {
    if (!ready()) {
      throw new AppError('GW_ERR_NOT_READY', 'the gateway has no serving framework yet', { notAccepted: true });
    }
    const admission = (ctx.mount as Mount).admission;
    const ticket = admission.take();
    if (ticket !== undefined) {
      admitted(ctx, ticket, 0, admission, next);
      return;
    }
    const queuedAt = performance.now();
    const withdraw = admission.wait(
      (ticket) => {
        try {
          admitted(ctx, ticket, performance.now() - queuedAt, admission, next);
        } catch (err) {
          failRequest(ctx, err, log);
        }
      },
      (err) => failRequest(ctx, err, log),
    );
    const onabort = (reason: AppError): void => {
      withdraw();
      ctx.aborted(reason);
    };
    ctx.call.onabort = onabort;
  };
}

function admitted(
  ctx: GatewayContext,
  ticket: Ticket,
  queuedMs: number,
  admission: Admission,
  next: (ctx: GatewayContext) => void,
): void {
  ctx.ticket = ticket;
  ctx.queuedMs = queuedMs;
  ctx.call.accept();
  const span = ctx.span;
  if (span?.isRecording()) {
    span.setAttribute(ATTR_MONO_QUEUE_MS, Math.round(queuedMs));
    span.setAttribute(ATTR_MONO_IN_FLIGHT, admission.inFlight);
  }
  if (ctx.call.done) {
    ctx.finish();
    return;
  }
  next(ctx);
}
