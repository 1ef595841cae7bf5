import type { EdgeContext } from './context';

/** A pipeline stage: does its part, then awaits `next()` at most once; it short-circuits by not calling it. */
export type Stage = (ctx: EdgeContext, next: () => Promise<void>) => Promise<void>;

/** Runs stages as an onion, in order (Hono's compose); a second `next()` from one stage is an error. */
export function compose(stages: readonly Stage[]): (ctx: EdgeContext) => Promise<void> {
  return function pipeline(ctx) {
    let reached = -1;
    const run = (i: number): Promise<void> => {
      if (i <= reached) return Promise.reject(new Error(`edge stage ${i - 1} called next() twice`));
      reached = i;
      const stage = stages[i];
      if (stage === undefined) return Promise.resolve();
      try {
        return stage(ctx, () => run(i + 1));
      } catch (err) {
        return Promise.reject(err);
      }
    };
    return run(0);
  };
}
