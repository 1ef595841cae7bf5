import { metrics } from '@opentelemetry/api';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { durationHistogram, recordByParts } from './duration-histogram';
import { loadMetricsConfig } from './metrics-config';
import { prometheusText } from './prometheus-handler';
import { startMetrics } from './start-metrics';

const BOUNDARIES = [0.005, 0.01, 0.025, 0.05, 0.1, 1];
const VALUES = [0.001, 0.005, 0.0051, 0.02, 0.02, 0.3, 1, 7.5, 0];

async function exposition(): Promise<string> {
  const text = await prometheusText()?.();
  if (text === undefined) throw new Error('no Prometheus text');
  return text;
}

/** The lines of one metric, its name replaced, in order. */
function linesOf(text: string, name: string): string[] {
  return text
    .split('\n')
    .filter((line) => line.includes(name))
    .map((line) => line.replaceAll(name, 'm'));
}

describe('durationHistogram', () => {
  beforeAll(() =>
    startMetrics({ resource: resourceFromAttributes({ 'service.name': 'svc' }), config: loadMetricsConfig({}) }),
  );
  afterAll(() => metrics.disable());

  it('should be exported exactly as the SDK exports a histogram of the same values', async () => {
    const options = { description: 'Durations', unit: 's' };
    const sdk = metrics
      .getMeter('scope')
      .createHistogram('sdk.duration', { ...options, advice: { explicitBucketBoundaries: BOUNDARIES } });
    const ours = durationHistogram('scope', 'ours.duration', { ...options, boundaries: BOUNDARIES });
    for (const [i, value] of VALUES.entries()) {
      const status = i % 3 === 0 ? 'ERROR' : 'OK';
      sdk.record(value, { status, kind: 'x' });
      ours.record(value, status, () => ({ status, kind: 'x' }));
    }
    const text = await exposition();
    const expected = linesOf(text, 'sdk_duration');
    expect(expected.length).toBeGreaterThan(2 * (BOUNDARIES.length + 3));
    expect(linesOf(text, 'ours_duration')).toEqual(expected);
  });

  it('should make the attributes of a series once, and keep adding to it', async () => {
    const ours = durationHistogram('scope', 'once.duration', { description: 'd', unit: 's', boundaries: [1] });
    let made = 0;
    const make = () => {
      made += 1;
      return { route: 'a' };
    };
    for (let i = 0; i < 5; i += 1) ours.record(2, 'a', make);
    expect(made).toBe(1);
    const text = await exposition();
    expect(text).toMatch(/^once_duration_count\{route="a",.*\} 5$/m);
    expect(text).toMatch(/^once_duration_bucket\{route="a",.*le="1"\} 0$/m);
    expect(text).toMatch(/^once_duration_sum\{route="a",.*\} 10$/m);
  });

  it('should record by parts into the series they name, making a key again only when the parts change', async () => {
    const ours = durationHistogram('scope', 'parts.duration', { description: 'd', unit: 's', boundaries: [1] });
    const keys: string[] = [];
    const record = recordByParts(
      ours,
      (method: string, status: number) => {
        keys.push(`${method} ${status}`);
        return `${method} ${status}`;
      },
      (method, status) => ({ method, status }),
    );
    const calls: Array<[string, number, number]> = [
      ['GET', 200, 0.5],
      ['GET', 200, 2],
      ['POST', 200, 0.5],
      ['POST', 404, 0.5],
      ['GET', 200, 0.5],
      ['GET', 404, 2],
    ];
    for (const [method, status, value] of calls) record(value, method, status);
    expect(keys).toEqual(['GET 200', 'POST 200', 'POST 404', 'GET 200', 'GET 404']);
    const text = await exposition();
    const count = (method: string, status: number) =>
      new RegExp(`^parts_duration_count\\{method="${method}",status="${status}",.*\\} (\\d+)$`, 'm').exec(text)?.[1];
    expect([count('GET', 200), count('POST', 200), count('POST', 404), count('GET', 404)]).toEqual([
      '3',
      '1',
      '1',
      '1',
    ]);
    expect(text).toMatch(/^parts_duration_sum\{method="GET",status="200",.*\} 3$/m);
    expect(text).toMatch(/^parts_duration_sum\{method="GET",status="404",.*\} 2$/m);
  });

  it('should keep the cardinality limit as the SDK does: 1999 attribute sets, then one overflow series', async () => {
    const options = { description: 'd', unit: 's' };
    const sdk = metrics.getMeter('scope').createHistogram('sdkwide.duration', options);
    const ours = durationHistogram('scope', 'ourswide.duration', { ...options, boundaries: [1] });
    for (let i = 0; i < 2_010; i += 1) {
      sdk.record(0.5, { key: `k${i}` });
      ours.record(0.5, `k${i}`, () => ({ key: `k${i}` }));
    }
    const text = await exposition();
    const counts = (name: string) => linesOf(text, name).filter((line) => line.startsWith('m_count'));
    expect(counts('ourswide_duration')).toHaveLength(2_000);
    expect(text).toMatch(/^ourswide_duration_count\{otel_metric_overflow="true",.*\} 11$/m);
    expect(counts('ourswide_duration')).toEqual(counts('sdkwide_duration'));
  });

  it('should drop negative values and NaN, as the SDK does', async () => {
    const ours = durationHistogram('scope', 'odd.duration', { description: 'd', unit: 's', boundaries: [1] });
    for (const value of [-1, Number.NaN, 0.5]) ours.record(value, 'a', () => ({ route: 'a' }));
    const text = await exposition();
    expect(text).toMatch(/^odd_duration_count\{route="a",.*\} 1$/m);
    expect(text).toMatch(/^odd_duration_sum\{route="a",.*\} 0.5$/m);
  });

  it('should be one histogram when made twice, with its boundaries ascending and finite', async () => {
    const boundaries = [1, 0.5, Number.POSITIVE_INFINITY, 0.5];
    const first = durationHistogram('scope', 'twice.duration', { description: 'd', unit: 's', boundaries });
    const second = durationHistogram('scope', 'twice.duration', { description: 'd', unit: 's', boundaries: [9] });
    first.record(0.2, 'a', () => ({ route: 'a' }));
    second.record(0.7, 'a', () => ({ route: 'a' }));
    const buckets = (await exposition()).split('\n').filter((line) => line.startsWith('twice_duration_bucket'));
    expect(buckets.map((line) => /le="([^"]+)"\} (\d+)$/.exec(line)?.slice(1).join(' '))).toEqual([
      '0.5 1',
      '1 2',
      '+Inf 2',
    ]);
  });
});
