import { describe, expect, it } from 'vitest';
import { settleWithin } from './with-timeout';

describe('settleWithin', () => {
  it('should resolve when the promise settles first, rejected or not', async () => {
    await expect(settleWithin(Promise.resolve(1), 1_000)).resolves.toBeUndefined();
    await expect(settleWithin(Promise.reject(new Error('x')), 1_000)).resolves.toBeUndefined();
  });

  it('should resolve after the time limit when the promise never settles', async () => {
    const started = Date.now();
    await settleWithin(new Promise(() => {}), 50);
    expect(Date.now() - started).toBeGreaterThanOrEqual(45);
  });
});
