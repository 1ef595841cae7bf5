import { describe, expect, it } from 'vitest';
import { createLineLogger } from './line-logger';

describe('createLineLogger', () => {
  it("should write pino's JSON lines, at and above its level", () => {
    const lines: string[] = [];
    const log = createLineLogger('framework', 'warn', (line) => lines.push(line));
    log.info({ pid: 1 }, 'not written');
    log.warn({ pid: 2 }, 'written');
    log.error({}, 'also written');
    expect(lines.map((line) => JSON.parse(line) as Record<string, unknown>)).toEqual([
      { level: 'warn', time: expect.stringMatching(/^\d{4}-\d\d-\d\dT/), service: 'framework', pid: 2, msg: 'written' },
      { level: 'error', time: expect.any(String), service: 'framework', msg: 'also written' },
    ]);
    expect(lines.every((line) => line.endsWith('}\n'))).toBe(true);
  });
});
