import { context, SpanKind, trace, type Span } from '@opentelemetry/api';
import type { Environ, HttpRequest } from '@mono/contracts';
import { AppError, toAppError } from '@mono/errors';
import {
  ATTR_MONO_IN_FLIGHT,
  ATTR_MONO_QUEUE_MS,
  ATTR_MONO_REQUEST_ID,
  ATTR_MONO_SCRIPT_NAME,
  unsampledBelow,
  type Logger,
} from '@mono/telemetry';
import type { MuxClient, ServerCall } from '@mono/transport';
import { buildEnviron } from '@mono/tsgi-server';
import type { Admission } from './admission';
import type { GatewayConfig } from './config';
import { invokeFramework } from './invoke-framework';

const tracer = trace.getTracer('gateway');

export interface PipelineDeps {
  framework: MuxClient<Environ>;
  admission: Admission;
  log: Logger;
  counter?: { requests: number };
}

/**
 * The gateway's request pipeline, in order:
 *
 *   environ   build SCRIPT_NAME/PATH_INFO and the CGI variables   → 400 bad target, 404 no mount
 *   admit     wait for a slot among GATEWAY_MAX_CONCURRENCY      → 503 queue full
 *   deadline  the framework gets what is left, minus a margin    → 504
 *   invoke    forward to the framework, stream both ways         → 502 framework unreachable, app's errors as sent
 */
export function createPipeline(config: Readonly<GatewayConfig>, { framework, admission, log, counter }: PipelineDeps) {
  return function gatewayPipeline(call: ServerCall<HttpRequest>): void {
    if (counter) counter.requests += 1;
    try {
      const environ = buildEnviron(call.head, config.mounts);
      const unsampled = unsampledBelow(call.context);
      const span = unsampled
        ? (trace.getSpan(call.context) as Span)
        : tracer.startSpan(
            'gateway invoke',
            {
              kind: SpanKind.INTERNAL,
              attributes: { [ATTR_MONO_SCRIPT_NAME]: environ.scriptName, [ATTR_MONO_REQUEST_ID]: call.head.requestId },
            },
            call.context,
          );
      const queuedAt = performance.now();
      const withdraw = admission.enter((ticket) => {
        span.setAttribute(ATTR_MONO_QUEUE_MS, performance.now() - queuedAt);
        span.setAttribute(ATTR_MONO_IN_FLIGHT, admission.inFlight);
        const release = () => {
          ticket.release();
          if (span.isRecording()) span.end();
        };
        if (call.done) {
          release();
          return;
        }
        const timeoutMs = frameworkTimeout(call, config);
        if (timeoutMs < 0) {
          call.fail(new AppError('GW_ERR_DEADLINE_EXCEEDED', 'no time left for the framework'));
          release();
          return;
        }
        const active = unsampled ? call.context : trace.setSpan(call.context, span);
        context.with(active, () => invokeFramework(framework, call, environ, timeoutMs, release));
      });
      if (!call.done) call.onabort ??= () => endQueued(span, withdraw);
    } catch (err) {
      const appError = toAppError(err, 'GW_ERR_INTERNAL');
      if (appError.httpStatus >= 500) log.error({ err, code: appError.code }, 'gateway failed a request');
      call.fail(appError);
    }
  };
}

/** A request whose client left while it waited for a slot. */
function endQueued(span: Span, withdraw: () => void): void {
  withdraw();
  if (span.isRecording()) span.end();
}

/**
 * ms the framework may take: what is left of the edge's deadline minus the margin, capped by GATEWAY_TIMEOUT_MS;
 * 0 when there is no deadline at all, negative when nothing is left.
 */
function frameworkTimeout(call: ServerCall<HttpRequest>, config: Readonly<GatewayConfig>): number {
  const left = Math.min(call.remainingMs() - config.deadlineMarginMs, config.timeoutMs || Infinity);
  if (left === Infinity) return 0;
  return left >= 1 ? Math.floor(left) : -1;
}
