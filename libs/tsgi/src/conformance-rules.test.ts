import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CONFORMANCE_RULES } from './conformance-rules';

describe('CONFORMANCE_RULES', () => {
  it('should be listed in README.md, each with its side', () => {
    const readme = readFileSync(join(__dirname, '..', 'README.md'), 'utf8');
    const listed = [...readme.matchAll(/^\| `([a-z_.-]+)` \| (server|application) \|/gm)].map(([, id, side]) => [
      id,
      side,
    ]);
    expect(listed).toEqual(Object.entries(CONFORMANCE_RULES).map(([id, { side }]) => [id, side]));
  });
});
