import { SpanStatusCode } from '@opentelemetry/api';
import type { ReadableSpan, Span, SpanProcessor } from '@opentelemetry/sdk-trace';
import { ATTR_ERROR_TYPE, ATTR_EXCEPTION_TYPE } from '@opentelemetry/semantic-conventions';

/**
 * Gives every span that ends with status ERROR an `error.type` (semantic conventions), taken from the exception it
 * recorded when it has none: instrumentations (Express's) set the status but not the attribute.
 */
export class ErrorTypeProcessor implements SpanProcessor {
  onStart(): void {}

  onEnding(span: Span): void {
    if (span.status.code !== SpanStatusCode.ERROR || span.attributes[ATTR_ERROR_TYPE] !== undefined) return;
    const exception = span.events.find((event) => event.name === 'exception');
    const type = exception?.attributes?.[ATTR_EXCEPTION_TYPE];
    span.setAttribute(ATTR_ERROR_TYPE, typeof type === 'string' && type !== '' ? type : '_OTHER');
  }

  onEnd(_span: ReadableSpan): void {}

  forceFlush(): Promise<void> {
    return Promise.resolve();
  }

  shutdown(): Promise<void> {
    return Promise.resolve();
  }
}
