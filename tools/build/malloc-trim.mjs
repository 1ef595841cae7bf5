// Compiles libs/runtime/native/malloc-trim.c into a Node addon (release-free-memory.ts loads it from beside the
// bundle). With no C compiler, or not on glibc, there is nothing to build: the services then run without it.
// Usage: node tools/build/malloc-trim.mjs <out.node>
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, realpathSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';

const root = resolve(import.meta.dirname, '../..');
const SOURCE = join(root, 'libs', 'runtime', 'native', 'malloc-trim.c');

/**
 * Builds the addon at `out`; returns why not when it cannot here (no compiler, no Node headers, not glibc). A compiler
 * that fails throws: a build that should carry the addon does not quietly go without it.
 * @param {string} out
 * @returns {string | undefined}
 */
export function buildMallocTrim(out) {
  // Node-API's headers: the project's Node 24 (the `node` package's platform package), or a Node tarball's own.
  const candidates = [
    join(root, 'node_modules', 'node', 'node_modules', `node-${process.platform}-${process.arch}`, 'include', 'node'),
    join(dirname(realpathSync(process.execPath)), '..', 'include', 'node'),
  ];
  const headers = candidates.find((dir) => existsSync(join(dir, 'node_api.h')));
  if (headers === undefined) return `no Node headers in ${candidates.join(' or ')}`;
  const report = /** @type {{ header: { glibcVersionRuntime?: string } }} */ (process.report.getReport());
  if (process.platform !== 'linux' || !report.header.glibcVersionRuntime) return 'not glibc';
  mkdirSync(dirname(out), { recursive: true });
  const cc = process.env['CC'] ?? 'cc';
  const built = spawnSync(cc, ['-O2', '-shared', '-fPIC', '-Wall', `-I${headers}`, '-o', out, SOURCE], {
    encoding: 'utf8',
  });
  if (built.error) return `no C compiler (${cc}: ${built.error.message})`;
  if (built.status !== 0) throw new Error(`malloc-trim: ${cc} failed: ${built.stderr.trim()}`);
  return undefined;
}

if (import.meta.filename === process.argv[1]) {
  const out = process.argv[2];
  if (!out) {
    console.error('usage: malloc-trim.mjs <out.node>');
    process.exit(2);
  }
  const why = buildMallocTrim(out);
  if (why) {
    console.error(`malloc-trim: not built (${why})`);
    process.exit(1);
  }
}
