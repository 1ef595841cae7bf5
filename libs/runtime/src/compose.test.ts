import { describe, expect, it } from 'vitest';
import { compose, type Step } from './compose';

interface Ctx {
  seen: string[];
}

function recording(name: string): Step<Ctx> {
  return (ctx, next) => {
    ctx.seen.push(name);
    next(ctx);
  };
}

describe('compose', () => {
  it('should run the steps in order, each handing the same context on', () => {
    const ctx: Ctx = { seen: [] };
    compose([recording('a'), recording('b'), recording('c')])(ctx);
    expect(ctx.seen).toEqual(['a', 'b', 'c']);
  });

  it('should end the request at a step that does not hand it on', () => {
    const ctx: Ctx = { seen: [] };
    const answers: Step<Ctx> = (c) => c.seen.push('answered');
    compose([recording('a'), answers, recording('never')])(ctx);
    expect(ctx.seen).toEqual(['a', 'answered']);
  });

  it('should run the rest when a step hands the request on later', async () => {
    const ctx: Ctx = { seen: [] };
    let resume: (() => void) | undefined;
    const waits: Step<Ctx> = (c, next) => {
      resume = () => next(c);
    };
    const done = new Promise<void>((resolve) => {
      compose([recording('a'), waits, recording('b'), () => resolve()])(ctx);
    });
    expect(ctx.seen).toEqual(['a']);
    resume?.();
    await done;
    expect(ctx.seen).toEqual(['a', 'b']);
  });

  it('should build each next once: a second request crosses the same functions', () => {
    const nexts: Array<(ctx: Ctx) => void> = [];
    const capturing: Step<Ctx> = (c, next) => {
      nexts.push(next);
      next(c);
    };
    const pipeline = compose([capturing, recording('b')]);
    pipeline({ seen: [] });
    pipeline({ seen: [] });
    expect(nexts[0]).toBe(nexts[1]);
  });

  it('should accept an empty pipeline', () => {
    expect(() => compose<Ctx>([])({ seen: [] })).not.toThrow();
  });
});
