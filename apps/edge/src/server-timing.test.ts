import { describe, expect, it } from 'vitest';
import { milliseconds, serverTiming } from './server-timing';

describe('serverTiming', () => {
  it('names each layer with its time in milliseconds', () => {
    expect(serverTiming(0.42, { gatewayQueueUs: 0, gatewayUs: 30, frameworkUs: 20, appUs: 1250 })).toBe(
      'edge;dur=0.42, gw-queue;dur=0, gw;dur=0.03, fw;dur=0.02, app;dur=1.25',
    );
    expect(serverTiming(12.0004, undefined)).toBe('edge;dur=12');
  });

  it('writes a time as JavaScript writes it rounded to the microsecond, and a negative one as 0', () => {
    for (let us = 0; us < 200_000; us += 1) expect(milliseconds(us)).toBe(String(Math.round(us) / 1_000));
    for (const us of [0.4, 0.5, 999.5, 1_234_567.49, 86_400_000_000]) {
      expect(milliseconds(us)).toBe(String(Math.round(us) / 1_000));
    }
    expect(milliseconds(-3)).toBe('0');
  });
});
