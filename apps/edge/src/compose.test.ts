import { describe, expect, it } from 'vitest';
import { compose, type Stage } from './compose';
import type { EdgeContext } from './context';

const ctx = {} as EdgeContext;

function recording(name: string, seen: string[]): Stage {
  return async (_ctx, next) => {
    seen.push(`${name} in`);
    await next();
    seen.push(`${name} out`);
  };
}

describe('compose', () => {
  it('should run the stages in order as an onion, each around the rest', async () => {
    const seen: string[] = [];
    await compose([recording('a', seen), recording('b', seen), recording('c', seen)])(ctx);
    expect(seen).toEqual(['a in', 'b in', 'c in', 'c out', 'b out', 'a out']);
  });

  it('should reject a second next() from one stage without running the rest again', async () => {
    let runs = 0;
    const twice: Stage = async (_ctx, next) => {
      await next();
      await next();
    };
    const pipeline = compose([
      twice,
      async () => {
        runs += 1;
      },
    ]);
    await expect(pipeline(ctx)).rejects.toThrow('edge stage 0 called next() twice');
    expect(runs).toBe(1);
  });

  it('should stop at a stage that neither answers nor calls next(), and settle', async () => {
    const seen: string[] = [];
    const silent: Stage = async () => {};
    await compose([recording('a', seen), silent, recording('never', seen)])(ctx);
    expect(seen).toEqual(['a in', 'a out']);
  });

  it('should turn a stage that throws synchronously into a rejection', async () => {
    const throwing: Stage = () => {
      throw new Error('at once');
    };
    await expect(compose([throwing])(ctx)).rejects.toThrow('at once');
  });
});
