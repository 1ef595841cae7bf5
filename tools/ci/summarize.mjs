// Prints the one summary line over every phase of tools/ci/test-all.sh: each check counts as one, each test as one
// (from vitest's JSON reports), and a suite project that left no report (it crashed, or ran nothing) as one failure.
// Exits non-zero when anything failed.
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

const dir = process.argv[2];
if (!dir) {
  console.error('usage: node tools/ci/summarize.mjs <report dir>');
  process.exit(2);
}
let passed = 0;
let failed = 0;
const problems = [];
const skipped = [];

for (const line of readFileSync(join(dir, 'phases.tsv'), 'utf8').split('\n').filter(Boolean)) {
  const [name, kind, target = '', rc] = line.split('\t');
  if (kind === 'check') {
    if (rc === '0') passed += 1;
    else {
      failed += 1;
      problems.push(`check ${name} failed (exit ${rc})`);
    }
    continue;
  }
  const projects = execFileSync('node_modules/.bin/nx', ['show', 'projects', '--with-target', target, '--json'], {
    encoding: 'utf8',
    env: { ...process.env, NX_DAEMON: 'false' },
  });
  for (const project of JSON.parse(projects)) {
    const report = join(dir, `${project}.${target}.json`);
    if (!existsSync(report)) {
      failed += 1;
      problems.push(`${project}:${target} left no test report`);
      continue;
    }
    const result = JSON.parse(readFileSync(report, 'utf8'));
    passed += result.numPassedTests;
    failed += result.numFailedTests;
    if (result.numFailedTests > 0) problems.push(`${project}:${target}: ${result.numFailedTests} failed`);
    if (result.numTotalTests === 0) {
      failed += 1;
      problems.push(`${project}:${target} ran no tests`);
    }
    if (result.numPendingTests > 0) {
      const suites = new Set(
        result.testResults.flatMap((file) => file.assertionResults.map((a) => a.ancestorTitles[0])),
      );
      skipped.push(`${project}:${target}: ${result.numPendingTests} skipped — ${[...suites].join('; ')}`);
    }
    if (!result.success && result.numFailedTests === 0) {
      failed += 1;
      problems.push(`${project}:${target} failed outside its tests`);
    }
  }
}

for (const suite of skipped) console.log(`  skipped: ${suite}`);
for (const problem of problems) console.log(`  - ${problem}`);
console.log(`${passed} passed, ${failed} failed`);
process.exit(failed > 0 ? 1 : 0);
