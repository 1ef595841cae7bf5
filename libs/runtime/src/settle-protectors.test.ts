import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { settleProtectors } from './settle-protectors';

describe('settleProtectors', () => {
  it("should leave a fresh process's TypedArrayLengthLookupChain protector invalidated, as Node's own Buffers do", () => {
    // A process of its own: this one's protector went long ago (its Buffers). The function's own compiled text.
    const script = `
      const before = %TypedArrayLengthProtector();
      (${settleProtectors.toString()})();
      console.log(JSON.stringify([before, %TypedArrayLengthProtector()]));`;
    const out = execFileSync(process.execPath, ['--allow-natives-syntax', '-e', script], { encoding: 'utf8' });
    expect(JSON.parse(out)).toEqual([true, false]);
  });
});
