import { context } from '@opentelemetry/api';
import { ExpressInstrumentation } from '@opentelemetry/instrumentation-express';
import { unsampledBelow } from '@mono/telemetry';
import { loadMetricsConfig, loadTelemetryConfig, startTelemetry } from '@mono/telemetry/sdk';
import { version } from '../package.json';

/** OpenTelemetry for the process that runs the applications: traces, metrics, Express's instrumentation. */
export function startFrameworkTelemetry(env: NodeJS.ProcessEnv): void {
  startTelemetry({
    serviceName: 'framework',
    version,
    config: loadTelemetryConfig(env),
    metrics: loadMetricsConfig(env),
    instrumentations: () => [expressInstrumentation()],
  });
}

/**
 * Express's instrumentation, which leaves alone the layers of a request nothing records: below an unsampled parent
 * its wrapper of every layer would still record the layer's path on the request, work out the route, bind contexts,
 * listen for `close` and make a span nobody records — 5–15 µs of the framework's CPU per request at a 10 % ratio, for
 * nothing (docs/adr/0022-cheaper-sampled-spans.md). Each layer's handle it wraps is wrapped once more (through
 * `_wrap`, the instrumentation's extension point) by a function that calls the layer as it is for such a request.
 */
export function expressInstrumentation(): ExpressInstrumentation {
  return new SampledExpressInstrumentation();
}

type Handle = (this: unknown, ...args: unknown[]) => unknown;

class SampledExpressInstrumentation extends ExpressInstrumentation {
  constructor() {
    super();
    const wrap = this._wrap;
    const sampledWrap: typeof wrap = (nodule, name, wrapper) =>
      wrap(
        nodule,
        name,
        name === 'handle'
          ? (original, field) => skipWhenUnsampled(original as Handle, wrapper(original, field) as Handle) as never
          : wrapper,
      );
    this._wrap = sampledWrap;
  }
}

/** `patched` for a request something records, else `original`; the instrumentation leaves error handlers as they are. */
function skipWhenUnsampled(original: Handle, patched: Handle): Handle {
  if (patched === original) return original;
  const handle: Handle = function (this: unknown, ...args: unknown[]) {
    return (unsampledBelow(context.active()) ? original : patched).apply(this, args);
  };
  // As the instrumentation's wrapper does: a router's handle carries its stack and parameters.
  for (const key in original)
    Object.defineProperty(handle, key, {
      get: () => (original as unknown as Record<string, unknown>)[key],
      set: (value: unknown) => ((original as unknown as Record<string, unknown>)[key] = value),
    });
  return handle;
}
