// Every check that the docs match the code, each run even when one before it failed; exits 1 if any failed.
// The docs phase of tools/ci/test.sh and `npx nx run tools:docs-check` run this.
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';

/** @type {Array<[script: string, ...args: string[]]>} */
const checks = [
  ['env-tables.mjs', '--check'], // each service's Configuration table is its env schema
  ['pipeline-stages.mjs'], // each app's Pipeline drawing names the stages of its pipeline.ts, in order
  ['standalone.mjs'], // nothing points outside the repository or to an issue number; links resolve; ADRs indexed
];
let failed = 0;
for (const [script, ...args] of checks) {
  const { status } = spawnSync(process.execPath, [join(import.meta.dirname, script), ...args], { stdio: 'inherit' });
  if (status !== 0) failed += 1;
}
process.exit(failed > 0 ? 1 : 0);
