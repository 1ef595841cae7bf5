import { ROOT_CONTEXT, TraceFlags, trace } from '@opentelemetry/api';
import { afterEach, describe, expect, it } from 'vitest';
import { setParentBasedSampling, unsampledBelow } from './sampling';

const under = (traceFlags: TraceFlags) =>
  trace.setSpanContext(ROOT_CONTEXT, {
    traceId: '0af7651916cd43dd8448eb211c80319c',
    spanId: 'b7ad6b7169203331',
    traceFlags,
  });

describe('unsampledBelow', () => {
  afterEach(() => setParentBasedSampling(false));

  it('is true below an unsampled parent when the sampler follows the parent', () => {
    setParentBasedSampling(true);
    expect(unsampledBelow(under(TraceFlags.NONE))).toBe(true);
  });

  it('is false below a sampled parent, or with no parent at all', () => {
    setParentBasedSampling(true);
    expect(unsampledBelow(under(TraceFlags.SAMPLED))).toBe(false);
    expect(unsampledBelow(ROOT_CONTEXT)).toBe(false);
  });

  it('is false when the sampler decides for itself (traceidratio may sample what the parent did not)', () => {
    setParentBasedSampling(false);
    expect(unsampledBelow(under(TraceFlags.NONE))).toBe(false);
  });
});
