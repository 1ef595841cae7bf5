import { describe, expect, it } from 'vitest';
import { mergeExpositions, parseExposition, retire, type Exposition } from './merge-metrics';

/** The text one worker's exporter writes, with `requests` counted and `inFlight` now. */
function worker(instance: string, requests: number, inFlight: number): string {
  return [
    '# HELP target_info Target metadata',
    '# TYPE target_info gauge',
    `target_info{service_name="framework",service_instance_id="${instance}"} 1`,
    '# HELP rpc_server_call_duration Duration of requests',
    '# UNIT rpc_server_call_duration s',
    '# TYPE rpc_server_call_duration histogram',
    `rpc_server_call_duration_count{app="default"} ${requests}`,
    `rpc_server_call_duration_sum{app="default"} ${requests / 100}`,
    `rpc_server_call_duration_bucket{app="default",le="0.005"} ${requests}`,
    `rpc_server_call_duration_bucket{app="default",le="+Inf"} ${requests}`,
    '# HELP mono_framework_requests_in_flight Requests now',
    '# TYPE mono_framework_requests_in_flight gauge',
    `mono_framework_requests_in_flight{app="default"} ${inFlight}`,
    '',
  ].join('\n');
}

describe('mergeExpositions', () => {
  it('should add up histograms over live and finished workers, gauges over live ones, and keep the newest resource', () => {
    const retired: Exposition = new Map();
    retire(retired, parseExposition(worker('first', 10, 0)));
    const text = mergeExpositions(
      [parseExposition(worker('second', 5, 2)), parseExposition(worker('third', 1, 1))],
      retired,
    );
    const merged = parseExposition(text);
    const histogram = merged.get('rpc_server_call_duration');
    expect(histogram?.type).toBe('histogram');
    expect(histogram?.comments).toEqual([
      '# HELP rpc_server_call_duration Duration of requests',
      '# UNIT rpc_server_call_duration s',
      '# TYPE rpc_server_call_duration histogram',
    ]);
    const series = Object.fromEntries(histogram?.series ?? []);
    expect(series).toEqual({
      'rpc_server_call_duration_count{app="default"}': 16,
      'rpc_server_call_duration_sum{app="default"}': expect.closeTo(0.16, 10),
      'rpc_server_call_duration_bucket{app="default",le="0.005"}': 16,
      'rpc_server_call_duration_bucket{app="default",le="+Inf"}': 16,
    });
    expect(merged.get('mono_framework_requests_in_flight')?.series).toEqual(
      new Map([['mono_framework_requests_in_flight{app="default"}', 3]]),
    );
    expect([...(merged.get('target_info')?.series.keys() ?? [])]).toEqual([
      'target_info{service_name="framework",service_instance_id="third"}',
    ]);
  });

  it('should give what finished workers served when no worker answers', () => {
    const retired: Exposition = new Map();
    retire(retired, parseExposition(worker('first', 7, 4)));
    const merged = parseExposition(mergeExpositions([], retired));
    expect(merged.get('rpc_server_call_duration')?.series.get('rpc_server_call_duration_count{app="default"}')).toBe(7);
    expect(merged.has('mono_framework_requests_in_flight')).toBe(false);
  });
});
