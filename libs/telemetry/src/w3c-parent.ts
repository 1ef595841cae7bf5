import { INVALID_SPAN_CONTEXT, ROOT_CONTEXT, trace, type Context, type Span } from '@opentelemetry/api';

/** The key the API keeps a context's span under: `trace.setSpan` hands it to the context's `setValue`. */
const SPAN_KEY: symbol = (() => {
  let key: symbol | undefined;
  const probe: Context = {
    getValue: () => undefined,
    setValue(k) {
      key = k;
      return probe;
    },
    deleteValue: () => probe,
  };
  trace.setSpan(probe, trace.wrapSpanContext(INVALID_SPAN_CONTEXT));
  if (key === undefined) throw new Error('the OpenTelemetry API set a span without a context key');
  return key;
})();

/**
 * A context that holds a span and nothing else, and the W3C `traceparent` that carries that span's context: what a
 * hop received (w3cRemoteContext), or what the edge made for a new trace it does not record. The API reads it as it
 * reads its own contexts; a hop that passes such a context on unchanged sends its `traceparent` as it is instead of
 * injecting (passedTraceparent), and a value set on it makes one of the API's own.
 */
export class W3CParent implements Context {
  readonly span: Span;
  readonly traceparent: string;

  constructor(span: Span, traceparent: string) {
    this.span = span;
    this.traceparent = traceparent;
  }

  getValue(key: symbol): unknown {
    return key === SPAN_KEY ? this.span : undefined;
  }

  setValue(key: symbol, value: unknown): Context {
    if (key === SPAN_KEY) return ROOT_CONTEXT.setValue(key, value);
    return ROOT_CONTEXT.setValue(SPAN_KEY, this.span).setValue(key, value);
  }

  deleteValue(key: symbol): Context {
    return key === SPAN_KEY ? ROOT_CONTEXT : this;
  }
}

/**
 * The `traceparent` that W3C propagators would inject for `ctx`, when `ctx` is a W3CParent (it holds no baggage and
 * no trace state); undefined for any other context, which the propagators inject as usual.
 *
 * @example
 * const traceparent = passedTraceparent(parent);
 * if (traceparent === undefined) propagation.inject(parent, carrier);
 * else carrier.traceparent = traceparent;
 */
export function passedTraceparent(ctx: Context): string | undefined {
  return ctx instanceof W3CParent ? ctx.traceparent : undefined;
}
