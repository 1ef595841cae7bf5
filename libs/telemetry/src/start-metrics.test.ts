import { metrics } from '@opentelemetry/api';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { afterAll, describe, expect, it } from 'vitest';
import { loadMetricsConfig } from './metrics-config';
import { prometheusHandler, prometheusText } from './prometheus-handler';
import { startMetrics } from './start-metrics';

afterAll(() => metrics.disable());

describe('startMetrics', () => {
  it('should give the Prometheus text both to the admin listener and to a process that passes it on', async () => {
    startMetrics({ resource: resourceFromAttributes({ 'service.name': 'svc' }), config: loadMetricsConfig({}) });
    metrics.getMeter('test').createCounter('things', { description: 'Things counted' }).add(2, { kind: 'a' });
    expect(prometheusHandler()).toBeTypeOf('function');
    const text = await prometheusText()?.();
    expect(text).toContain('# TYPE things_total counter');
    expect(text).toMatch(/^things_total\{kind="a",.*\} 2$/m);
  });
});
