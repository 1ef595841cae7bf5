import { SpanKind, trace, type Span } from '@opentelemetry/api';
import type { Step } from '@mono/runtime';
import { ATTR_MONO_REQUEST_ID, ATTR_MONO_SCRIPT_NAME, HopTracer, unsampledBelow } from '@mono/telemetry';
import type { GatewayContext } from './context';

const tracer = new HopTracer('gateway');

/**
 * Opens the INTERNAL span `gateway invoke` below the call's SERVER span: it covers the wait for a slot and the
 * framework's call, and the framework is called in its context. Under an unsampled parent nothing is recorded, so
 * the request carries the call's own span and context on instead of making one.
 */
export function traceInvoke(): Step<GatewayContext> {
  return function traceInvokeStep(ctx, next) {
    const { call } = ctx;
    if (unsampledBelow(call.context)) {
      ctx.span = trace.getSpan(call.context) as Span;
    } else {
      ctx.span = tracer.startSpan('gateway invoke', SpanKind.INTERNAL, call.context, {
        [ATTR_MONO_SCRIPT_NAME]: ctx.environ?.scriptName,
        [ATTR_MONO_REQUEST_ID]: call.head.requestId,
      });
      ctx.active = trace.setSpan(call.context, ctx.span);
    }
    next(ctx);
  };
}
