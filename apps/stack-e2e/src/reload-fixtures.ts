import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { expect } from 'vitest';
import { ROOT, send, type Stack } from '@mono/testing';

export const DEMO = join(ROOT, 'examples', 'express-demo', 'dist', 'index.cjs');
export const OLD_TEXT = 'Hello World!';
export const RELOADED = 'reloaded: the new worker serves, the old one drains';
export const NEW_TEXT = 'Hello again, reloaded!';

/**
 * A copy of the demo app's bundle that a test may change, inside the workspace so that it finds express in its
 * node_modules (the examples' own bundles are shared by every suite).
 */
export function demoCopy(): string {
  const scratch = join(ROOT, 'tmp');
  mkdirSync(scratch, { recursive: true });
  const path = join(mkdtempSync(join(scratch, 'reload-e2e-')), 'index.cjs');
  copyFileSync(DEMO, path);
  copyFileSync(`${DEMO}.map`, `${path}.map`);
  return path;
}

export function rewrite(path: string, from: string, to: string): void {
  const source = readFileSync(path, 'utf8');
  expect(source).toContain(from);
  writeFileSync(path, source.replace(from, to));
}

export async function hello(stack: Stack): Promise<string> {
  const res = await send(`${stack.url}/hello`);
  expect(res.status).toBe(200);
  return res.body.toString();
}

/**
 * ms from now until /hello answers `text`. The reload itself is an event (the master logs it), but what a client
 * gets is only seen by asking, so this polls: every 20 ms, as a client would keep coming.
 */
export async function untilServed(stack: Stack, text: string, limitMs: number): Promise<number> {
  const started = performance.now();
  while (performance.now() - started < limitMs + 1_000) {
    if ((await hello(stack)) === text) return performance.now() - started;
    await sleep(20);
  }
  return Infinity;
}
