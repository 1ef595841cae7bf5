import { context, propagation, trace } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { CompositePropagator, W3CBaggagePropagator, W3CTraceContextPropagator } from '@opentelemetry/core';
import { defaultResource } from '@opentelemetry/resources';
import {
  AlwaysOnSampler,
  InMemorySpanExporter,
  ParentBasedSampler,
  SimpleSpanProcessor,
  TracerProvider,
  type ReadableSpan,
} from '@opentelemetry/sdk-trace';
import { ErrorTypeProcessor } from './error-type-processor';
import { DEFAULT_SPAN_LIMITS, setHopSpanSink } from './hop-tracer';

export interface TestTracing {
  /** Spans ended so far, in the order they ended. */
  spans(): ReadableSpan[];
  reset(): void;
  uninstall(): Promise<void>;
}

/**
 * Registers a real SDK that keeps spans in memory, with the same propagators and processors as the services, and
 * hop spans made as the services make them (HopTracer).
 */
export function installTestTracing(): TestTracing {
  const exporter = new InMemorySpanExporter();
  const resource = defaultResource();
  const processors = [new ErrorTypeProcessor(), new SimpleSpanProcessor({ exporter })];
  const sampler = new ParentBasedSampler({ root: new AlwaysOnSampler() });
  const provider = new TracerProvider({ resource, sampler, spanProcessors: processors });
  setHopSpanSink({ provider, resource, limits: DEFAULT_SPAN_LIMITS, processors, sampler });

  const manager = new AsyncLocalStorageContextManager().enable();
  context.setGlobalContextManager(manager);
  propagation.setGlobalPropagator(
    new CompositePropagator({ propagators: [new W3CTraceContextPropagator(), new W3CBaggagePropagator()] }),
  );
  trace.setGlobalTracerProvider(provider);
  return {
    spans: () => exporter.getFinishedSpans(),
    reset: () => exporter.reset(),
    async uninstall() {
      await provider.shutdown();
      setHopSpanSink(undefined);
      trace.disable();
      propagation.disable();
      context.disable();
    },
  };
}

export { semconvKeys } from './semconv-keys';
export type { SemconvKeys } from './semconv-keys';
