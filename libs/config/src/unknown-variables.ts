import type { Env } from './load-config';

/** A variable with a service's prefix that the service does not read, and the known name it most likely meant. */
export interface UnknownVariable {
  name: string;
  suggestion?: string;
}

/**
 * The set variables that carry `prefix` but are not `known`: a typo such as `EDGE_MAX_BODY_BYTE` would otherwise be
 * ignored in silence. Each comes with the closest known name when one is a few edits away.
 *
 * @example
 * unknownVariables({ EDGE_MAX_BODY_BYTE: '1' }, 'EDGE_', ['EDGE_MAX_BODY_BYTES'])
 * // [{ name: 'EDGE_MAX_BODY_BYTE', suggestion: 'EDGE_MAX_BODY_BYTES' }]
 */
export function unknownVariables(env: Env, prefix: string, known: readonly string[]): UnknownVariable[] {
  const names = new Set(known);
  return Object.keys(env)
    .filter((name) => name.startsWith(prefix) && !names.has(name) && env[name] !== undefined)
    .sort()
    .map((name) => {
      const suggestion = closest(name, known);
      return suggestion === undefined ? { name } : { name, suggestion };
    });
}

/** The known name fewest edits away, if it is within a third of the name's length (and at most 4 edits). */
function closest(name: string, known: readonly string[]): string | undefined {
  const limit = Math.min(4, Math.floor(name.length / 3));
  let best: string | undefined;
  let bestDistance = limit + 1;
  for (const candidate of known) {
    const distance = editDistance(name, candidate);
    if (distance < bestDistance) {
      best = candidate;
      bestDistance = distance;
    }
  }
  return best;
}

/** Insertions, deletions, substitutions and swaps of two neighbours needed to turn `a` into `b`. */
function editDistance(a: string, b: string): number {
  const width = b.length + 1;
  const d = new Uint16Array((a.length + 1) * width);
  const at = (i: number, j: number) => d[i * width + j] as number;
  for (let i = 0; i <= a.length; i += 1) d[i * width] = i;
  for (let j = 0; j <= b.length; j += 1) d[j] = j;
  for (let i = 1; i <= a.length; i += 1) {
    for (let j = 1; j <= b.length; j += 1) {
      let best = Math.min(at(i - 1, j) + 1, at(i, j - 1) + 1, at(i - 1, j - 1) + (a[i - 1] === b[j - 1] ? 0 : 1));
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) best = Math.min(best, at(i - 2, j - 2) + 1);
      d[i * width + j] = best;
    }
  }
  return at(a.length, b.length);
}
