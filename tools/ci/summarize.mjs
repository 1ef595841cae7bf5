// The end of tools/ci/test.sh: each phase's time, what was skipped — each suite or check not run (why, and the command
// that runs it), and each suite that skipped tests itself (by name) — and the one line `N passed, N failed` over every
// phase: each check counts as one, each test as one (from vitest's JSON reports), and a suite project that left no
// report (it crashed, or ran nothing) as one failure. Skipped ones count neither way. Exits non-zero when anything
// failed.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * One line of phases.tsv, as tools/ci/test.sh records it.
 * @typedef {{ name: string, kind: string, target: string, projects: string[], rc: string, seconds: number, why: string, command: string }} Phase
 */
/**
 * The parts of vitest's JSON report read here.
 * @typedef {{
 *   success: boolean, numTotalTests: number, numPassedTests: number, numFailedTests: number, numPendingTests: number,
 *   testResults: Array<{ assertionResults: Array<{ ancestorTitles: string[], status: string }> }>
 * }} Report
 */

const dir = process.argv[2];
if (!dir) {
  console.error('usage: node tools/ci/summarize.mjs <report dir>');
  process.exit(2);
}
/** @type {Phase[]} */
const phases = readFileSync(join(dir, 'phases.tsv'), 'utf8')
  .split('\n')
  .filter(Boolean)
  .map((line) => {
    const [name = '', kind = '', target = '', projects = '', rc = '', seconds = '0', why = '-', command = '-'] =
      line.split('\t');
    return {
      name,
      kind,
      target,
      projects: projects.split(',').filter((p) => p && p !== '-'),
      rc,
      seconds: Number(seconds),
      why,
      command,
    };
  });

let passed = 0;
let failed = 0;
/** @type {string[]} */
const problems = [];
/** @type {string[]} */
const skipped = [];

for (const phase of phases) {
  if (phase.kind === 'check') {
    if (phase.rc === '0') passed += 1;
    else {
      failed += 1;
      problems.push(`check ${phase.name} failed (exit ${phase.rc})`);
    }
  } else if (phase.kind === 'skip') {
    skipped.push(`${phase.name}: ${phase.why}${phase.command === '-' ? '' : `\n    run it: ${phase.command}`}`);
  } else if (phase.kind === 'suite') {
    for (const project of phase.projects) {
      const suite = `${project}:${phase.target}`;
      const report = join(dir, `${project}.${phase.target}.json`);
      if (!existsSync(report)) {
        failed += 1;
        problems.push(`${suite} left no test report`);
        continue;
      }
      /** @type {Report} */
      const result = JSON.parse(readFileSync(report, 'utf8'));
      passed += result.numPassedTests;
      failed += result.numFailedTests;
      if (result.numFailedTests > 0) problems.push(`${suite}: ${result.numFailedTests} failed`);
      if (result.numTotalTests === 0) {
        failed += 1;
        problems.push(`${suite} ran no tests`);
      }
      if (result.numPendingTests > 0) {
        const groups = new Set(
          result.testResults.flatMap((file) =>
            file.assertionResults
              .filter((a) => a.status !== 'passed' && a.status !== 'failed')
              .map((a) => a.ancestorTitles[0]),
          ),
        );
        skipped.push(
          `${suite}: ${result.numPendingTests} tests skipped by the suite itself — ${[...groups].join('; ')}`,
        );
      }
      if (!result.success && result.numFailedTests === 0) {
        failed += 1;
        problems.push(`${suite} failed outside its tests`);
      }
    }
  }
}

const timed = phases.filter((phase) => phase.kind !== 'skip');
const width = Math.max(...timed.map((phase) => phase.name.length));
console.log('\nphase times:');
for (const phase of timed)
  console.log(
    `  ${phase.name.padEnd(width)}  ${String(phase.seconds).padStart(4)} s${phase.rc === '0' ? '' : `  (exit ${phase.rc})`}`,
  );
if (skipped.length > 0) {
  console.log('\nskipped:');
  for (const line of skipped) console.log(`  - ${line}`);
}
if (problems.length > 0) {
  console.log('\nfailed:');
  for (const problem of problems) console.log(`  - ${problem}`);
}
console.log(`${passed} passed, ${failed} failed`);
process.exit(failed > 0 ? 1 : 0);
