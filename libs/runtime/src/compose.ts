/**
 * A pipeline step: does its part for the request, then hands it to `next` at most once, at once or later (after a
 * wait for a slot, once a body is there); it ends the request itself by not handing it on.
 */
export type Step<C> = (ctx: C, next: (ctx: C) => void) => void;

/**
 * Chains steps in order, once at start-up: each step's `next` is a function made here, so a request crosses the
 * pipeline without a closure or a promise of its own (the gateway's and the framework's pipelines are on every
 * request's path).
 */
export function compose<C>(steps: readonly Step<C>[]): (ctx: C) => void {
  let run: (ctx: C) => void = end;
  for (let i = steps.length - 1; i >= 0; i -= 1) {
    const step = steps[i] as Step<C>;
    const next = run;
    run = (ctx) => step(ctx, next);
  }
  return run;
}

function end(): void {}
