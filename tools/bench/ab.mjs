// tools/bench/ab.mjs: what a change bought. Builds each git revision in a worktree of its own (tmp/ab/<sha>, with
// this checkout's node_modules hard-linked in, or its own installed when it locks other packages) and measures our
// stack's /hello for each, all revisions in every round, in turn, so that they share the machine's state. Prints
// medians with their spread (min–max over the rounds), the ratio of each to the first, and the server CPU per request
// of each service (its whole process tree). A change is judged by whether its median moved beyond the spread of at
// least 5 rounds.
//
// With --sample, every revision's services trace that ratio of requests (1: all) to a Jaeger of each round's own,
// whose CPU per request is shown apart.
//
//   node tools/bench/ab.mjs [--app native|express] [--rounds 5] [--duration 10] [--connections 50] [--sample 0]
//     <rev> <rev>...
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { takeOption } from './lib/arguments.mjs';
import { APPS, edgeShares, portFree, ready, startOurs, URL } from './lib/configs.mjs';
import { startJaeger } from './lib/jaeger.mjs';
import { ensureFromDebian } from './lib/prerequisites.mjs';
import { cpuByService, cpuSeconds, memory, ProcessGroup } from './lib/processes.mjs';
import { ordered } from './lib/report.mjs';
import { warmUp, wrk } from './lib/wrk.mjs';

const ROOT = join(import.meta.dirname, '..', '..');
const args = process.argv.slice(2);
/** @type {(name: string, fallback: string) => string} */
const option = (name, fallback) => takeOption(args, name, fallback);
const APP = option('app', 'native');
const ROUNDS = Number(option('rounds', '5'));
const DURATION = Number(option('duration', '10'));
const CONNECTIONS = Number(option('connections', '50'));
const SAMPLE = Number(option('sample', '0'));
const revisions = args;
if (revisions.length < 2 || !['native', 'express'].includes(APP)) {
  console.error(
    'usage: node tools/bench/ab.mjs [--app native|express] [--rounds 5] [--duration 10] [--connections 50] [--sample 0] <rev> <rev>...',
  );
  process.exit(2);
}
// Older revisions' launchers run whatever `node` PATH finds: make it this project's Node 24.
process.env.PATH = `${join(ROOT, 'node_modules', '.bin')}:${process.env.PATH}`;
/** @param {string[]} argv */
const git = (...argv) => execFileSync('git', argv, { cwd: ROOT, encoding: 'utf8' }).trim();
// The load generator, from Debian, the first time (as bench.mjs does).
ensureFromDebian('wrk', ['--version'], 'wrk', (line) => console.log(`ab: ${line}`));
const MiB = 1024 * 1024;

const trees = revisions.map((rev) => {
  const sha = git('rev-parse', '--short', `${rev}^{commit}`);
  const dir = join(ROOT, 'tmp', 'ab', sha);
  if (!existsSync(dir)) {
    mkdirSync(join(ROOT, 'tmp', 'ab'), { recursive: true });
    git('worktree', 'add', '--detach', dir, sha);
    // This checkout's packages, hard-linked, when the revision locks the same ones; else its own, installed.
    if (readFileSync(join(dir, 'package-lock.json'), 'utf8') === readFileSync(join(ROOT, 'package-lock.json'), 'utf8'))
      execFileSync('cp', ['-al', join(ROOT, 'node_modules'), join(dir, 'node_modules')]);
    else execFileSync('npm', ['ci', '--no-audit', '--no-fund'], { cwd: dir, stdio: 'ignore' });
  }
  // The examples: the framework's default app and the applications its configuration file names, loaded by path
  // (revisions before them compiled the default app in).
  for (const project of [
    'apps/edge',
    'apps/gateway',
    'apps/framework',
    'examples/express-demo',
    'examples/fetch-demo',
    'examples/tsgi-demo',
  ]) {
    if (!existsSync(join(dir, project, 'project.json'))) continue;
    const { command } = JSON.parse(readFileSync(join(dir, project, 'project.json'), 'utf8')).targets.build;
    execFileSync('sh', ['-c', command], { cwd: dir, stdio: 'ignore' });
  }
  /** @type {Array<import('./lib/wrk.mjs').WrkResult & { cpuUs: number, cpuBy: Record<string, number>, rss: number, pss: number, jaegerUs: number, warmupSeconds: number }>} */
  const runs = [];
  return { rev, sha, dir, title: git('log', '-1', '--format=%s', sha), runs };
});

/** @param {number[]} values */
const median = (values) => [...values].sort((a, b) => a - b)[Math.floor((values.length - 1) / 2)] ?? NaN;
for (let round = 1; round <= ROUNDS; round += 1) {
  for (const tree of trees) {
    const group = new ProcessGroup();
    const jaeger = SAMPLE > 0 ? await startJaeger() : undefined;
    try {
      const app = APP === 'native' ? join(APPS, 'tsgi-hello.cjs') : undefined;
      await portFree();
      const stack = startOurs(group, { app, root: tree.dir, sample: SAMPLE, jaeger });
      await ready();
      if (group.pids().length < 3) throw new Error(`${tree.sha}: a service exited at start (is a port taken?)`);
      const warmed = await warmUp(URL, { connections: CONNECTIONS });
      await sleep(1_000);
      const services = group.services();
      const cpu0 = cpuByService(services);
      const jaeger0 = cpuSeconds(jaeger?.pids() ?? []);
      const edge0 = await stack.edgeProcesses?.();
      const result = await wrk(URL, { connections: CONNECTIONS, seconds: DURATION });
      const cpu1 = cpuByService(services);
      const shares = edgeShares(edge0, await stack.edgeProcesses?.());
      const jaegerUs = ((cpuSeconds(jaeger?.pids() ?? []) - jaeger0) * 1e6) / result.completed;
      /** @type {Record<string, number>} */
      const cpuBy = {};
      for (const [svc, s] of Object.entries(cpu0)) cpuBy[svc] = (((cpu1[svc] ?? s) - s) * 1e6) / result.completed;
      const cpuUs = Object.values(cpuBy).reduce((a, b) => a + b, 0);
      const { rss, pss } = memory(group.pids());
      tree.runs.push({ ...result, cpuUs, cpuBy, rss, pss, jaegerUs, warmupSeconds: warmed });
      console.log(
        `round ${round} ${tree.sha}: ${Math.round(result.rps2xx)} 2xx/s after ${warmed} s of warm-up, p99 ${result.p99.toFixed(2)} ms, ${cpuUs.toFixed(1)} µs/req (${ordered(
          cpuBy,
        )
          .map(([svc, us]) => `${svc} ${us.toFixed(1)}`)
          .join(
            ', ',
          )}${jaeger ? `; Jaeger ${jaegerUs.toFixed(1)}` : ''}), RSS ${Math.round(rss / MiB)} MiB, PSS ${Math.round(pss / MiB)} MiB${shares.length ? `, edge processes ${shares.join(':')} %` : ''}${result.non2xx || result.socketErrors ? `, ERRORS: ${result.non2xx} non-2xx, ${result.socketErrors || 'no socket errors'}` : ''}`,
      );
    } finally {
      await group.stop();
      await jaeger?.stop();
      await sleep(1_000);
    }
  }
}

/**
 * The median and the spread (min–max over the rounds) of one figure.
 * @param {number[]} values
 * @param {number} digits
 */
const spread = (values, digits) =>
  `${median(values).toFixed(digits)} (${Math.min(...values).toFixed(digits)}–${Math.max(...values).toFixed(digits)})`;
const base = median(trees[0]?.runs.map((r) => r.rps2xx) ?? []);
console.log(
  `\nour stack, ${APP} /hello${SAMPLE > 0 ? `, ${SAMPLE * 100} % traced` : ''}, wrk -t1 -c${CONNECTIONS} -d${DURATION}s, ${ROUNDS} rounds, revisions in turn: median (min–max over the rounds)\n`,
);
console.log(
  '| revision | 2xx req/s | × first | p99 ms | server CPU µs/req | per service µs/req | RSS after MiB | PSS after MiB |',
);
console.log('|---|---:|---:|---:|---:|---|---:|---:|');
for (const tree of trees) {
  const rps = tree.runs.map((r) => r.rps2xx);
  const services = ordered(tree.runs[0]?.cpuBy ?? {}).map(([svc]) => svc);
  const errors = tree.runs.some((r) => r.non2xx > 0 || r.socketErrors !== '');
  console.log(
    `| ${tree.sha} ${tree.title.slice(0, 60)}${errors ? ' (ERRORS)' : ''} | ${spread(rps, 0)} | ${(median(rps) / base).toFixed(2)} | ${spread(
      tree.runs.map((r) => r.p99),
      2,
    )} | ${spread(
      tree.runs.map((r) => r.cpuUs),
      1,
    )} | ${services.map((svc) => `${svc} ${median(tree.runs.map((r) => r.cpuBy[svc] ?? NaN)).toFixed(1)}`).join(' · ')}${SAMPLE > 0 ? ` (+ Jaeger ${median(tree.runs.map((r) => r.jaegerUs)).toFixed(1)})` : ''} | ${Math.round(median(tree.runs.map((r) => r.rss)) / MiB)} | ${Math.round(median(tree.runs.map((r) => r.pss)) / MiB)} |`,
  );
}

// The host's speed moves every service's CPU per request together (by a third between rounds here, ADR-0033); each
// service's share of the three does not move with it. A change confined to one service shows in that service's share
// when the host's drift hides it in the totals.
console.log(
  "\neach service's share of the server CPU per request, % (median, min–max over the rounds): a change in one service moves its share\n",
);
const services = ordered(trees[0]?.runs[0]?.cpuBy ?? {}).map(([svc]) => svc);
console.log(`| revision | ${services.join(' | ')} |`);
console.log(`|---|${services.map(() => '---:').join('|')}|`);
for (const tree of trees) {
  const shares = services.map((svc) =>
    spread(
      tree.runs.map((r) => ((r.cpuBy[svc] ?? NaN) * 100) / r.cpuUs),
      1,
    ),
  );
  console.log(`| ${tree.sha} | ${shares.join(' | ')} |`);
}
