// tools/bench/profile.mjs: where our stack's CPU goes per request, by service and by owner — the method of
// docs/adr/0033-what-a-request-costs-by-owner.md, from this checkout. Builds the services, starts them as the bench
// does (its ports, its configuration; every service with --perf-basic-prof, so that perf names JIT code by function
// and file), warms them up, then records every CPU with `perf record -a -g` while wrk loads /hello, and charges each
// sample to the innermost JavaScript frame on its stack (lib/by-owner.mjs). Prints µs per request by service and
// owner, then each service's largest functions. perf's own cost inflates every figure by roughly a quarter against
// /proc's: compare profiles with each other, not with the bench's CPU per request.
//
// --lone: one connection, wrk and every service process pinned to CPU 0, as the bench's lone client.
// --open <rate>: vegeta at that many requests a second instead of wrk, as the bench's open loop (after the same
// warm-up and 3 s of wrk -c50), over at most --connections.
//
//   node tools/bench/profile.mjs [--app native|express] [--sample 0] [--connections 50] [--seconds 8] [--lone]
//     [--open <rate>] [--top 25] [--hz 2000]
import { spawn } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { setTimeout as sleep } from 'node:timers/promises';
import { takeFlag, takeOption } from './lib/arguments.mjs';
import { charge, functionOf, OWNER_LABELS, OWNERS } from './lib/by-owner.mjs';
import { APPS, portFree, ready, startOurs, URL } from './lib/configs.mjs';
import { startJaeger } from './lib/jaeger.mjs';
import { buildBundles, ensureFromDebian } from './lib/prerequisites.mjs';
import { cpuModel, pinToCpu0, ProcessGroup } from './lib/processes.mjs';
import { attack, ensureVegeta } from './lib/vegeta.mjs';
import { warmUp, wrk } from './lib/wrk.mjs';

const ROOT = join(import.meta.dirname, '..', '..');
const args = process.argv.slice(2);
/** @type {(name: string, fallback: string) => string} */
const option = (name, fallback) => takeOption(args, name, fallback);
const APP = option('app', 'native');
const SAMPLE = Number(option('sample', '0'));
const LONE = takeFlag(args, 'lone');
const OPEN = Number(option('open', '0'));
const CONNECTIONS = LONE ? 1 : Number(option('connections', '50'));
const SECONDS = Number(option('seconds', '8'));
const TOP = Number(option('top', '25'));
const HZ = Number(option('hz', '2000'));
if (args.length > 0 || !['native', 'express'].includes(APP) || !(OPEN >= 0) || (OPEN > 0 && LONE)) {
  console.error(
    'usage: node tools/bench/profile.mjs [--app native|express] [--sample 0] [--connections 50] [--seconds 8] [--lone | --open <rate>] [--top 25] [--hz 2000]',
  );
  process.exit(2);
}

const log = (/** @type {string} */ line) => console.log(`profile: ${line}`);
ensureFromDebian('wrk', ['--version'], 'wrk', log);
ensureFromDebian('perf', ['--version'], 'linux-perf', log);
const vegeta = OPEN > 0 ? ensureVegeta() : undefined;

log('building the services (production bundles)');
buildBundles();

const out = join(ROOT, 'tmp', 'profile');
mkdirSync(out, { recursive: true });
const data = join(out, 'perf.data');
const group = new ProcessGroup();
const jaeger = SAMPLE > 0 ? await startJaeger() : undefined;
try {
  await portFree();
  startOurs(group, {
    app: APP === 'native' ? join(APPS, 'tsgi-hello.cjs') : undefined,
    sample: SAMPLE,
    jaeger,
    env: { NODE_OPTIONS: '--perf-basic-prof' },
  });
  await ready();
  const warmed = await warmUp(URL, { connections: 50 });
  const services = group.services();
  if (LONE) {
    await pinToCpu0(group.pids());
    await wrk(URL, { connections: 1, seconds: 3, pin: true });
  }
  if (vegeta) await wrk(URL, { connections: CONNECTIONS, seconds: 3 });
  await sleep(1_000);
  const load = vegeta
    ? attack(vegeta, URL, { rate: OPEN, seconds: SECONDS + 2, connections: CONNECTIONS, out: join(out, 'open.bin') })
    : wrk(URL, { connections: CONNECTIONS, seconds: SECONDS + 2, pin: LONE });
  await sleep(1_000);
  await run('perf', [
    'record',
    '-a',
    '-g',
    '-F',
    String(HZ),
    '-e',
    'cpu-clock',
    '-o',
    data,
    '--',
    'sleep',
    String(SECONDS),
  ]);
  const result = await load;
  // Requests answered while perf recorded: the run's rate (wrk's 2xx, or the rate vegeta sent at) over the recorded seconds.
  const rate = result?.rps2xx ?? OPEN;
  const requests = rate * SECONDS;
  /** @type {Map<number, string>} */
  const groupByPid = new Map();
  for (const [name, pids] of Object.entries(services)) for (const pid of pids) groupByPid.set(pid, name);
  for (const pid of jaeger?.pids() ?? []) groupByPid.set(pid, 'jaeger');
  const script = spawn('perf', ['script', '-i', data, '-F', 'comm,pid,tid,ip,sym'], {
    stdio: ['ignore', 'pipe', 'ignore'],
  });
  const charged = await charge(
    createInterface({ input: script.stdout }),
    (pid, comm) =>
      groupByPid.get(pid) ??
      (comm === 'wrk' || comm === 'vegeta' ? comm : comm.startsWith('swapper') ? 'idle' : 'other'),
  );

  const { model, cpus } = cpuModel();
  const us = (/** @type {number} */ samples) => (samples * 1e6) / HZ / requests;
  const fixed = (/** @type {number} */ n) => n.toFixed(1).padStart(11);
  const columns = ['edge', 'gateway', 'framework'];
  console.log(
    `\nour stack (${APP}, ${SAMPLE > 0 ? `${SAMPLE * 100} % traced` : 'tracing off'}), ` +
      `${vegeta ? `vegeta at ${OPEN}/s over at most ${CONNECTIONS} connections` : `wrk -c${CONNECTIONS}`}` +
      `${LONE ? ' (lone, every process on CPU 0)' : ''}: ${Math.round(rate)} 2xx req/s, warmed up ${warmed} s; ` +
      `CPU: ${model} × ${cpus}; perf at ${HZ} Hz for ${SECONDS} s\n`,
  );
  console.log(`${'µs per request'.padEnd(90)}${columns.map((c) => c.padStart(11)).join('')}`);
  for (const owner of OWNERS) {
    const row = columns.map((c) => fixed(us(charged.byOwner.get(c)?.get(owner) ?? 0))).join('');
    console.log(`${OWNER_LABELS[owner].padEnd(90)}${row}`);
  }
  console.log(`${'all'.padEnd(90)}${columns.map((c) => fixed(us(charged.total.get(c) ?? 0))).join('')}`);
  const others = [...charged.total.keys()].filter((g) => !columns.includes(g));
  console.log(`\nbeside them: ${others.map((g) => `${g} ${us(charged.total.get(g) ?? 0).toFixed(1)}`).join(', ')}`);
  for (const service of columns) {
    const functions = [...(charged.byFunction.get(service) ?? new Map())].sort((a, b) => b[1] - a[1]).slice(0, TOP);
    console.log(`\n${service}: the largest functions (µs per request)`);
    for (const [name, samples] of functions)
      console.log(`${us(samples).toFixed(2).padStart(7)}  ${functionOf(name).replaceAll(`${ROOT}/`, '')}`);
  }
} finally {
  await group.stop();
  await jaeger?.stop();
}

/**
 * @param {string} command
 * @param {string[]} argv
 */
function run(command, argv) {
  return new Promise((resolve, reject) => {
    const child = spawn(command, argv, { stdio: 'ignore' });
    child.on('exit', (code) => (code === 0 ? resolve(undefined) : reject(new Error(`${command} exited ${code}`))));
  });
}
