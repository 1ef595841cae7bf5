import type { Limits } from '@mono/contracts';
import { describe, expect, it } from 'vitest';
import { noLimits } from './hop-limits';
import { RequestLimits } from './request-limits';

const CODES = { headers: 'GW_ERR_HEADERS_TOO_LARGE', body: 'GW_ERR_BODY_TOO_LARGE' } as const;

const own: Limits = {
  ...noLimits(),
  headerBytes: {
    value: 65_536,
    setting: 'gateway.yaml limits.headers',
    variable: 'GATEWAY_MAX_HEADER_BYTES',
    origin: '',
  },
};
const inner: Limits = {
  ...noLimits(),
  headerBytes: {
    value: 4_096,
    setting: 'framework.yaml limits.headers',
    variable: 'FRAMEWORK_MAX_HEADER_BYTES',
    origin: 'framework 10.0.0.1:50061',
  },
  bodyBytes: {
    value: 65_536,
    setting: 'framework.yaml limits.body',
    variable: 'FRAMEWORK_MAX_BODY_BYTES',
    origin: 'framework 10.0.0.1:50061',
  },
};

describe('RequestLimits', () => {
  it('should apply its own limits until the layers behind announce smaller ones, then theirs', () => {
    const limits = new RequestLimits(own, CODES);
    expect([limits.maxHeaderBytes, limits.maxBodyBytes]).toEqual([65_536, 0]);
    expect(limits.headersTooLarge(70_000).message).toBe(
      'the request head of 70000 bytes exceeds gateway.yaml limits.headers 64KiB (GATEWAY_MAX_HEADER_BYTES)',
    );
    limits.update(inner);
    expect([limits.maxHeaderBytes, limits.maxBodyBytes]).toEqual([4_096, 65_536]);
    const head = limits.headersTooLarge(5_000);
    expect([head.code, head.httpStatus]).toEqual(['GW_ERR_HEADERS_TOO_LARGE', 431]);
    expect(head.message).toBe(
      'the request head of 5000 bytes exceeds framework.yaml limits.headers 4KiB (FRAMEWORK_MAX_HEADER_BYTES)',
    );
    const body = limits.bodyTooLarge(70_000);
    expect([body.code, body.httpStatus, body.notAccepted]).toEqual(['GW_ERR_BODY_TOO_LARGE', 413, false]);
    expect(body.message).toBe(
      'the body of 70000 bytes exceeds framework.yaml limits.body 64KiB (FRAMEWORK_MAX_BODY_BYTES)',
    );
    expect(limits.bodyTooLarge().message).toBe(
      'the body exceeds framework.yaml limits.body 64KiB (FRAMEWORK_MAX_BODY_BYTES)',
    );
  });

  it('should fall back to its own limits when the layers behind no longer announce any', () => {
    const limits = new RequestLimits(own, CODES);
    limits.update(inner);
    limits.update(noLimits());
    expect([limits.maxHeaderBytes, limits.maxBodyBytes]).toEqual([65_536, 0]);
  });
});
