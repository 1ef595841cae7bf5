import {
  diag,
  SamplingDecision,
  type SpanKind,
  SpanStatusCode,
  TraceFlags,
  trace,
  type Attributes,
  type AttributeValue,
  type Context,
  type Exception,
  type HrTime,
  type Link,
  type Span,
  type SpanContext,
  type SpanStatus,
  type TimeInput,
  type Tracer,
} from '@opentelemetry/api';
import {
  AddAttributeDecision,
  addHrTimes,
  cleanAttributes,
  cleanSimpleAttributes,
  hrTime,
  hrTimeDuration,
  isTimeInput,
  isTimeInputHrTime,
  isTracingSuppressed,
  maybeAddAttribute,
  millisToHrTime,
} from '@opentelemetry/core';
import type { Resource } from '@opentelemetry/resources';
import type { ReadableSpan, Sampler, SpanProcessor, TimedEvent, TracerProvider } from '@opentelemetry/sdk-trace';
import {
  ATTR_EXCEPTION_MESSAGE,
  ATTR_EXCEPTION_STACKTRACE,
  ATTR_EXCEPTION_TYPE,
} from '@opentelemetry/semantic-conventions';
import { randomSpanId, randomTraceId } from './random-ids';
import { isValidW3CIds } from './sampling';

type InstrumentationScope = ReadableSpan['instrumentationScope'];

/** The SDK's span limits, every one set (startTelemetry fills in the defaults as the SDK does). */
export interface HopSpanLimits {
  attributeCountLimit: number;
  attributeValueLengthLimit: number;
  eventCountLimit: number;
  linkCountLimit: number;
  attributePerEventCountLimit: number;
  attributePerLinkCountLimit: number;
}

/** The SDK's defaults, which startTelemetry's configuration also has. */
export const DEFAULT_SPAN_LIMITS: Readonly<HopSpanLimits> = Object.freeze({
  attributeCountLimit: 128,
  attributeValueLengthLimit: Infinity,
  eventCountLimit: 128,
  linkCountLimit: 128,
  attributePerEventCountLimit: 128,
  attributePerLinkCountLimit: 128,
});

/** What a hop span needs of the SDK that startTelemetry set up: the provider and what it was built with. */
export interface HopSpanSource {
  provider: TracerProvider;
  resource: Resource;
  limits: HopSpanLimits;
  processors: readonly SpanProcessor[];
  sampler: Sampler;
}

interface HopSpanSink {
  resource: Resource;
  limits: HopSpanLimits;
  processors: readonly SpanProcessor[];
  /** The provider's sampler, which decides a root. */
  sampler: Sampler;
  /** The instrumentation scope of the SDK's tracer of that name, so that a batch groups hop spans with its spans. */
  scope(tracerName: string): InstrumentationScope;
}

// Global because each bundle has its own copy of this module (the SDK's in telemetry.cjs sets it, main.cjs reads it).
const SINK = Symbol.for('mono.telemetry.hopSpanSink');

/**
 * Told by startTelemetry when the sampler samples every child of a sampled parent; without it every hop span is the
 * SDK's.
 */
export function setHopSpanSink(source: HopSpanSource | undefined): void {
  const sink: HopSpanSink | undefined = source && {
    resource: source.resource,
    limits: source.limits,
    processors: source.processors,
    sampler: source.sampler,
    scope: (name) =>
      (source.provider.getTracer(name) as unknown as { instrumentationScope: InstrumentationScope })
        .instrumentationScope,
  };
  (globalThis as Record<symbol, unknown>)[SINK] = sink;
}

function hopSpanSink(): HopSpanSink | undefined {
  return (globalThis as Record<symbol, unknown>)[SINK] as HopSpanSink | undefined;
}

/**
 * The tracer of the spans the stack makes for every request: the edge's root, the transport's hops, the gateway's
 * invocation. Below a sampled parent, with a sampler that samples every child of one (parentbased_*, always_on), the
 * SDK's tracer would run its sampler, check the parent's ids with the API's regular expressions twice, clean the
 * attributes twice and build its span (~2.2 µs a span in a loop); the outcome is known, so a HopSpan is made instead
 * (~0.8 µs): the same span to every processor and exporter, the same limits. With no parent at all (a root), the
 * sampler decides as in the SDK's tracer and the span is a HopSpan or, not recorded, the API's non-recording span.
 * Any other parent, a suppressed context or no SDK of ours: the SDK's tracer
 * (docs/adr/0049-hop-spans-without-the-sdks-tracer.md).
 *
 * @example
 * const tracer = new HopTracer('@mono/transport');
 * const span = tracer.startSpan('mono.gateway.v1.Gateway/Exchange', SpanKind.CLIENT, context.active());
 */
export class HopTracer {
  readonly #name: string;
  readonly #tracer: Tracer;
  #sink: HopSpanSink | undefined;
  #scope: InstrumentationScope | undefined;

  constructor(name: string) {
    this.#name = name;
    this.#tracer = trace.getTracer(name);
  }

  startSpan(name: string, kind: SpanKind, parent: Context, attributes?: Attributes, links?: Link[]): Span {
    const sink = hopSpanSink();
    if (sink === undefined || isTracingSuppressed(parent))
      return this.#tracer.startSpan(name, { kind, attributes, links }, parent);
    const parentSpan = trace.getSpan(parent);
    if (parentSpan === undefined) return this.#root(sink, name, kind, parent, attributes, links);
    const parentSpanContext = parentSpan.spanContext();
    // A HopSpan's ids are valid as made: its trace's checked here or drawn at its root, its own drawn.
    if (
      (parentSpanContext.traceFlags & TraceFlags.SAMPLED) === 0 ||
      (!(parentSpan instanceof HopSpan) && !isValidW3CIds(parentSpanContext.traceId, parentSpanContext.spanId))
    )
      return this.#tracer.startSpan(name, { kind, attributes, links }, parent);
    const spanContext: SpanContext = {
      traceId: parentSpanContext.traceId,
      spanId: randomSpanId(),
      traceFlags: TraceFlags.SAMPLED,
      traceState: parentSpanContext.traceState,
    };
    return new HopSpan(
      sink,
      this.#scopeOf(sink),
      name,
      kind,
      parent,
      spanContext,
      parentSpanContext,
      attributes,
      links,
    );
  }

  /** A new trace, as the SDK's tracer starts one: its ids, then the sampler's decision, attributes and trace state. */
  #root(
    sink: HopSpanSink,
    name: string,
    kind: SpanKind,
    parent: Context,
    attributes: Attributes | undefined,
    links: Link[] | undefined,
  ): Span {
    const spanContext: SpanContext = { traceId: randomTraceId(), spanId: randomSpanId(), traceFlags: TraceFlags.NONE };
    const sampled = sink.sampler.shouldSample(parent, spanContext.traceId, name, kind, attributes ?? {}, links ?? []);
    if (sampled.traceState !== undefined) spanContext.traceState = sampled.traceState;
    if (sampled.decision === SamplingDecision.NOT_RECORD) return trace.wrapSpanContext(spanContext);
    if (sampled.decision === SamplingDecision.RECORD_AND_SAMPLED) spanContext.traceFlags = TraceFlags.SAMPLED;
    const merged = sampled.attributes === undefined ? attributes : { ...attributes, ...sampled.attributes };
    return new HopSpan(sink, this.#scopeOf(sink), name, kind, parent, spanContext, undefined, merged, links);
  }

  #scopeOf(sink: HopSpanSink): InstrumentationScope {
    if (sink !== this.#sink) {
      this.#sink = sink;
      this.#scope = sink.scope(this.#name);
    }
    return this.#scope as InstrumentationScope;
  }
}

/**
 * A recorded span, as the SDK's span would be in everything a processor or exporter reads
 * (ReadableSpan) and in what the API lets its holder do (limits, events, links, status, exceptions, the end). Its
 * processors are the SDK's own, called as its span calls them.
 */
export class HopSpan implements Span, ReadableSpan {
  name: string;
  readonly kind: SpanKind;
  readonly parentSpanContext: SpanContext | undefined;
  readonly startTime: HrTime;
  endTime: HrTime = [0, 0];
  readonly attributes: Attributes = {};
  links: Link[] = [];
  readonly events: TimedEvent[] = [];
  status: SpanStatus = { code: SpanStatusCode.UNSET };
  readonly resource: Resource;
  readonly instrumentationScope: InstrumentationScope;
  readonly #spanContext: SpanContext;
  readonly #sink: HopSpanSink;
  readonly #performanceStart: number;
  readonly #performanceOffset: number;
  #attributesCount = 0;
  #droppedAttributesCount = 0;
  #droppedEventsCount = 0;
  #droppedLinksCount = 0;
  #duration: HrTime = [-1, -1];
  #ended = false;

  constructor(
    sink: HopSpanSink,
    scope: InstrumentationScope,
    name: string,
    kind: SpanKind,
    parent: Context,
    spanContext: SpanContext,
    parentSpanContext: SpanContext | undefined,
    attributes: Attributes | undefined,
    links: Link[] | undefined,
  ) {
    const now = Date.now();
    this.#performanceStart = performance.now();
    this.#performanceOffset = now - (this.#performanceStart + performance.timeOrigin);
    this.#sink = sink;
    this.#spanContext = spanContext;
    this.name = name;
    this.kind = kind;
    this.parentSpanContext = parentSpanContext;
    this.startTime = millisToHrTime(now);
    this.resource = sink.resource;
    this.instrumentationScope = scope;
    if (attributes !== undefined) this.setAttributes(attributes);
    if (links !== undefined) this.addLinks(links);
    for (const processor of sink.processors) processor.onStart(this as never, parent);
  }

  spanContext(): SpanContext {
    return this.#spanContext;
  }

  setAttribute(key: string, value?: AttributeValue): this {
    if (this.#isEnded()) return this;
    const { attributeCountLimit, attributeValueLengthLimit } = this.#sink.limits;
    const type = typeof value;
    // What maybeAddAttribute decides for a number, a boolean or a string within the limit, without its copy.
    if (
      key.length > 0 &&
      (type === 'number' ||
        type === 'boolean' ||
        (type === 'string' && (value as string).length <= attributeValueLengthLimit))
    ) {
      if (!Object.hasOwn(this.attributes, key)) {
        if (this.#attributesCount >= attributeCountLimit) return this.#dropAttribute();
        this.#attributesCount += 1;
      }
      this.attributes[key] = value;
      return this;
    }
    const decision = maybeAddAttribute({
      key,
      value,
      attributes: this.attributes,
      limits: this.#sink.limits,
      currentAttributesCount: this.#attributesCount,
    });
    if (decision === AddAttributeDecision.DROP_LIMIT_REACHED) return this.#dropAttribute();
    if (decision === AddAttributeDecision.ADD_NEW) this.#attributesCount += 1;
    return this;
  }

  setAttributes(attributes: Attributes): this {
    for (const key in attributes) if (Object.hasOwn(attributes, key)) this.setAttribute(key, attributes[key]);
    return this;
  }

  addEvent(name: string, attributesOrStartTime?: Attributes | TimeInput, timeStamp?: TimeInput): this {
    if (this.#isEnded()) return this;
    const { eventCountLimit, attributePerEventCountLimit, attributeValueLengthLimit } = this.#sink.limits;
    if (eventCountLimit === 0) {
      diag.warn('No events allowed.');
      this.#droppedEventsCount += 1;
      return this;
    }
    if (this.events.length >= eventCountLimit) {
      if (this.#droppedEventsCount === 0) diag.debug('Dropping extra events.');
      this.events.shift();
      this.#droppedEventsCount += 1;
    }
    let attributes = attributesOrStartTime as Attributes | undefined;
    if (isTimeInput(attributesOrStartTime)) {
      if (!isTimeInput(timeStamp)) timeStamp = attributesOrStartTime;
      attributes = undefined;
    }
    this.events.push({
      name,
      time: this.#time(timeStamp),
      ...cleanSimpleAttributes(attributes, {
        attributeCountLimit: attributePerEventCountLimit,
        attributeValueLengthLimit,
      }),
    } as TimedEvent);
    return this;
  }

  addLink(link: Link): this {
    if (this.#isEnded()) return this;
    const { linkCountLimit, attributePerLinkCountLimit, attributeValueLengthLimit } = this.#sink.limits;
    if (linkCountLimit === 0) {
      this.#droppedLinksCount += 1;
      return this;
    }
    if (this.links.length >= linkCountLimit) {
      if (this.#droppedLinksCount === 0) diag.debug('Dropping extra links.');
      this.links.shift();
      this.#droppedLinksCount += 1;
    }
    this.links.push({
      context: link.context,
      ...cleanAttributes(link.attributes, {
        attributeCountLimit: attributePerLinkCountLimit,
        attributeValueLengthLimit,
      }),
    } as Link);
    return this;
  }

  addLinks(links: Link[]): this {
    for (const link of links) this.addLink(link);
    return this;
  }

  setStatus(status: SpanStatus): this {
    if (this.#isEnded()) return this;
    if (status.code === SpanStatusCode.UNSET || this.status.code === SpanStatusCode.OK) return this;
    const next: SpanStatus = { code: status.code };
    if (status.code === SpanStatusCode.ERROR) {
      if (typeof status.message === 'string') next.message = status.message;
      else if (status.message != null)
        diag.warn(`Dropping invalid status.message of type '${typeof status.message}', expected 'string'`);
    }
    this.status = next;
    return this;
  }

  updateName(name: string): this {
    if (this.#isEnded()) return this;
    this.name = name;
    return this;
  }

  end(endTime?: TimeInput): void {
    const { traceId, spanId } = this.#spanContext;
    if (this.#isEnded()) {
      diag.error(`${this.name} ${traceId}-${spanId} - You can only call end() on a span once.`);
      return;
    }
    this.endTime = this.#time(endTime);
    this.#duration = hrTimeDuration(this.startTime, this.endTime);
    if (this.#duration[0] < 0) {
      diag.warn('Inconsistent start and end time, startTime > endTime. Setting span duration to 0ms.');
      this.endTime = this.startTime.slice() as HrTime;
      this.#duration = [0, 0];
    }
    if (this.#droppedEventsCount > 0)
      diag.warn(`Dropped ${this.#droppedEventsCount} events because eventCountLimit reached`);
    if (this.#droppedLinksCount > 0)
      diag.warn(`Dropped ${this.#droppedLinksCount} links because linkCountLimit reached`);
    const { processors } = this.#sink;
    for (const processor of processors) processor.onEnding?.(this as never);
    this.#ended = true;
    for (const processor of processors) processor.onEnd(this);
  }

  isRecording(): boolean {
    return !this.#ended;
  }

  recordException(exception: Exception, time?: TimeInput): void {
    const attributes: Attributes = {};
    if (typeof exception === 'string') attributes[ATTR_EXCEPTION_MESSAGE] = exception;
    else if (exception) {
      if (exception.code) attributes[ATTR_EXCEPTION_TYPE] = exception.code.toString();
      else if (exception.name) attributes[ATTR_EXCEPTION_TYPE] = exception.name;
      if (exception.message) attributes[ATTR_EXCEPTION_MESSAGE] = exception.message;
      if (exception.stack) attributes[ATTR_EXCEPTION_STACKTRACE] = exception.stack;
    }
    if (attributes[ATTR_EXCEPTION_TYPE] || attributes[ATTR_EXCEPTION_MESSAGE])
      this.addEvent('exception', attributes, time);
    else diag.warn(`Failed to record an exception ${String(exception)}`);
  }

  get duration(): HrTime {
    return this.#duration;
  }

  get ended(): boolean {
    return this.#ended;
  }

  get droppedAttributesCount(): number {
    return this.#droppedAttributesCount;
  }

  get droppedEventsCount(): number {
    return this.#droppedEventsCount;
  }

  get droppedLinksCount(): number {
    return this.#droppedLinksCount;
  }

  #dropAttribute(): this {
    this.#droppedAttributesCount += 1;
    if (this.#droppedAttributesCount === 1) diag.warn('Dropping extra attributes.');
    return this;
  }

  #isEnded(): boolean {
    if (this.#ended) {
      const { traceId, spanId } = this.#spanContext;
      diag.warn(`Cannot execute the operation on ended Span {traceId: ${traceId}, spanId: ${spanId}}`);
    }
    return this.#ended;
  }

  /** The SDK span's clock: the start from Date.now(), later times from the performance clock since. */
  #time(input: TimeInput | undefined): HrTime {
    if (typeof input === 'number' && input <= performance.now()) return hrTime(input + this.#performanceOffset);
    if (typeof input === 'number') return millisToHrTime(input);
    if (input instanceof Date) return millisToHrTime(input.getTime());
    if (isTimeInputHrTime(input)) return input;
    return addHrTimes(this.startTime, millisToHrTime(performance.now() - this.#performanceStart));
  }
}
