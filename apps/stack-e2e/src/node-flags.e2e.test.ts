import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROOT, startStack, type ServiceName, type Stack } from '@mono/testing';

/** tools/run/node-flags: lines starting with "-" are every service's flags, "<name>: …" lines one service's. */
function flagsFor(name: ServiceName): string[] {
  const lines = readFileSync(join(ROOT, 'tools', 'run', 'node-flags'), 'utf8').split('\n');
  const common = lines.filter((line) => line.startsWith('-'));
  const own = lines.filter((line) => line.startsWith(`${name}: `)).map((line) => line.slice(name.length + 2));
  return [...common, ...own].join(' ').split(/\s+/).filter(Boolean);
}

/** A variable of a process's environment, as the process was started with it. */
function environ(pid: number, name: string): string | undefined {
  const entry = readFileSync(`/proc/${pid}/environ`, 'utf8')
    .split('\0')
    .find((line) => line.startsWith(`${name}=`));
  return entry?.slice(name.length + 1);
}

/** What a service's image sets `name` to (its Dockerfile's ENV). */
function imageEnv(name: ServiceName, variable: string): string | undefined {
  const dockerfile = readFileSync(join(ROOT, 'apps', name, 'Dockerfile'), 'utf8');
  return new RegExp(`\\b${variable}=(\\S+)`).exec(dockerfile)?.[1];
}

/** A process's Node options: its arguments after the executable, up to the script or `--require`. */
function nodeOptions(pid: number): string[] {
  const [, ...args] = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').filter(Boolean);
  const end = args.findIndex((arg) => !arg.startsWith('--') || arg === '--require');
  return end === -1 ? args : args.slice(0, end);
}

let stack: Stack;
beforeAll(async () => {
  stack = await startStack({ edge: { EDGE_WORKERS: '2' } });
  await stack.edge.waitForLog((line) => line['msg'] === 'edge worker serving', 10_000);
});
afterAll(() => stack?.stop());

describe('node-flags', () => {
  it('should give the gateway and the framework a smaller young generation than the edge (ADR-0024)', () => {
    expect(flagsFor('gateway')).toContain('--max-semi-space-size=16');
    expect(flagsFor('framework')).toContain('--max-semi-space-size=16');
    expect(flagsFor('edge')).toContain('--max-semi-space-size=32');
  });

  it("should run every service without V8's Maglev tier (ADR-0041)", () => {
    for (const name of ['edge', 'gateway', 'framework'] as const) expect(flagsFor(name)).toContain('--no-maglev');
  });

  for (const name of ['edge', 'gateway', 'framework'] as const) {
    it(`should run every ${name} process and image with glibc's mmap threshold above the largest message (ADR-0037)`, () => {
      // A batch is written once its body passes 1 MiB, so it carries at most 1 MiB + a 256 KiB frame + heads.
      const threshold = 2 << 20;
      for (const pid of stack[name].pids()) expect(environ(pid, 'MALLOC_MMAP_THRESHOLD_')).toBe(String(threshold));
      expect(imageEnv(name, 'MALLOC_MMAP_THRESHOLD_')).toBe(String(threshold));
    });

    it(`should start every ${name} process with the common flags and then its own, which win`, () => {
      const pids = stack[name].pids();
      // The edge's primary and its worker; the framework's master and its worker.
      if (name !== 'gateway') expect(pids).toHaveLength(2);
      for (const pid of pids) expect(nodeOptions(pid)).toEqual(flagsFor(name));
    });
  }
});
