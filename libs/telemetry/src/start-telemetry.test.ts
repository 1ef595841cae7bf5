import { describe, expect, it, vi } from 'vitest';
import { loadTelemetryConfig } from './config';
import { startTelemetry } from './start-telemetry';

describe('startTelemetry', () => {
  it('makes no instrumentation when the sampler never records (always_off)', () => {
    const instrumentations = vi.fn(() => []);
    const config = loadTelemetryConfig({ OTEL_TRACES_SAMPLER: 'always_off', OTEL_TRACES_EXPORTER: 'none' });
    startTelemetry({ serviceName: 'framework', version: '0.0.0', config, instrumentations });
    expect(instrumentations).not.toHaveBeenCalled();
  });

  it('registers the instrumentations when spans may be recorded', () => {
    const instrumentations = vi.fn(() => []);
    const config = loadTelemetryConfig({ OTEL_TRACES_SAMPLER: 'parentbased_always_on', OTEL_TRACES_EXPORTER: 'none' });
    startTelemetry({ serviceName: 'framework', version: '0.0.0', config, instrumentations });
    expect(instrumentations).toHaveBeenCalledOnce();
  });
});
