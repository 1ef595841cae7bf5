import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

export interface SemconvKeys {
  /** Attribute keys of the installed semantic conventions, stable and incubating, that are not deprecated. */
  readonly current: ReadonlySet<string>;
  /** Keys the conventions deprecate (each with the note saying what replaces it). */
  readonly deprecated: ReadonlyMap<string, string>;
}

const DECLARATION = /\/\*\*((?:(?!\*\/)[\s\S])*)\*\/\s*declare const ATTR_\w+: "([^"]+)";/g;

/**
 * Every attribute key of the installed `@opentelemetry/semantic-conventions`, read from its declarations (the
 * package exports the keys as constants but says only in their JSDoc which are deprecated).
 *
 * @example
 * const { current, deprecated } = semconvKeys();
 */
export function semconvKeys(): SemconvKeys {
  const dist = dirname(require.resolve('@opentelemetry/semantic-conventions'));
  const current = new Set<string>();
  const deprecated = new Map<string, string>();
  for (const file of ['stable_attributes.d.cts', 'experimental_attributes.d.cts']) {
    for (const [, doc = '', key = ''] of readFileSync(join(dist, file), 'utf8').matchAll(DECLARATION)) {
      const note = /@deprecated\s+([^\n]*)/.exec(doc);
      if (note) deprecated.set(key, note[1] ?? '');
      else current.add(key);
    }
  }
  return { current, deprecated };
}
