// tools/bench: our stack against the stack it replaces (nginx → uWSGI → Flask), Express alone, plain Node and the
// shape's floor (three bare Node processes with only our transport's way of carrying requests), in one run on this
// machine, with the same load generators and settings. Closed loop (wrk) at 50 and 1000 connections, a lone pinned
// client, an open loop (vegeta) at 50 % and 90 % of the seed's capacity, tracing at 100 % and 10 %, memory idle, after
// load and per idle connection, then 1 GB through POST /echo, alone too, and through bare chains of each transport (the
// /echo floor). Prints tables, the ratios of ours to the seed
// stack, honesty checks and the targets; writes everything to tmp/bench/<stamp>/. A full run with the default settings
// is also appended to tools/bench/history.json and written into tools/bench/README.md (--no-record: not).
//
//   node tools/bench/bench.mjs [--configs seed,ours-native,…] [--reps 3] [--duration 10] [--loads 50,1000]
//        [--open-seconds 10] [--idle-connections 1000] [--echo-bytes 1e9] [--no-echo] [--no-open-loop] [--no-idle]
//        [--no-record]
//
// Method: README.md beside this file.
import { execFileSync, execSync, spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import {
  CONFIGS,
  ECHO_FLOORS,
  edgeShares,
  HOST,
  NODE,
  PORT,
  portFree,
  ready,
  startEchoChain,
  URL,
} from './lib/configs.mjs';
import { echo } from './lib/echo.mjs';
import { openIdle } from './lib/idle.mjs';
import { startJaeger } from './lib/jaeger.mjs';
import {
  childTicks,
  cpuByService,
  cpuModel,
  cpuSeconds,
  memoryByService,
  openFileLimits,
  pinToCpu0,
  ProcessGroup,
  systemTicks,
} from './lib/processes.mjs';
import { buildBundles } from './lib/prerequisites.mjs';
import { ordered, recordRun, renderReport } from './lib/report.mjs';
import { attack, ensureVegeta, summarise, TIMEOUT_SECONDS } from './lib/vegeta.mjs';
import { warmUp, wrk } from './lib/wrk.mjs';

const ROOT = join(import.meta.dirname, '..', '..');
const args = process.argv.slice(2);
/**
 * @param {string} name
 * @param {string} fallback
 */
const option = (name, fallback) => {
  const at = args.indexOf(`--${name}`);
  return at === -1 ? fallback : (args[at + 1] ?? fallback);
};
/** @param {string} name */
const flag = (name) => args.includes(`--${name}`);
const DEFAULTS = {
  configs: Object.keys(CONFIGS).join(','),
  reps: '3',
  duration: '10',
  loads: '50,1000',
  'open-seconds': '10',
  'idle-connections': '1000',
  'echo-bytes': '1e9',
};
const selected = option('configs', DEFAULTS.configs).split(',');
const REPS = Number(option('reps', DEFAULTS.reps));
const DURATION = Number(option('duration', DEFAULTS.duration));
const LOADS = option('loads', DEFAULTS.loads).split(',').map(Number);
const OPEN_SECONDS = Number(option('open-seconds', DEFAULTS['open-seconds']));
const IDLE_CONNECTIONS = Number(option('idle-connections', DEFAULTS['idle-connections']));
const ECHO_BYTES = Number(option('echo-bytes', DEFAULTS['echo-bytes']));
/** The open loop's rates, as shares of the seed's 2xx req/s at the first load. */
const OPEN_SHARES = [0.5, 0.9];
/** What the open loop and the idle connections measure, where selected: the bare chain for the shape's own p99. */
const OPEN_CONFIGS = ['seed', 'ours-native', 'ours-express', 'bare-chain'];
/** How long after a load its memory is measured (ms): the same for every configuration. */
const MEMORY_SETTLE_MS = 3_000;
const IDLE_CONFIGS = ['seed', 'ours-native', 'node'];
for (const name of selected) {
  if (!(name in CONFIGS)) {
    console.error(`bench: no configuration ${name}; known: ${Object.keys(CONFIGS).join(', ')}`);
    process.exit(2);
  }
}
/** A full run with the default settings goes into the history and the README. */
const FULL =
  Object.entries(DEFAULTS).every(([name, value]) => option(name, value) === value) &&
  !['no-echo', 'no-open-loop', 'no-idle'].some(flag);
const RECORD = FULL && !flag('no-record');

raiseOpenFiles();
const BG_MAX = 10;
// wrk stops its thread within 0.13 s of its duration (10.00–10.13 s in 419 runs of -d10s); a run that took longer (or,
// its clock stepped back, shorter) had wrk itself held: its latencies and timeouts measure that, not the stack.
const HELD_SECONDS = 0.5;
const stamp = new Date().toISOString().replace(/[:.]/g, '-');
const out = join(ROOT, 'tmp', 'bench', stamp);
mkdirSync(out, { recursive: true });
const MiB = 1024 * 1024;

const started = Date.now();
/** @param {string} line */
const log = (line) => {
  const minutes = (Date.now() - started) / 60_000;
  console.log(
    line.replace(/^(\n*)/, `$1[${Math.floor(minutes)}:${String(Math.floor((minutes % 1) * 60)).padStart(2, '0')}] `),
  );
};
/** @param {number[]} values */
const median = (values) => {
  const sorted = values.filter(Number.isFinite).sort((a, b) => a - b);
  return sorted[Math.floor((sorted.length - 1) / 2)] ?? NaN;
};

/** @typedef {import('./lib/configs.mjs').Started} Started */
/** @typedef {import('./lib/configs.mjs').BenchConfig} BenchConfig */
/** @typedef {import('./lib/configs.mjs').Jaeger} Jaeger */
/** @typedef {import('./lib/processes.mjs').Memory} Memory */
/**
 * One measured run: wrk's result; server CPU µs per request in all and per service (Jaeger's apart); wrk's own; the
 * % of the CPUs other processes used; the seconds the hypervisor gave the CPUs to others (steal); and (ours) each
 * service's request count, the share of the requests each of the edge's processes served, and how long the load
 * before it warmed the stack up.
 * @typedef {import('./lib/wrk.mjs').WrkResult & {
 *   serverUs: number, cpuBy: Record<string, number>, jaegerUs: number, clientUs: number, bg: number, steal: number,
 *   counters?: Record<string, number>, edgeShares?: number[],
 *   warmupSeconds?: number
 * }} Run
 */
/**
 * @typedef {object} ConfigResults
 * @property {Record<string, Run[]>} loads runs by connections
 * @property {string[]} checks honesty checks that failed
 * @property {{ total: Memory, services: Record<string, Memory> }} [memIdle]
 * @property {{ total: Memory, services: Record<string, Memory> }} [memAfter] after the last load
 * @property {Record<string, { total: Memory, services: Record<string, Memory> }>} [memAfterBy] after each load
 * @property {Run} [lone] the lone client's round with the median p50
 * @property {Run[]} [lones] the lone client of every round (each a fresh start)
 * @property {SpanCount[]} [spanCounts] traced: what reached Jaeger from each start
 */
/**
 * What one start of a traced configuration sent to Jaeger from its readiness to the end of its last load (its
 * warm-ups included), and the requests wrk sent in its measured runs.
 * @typedef {TracedCounts & { sent: number }} SpanCount
 */
/**
 * @typedef {import('./lib/vegeta.mjs').OpenLoopResult & {
 *   share: number, closedBefore?: number, scheduled: number, serverUs: number, cpuBy: Record<string, number>,
 *   clientUs: number,
 *   counters?: Record<string, number>
 * }} OpenRun
 */
/**
 * @typedef {object} IdleResult
 * @property {string} front
 * @property {number} connections kept open until measured
 * @property {Memory} before the front's
 * @property {Memory} after
 * @property {Memory} totalBefore every process of the configuration
 * @property {Memory} totalAfter
 */

/** The revision the bundles were built from, taken when they are built: the tree may change while the run lasts. */
let built = { commit: '', dirty: false };
const versions = prepare();
const cpu = cpuModel();
log(`CPU: ${cpu.model} × ${cpu.cpus}`);
/** @type {Record<string, ConfigResults>} */
const results = Object.fromEntries(
  selected.map((name) => [name, { loads: Object.fromEntries(LOADS.map((c) => [String(c), []])), checks: [] }]),
);
/** @param {string} name */
const configOf = (name) => /** @type {BenchConfig} */ (CONFIGS[name]);
/** @param {string} name */
const resultsOf = (name) => /** @type {ConfigResults} */ (results[name]);

for (let round = 1; round <= REPS; round += 1) {
  for (const name of selected) await measureConfig(name, round, round === REPS);
}
const open = flag('no-open-loop') ? undefined : await measureOpenLoop();
const idle = flag('no-idle') ? undefined : await measureIdle();
const echoResult = flag('no-echo') || !selected.includes('ours-express') ? undefined : await measureEcho();
if (echoResult) echoResult.floors = await measureEchoFloors();

const raw = {
  stamp: new Date().toISOString(),
  ...built,
  cpu,
  versions,
  method: {
    reps: REPS,
    duration: DURATION,
    loads: LOADS,
    openSeconds: OPEN_SECONDS,
    idleConnections: IDLE_CONNECTIONS,
  },
  configs: Object.fromEntries(selected.map((name) => [name, { label: configOf(name).label, ...resultsOf(name) }])),
  open,
  idle,
  echo: echoResult,
};
writeFileSync(join(out, 'results.json'), `${JSON.stringify(raw, null, 2)}\n`);
const text = renderReport(raw);
console.log(`\n${text}`);
writeFileSync(join(out, 'table.md'), `${text}\n`);
if (RECORD) {
  recordRun(raw, text);
  log('\nrecorded in tools/bench/history.json and tools/bench/README.md');
} else if (!FULL) {
  log('\n(not a full run with the default settings: not recorded in the history)');
}
console.log(`raw output: ${out}`);

/**
 * nginx wants a descriptor per client and per upstream connection (worker_connections 4096), wrk one per
 * connection: below 8192 open files, start again with the hard limit raised (root may) or stop with why.
 */
function raiseOpenFiles() {
  const NEED = 8192;
  const { soft, hard } = openFileLimits();
  if (soft >= NEED) return;
  if (process.env['BENCH_NOFILE_RAISED']) {
    console.error(`bench: ${soft} open files allowed, ${NEED} needed (ulimit -n ${NEED}, as root)`);
    process.exit(2);
  }
  const limit = Math.max(NEED, Number.isFinite(hard) ? hard : NEED);
  console.log(`bench: ulimit -n is ${soft}; running again with ${limit}`);
  const again = spawnSync(
    'prlimit',
    [`--nofile=${limit}:${limit}`, '--', process.execPath, ...process.execArgv, ...process.argv.slice(1)],
    { stdio: 'inherit', env: { ...process.env, BENCH_NOFILE_RAISED: '1' } },
  );
  process.exit(again.status ?? 1);
}

function prepare() {
  /** @type {Array<[command: string, packages: string]>} */
  const needed = [
    ['wrk', 'wrk'],
    ['nginx', 'nginx'],
    ['uwsgi', 'uwsgi uwsgi-plugin-python3'],
    ['taskset', 'util-linux'],
  ];
  const missing = needed.filter(([command]) => !spawnable(command)).map(([, packages]) => packages);
  try {
    // uWSGI's python3 plugin embeds Debian's Python, whatever `python3` on PATH is.
    execFileSync('/usr/bin/python3', ['-c', 'import flask'], { stdio: 'ignore' });
  } catch {
    missing.push('python3-flask');
  }
  if (missing.length > 0) {
    const packages = missing.flatMap((names) => names.split(' '));
    execFileSync('bash', [join(ROOT, 'tools/ci/apt-install.sh'), 'bench', ...packages], { stdio: 'inherit' });
  }
  // uWSGI refuses a listen queue longer than the kernel's.
  const somaxconn = Number(readFileSync('/proc/sys/net/core/somaxconn', 'utf8'));
  if (somaxconn < 1024) {
    console.error(
      `bench: net.core.somaxconn is ${somaxconn}; the seed's uWSGI listens with 1024 (sysctl -w net.core.somaxconn=4096)`,
    );
    process.exit(2);
  }
  log('building the services (production bundles)');
  buildBundles();
  built = {
    commit: execFileSync('git', ['log', '-1', '--format=%h', 'HEAD'], { cwd: ROOT, encoding: 'utf8' }).trim(),
    dirty: execFileSync('git', ['status', '--porcelain', '--untracked-files=no'], { cwd: ROOT, encoding: 'utf8' })
      .trim()
      .split('\n')
      .some((line) => line.trim() !== '' && !/tools\/bench\/(README\.md|history\.json)$/.test(line)),
  };
  const list = [
    `node ${execFileSync(NODE, ['--version']).toString().trim()}`,
    execSync('nginx -v 2>&1').toString().trim().replace('nginx version: nginx/', 'nginx '),
    `uwsgi ${execSync('uwsgi --version').toString().trim()}`,
    `flask ${execSync('/usr/bin/python3 -c "import importlib.metadata as m; print(m.version(\'flask\'))"').toString().trim()}`,
    `wrk ${/\d+\.\d+\.\d+/.exec(execSync('wrk -v 2>&1 || true').toString())?.[0] ?? '?'}`,
    `vegeta ${basename(dirname(ensureVegeta()))}`,
    `${execSync('nproc').toString().trim()} cpus`,
  ];
  writeFileSync(join(out, 'versions.txt'), `${list.join('\n')}\n`);
  log(list.join(' · '));
  return list;
}

/** @param {string} command */
function spawnable(command) {
  try {
    execFileSync('sh', ['-c', `command -v ${command}`], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

/** Waits (up to 5 s) for a second in which the machine is ≤ 5 % busy. */
async function waitQuiet() {
  for (let i = 0; i < 5; i += 1) {
    const a = systemTicks();
    await sleep(1_000);
    const b = systemTicks();
    if (100 * (b.busy - a.busy) <= 5 * (b.total - a.total)) return;
  }
}

/**
 * Starts a configuration fresh (with a Jaeger of its own when traced); `body` runs with it and both are stopped after.
 * @template T
 * @param {string} name
 * @param {(group: ProcessGroup, stack: Started, jaeger: Jaeger | undefined) => Promise<T>} body
 * @returns {Promise<T>}
 */
async function withConfig(name, body) {
  const config = configOf(name);
  return withStarted((group, jaeger) => config.start(group, { runDir: join(out, 'run'), jaeger }), config.traced, body);
}

/**
 * @template T
 * @param {(group: ProcessGroup, jaeger: Jaeger | undefined) => Started | Promise<Started>} start
 * @param {number | undefined} traced
 * @param {(group: ProcessGroup, stack: Started, jaeger: Jaeger | undefined) => Promise<T>} body
 * @returns {Promise<T>}
 */
async function withStarted(start, traced, body) {
  await waitQuiet();
  await portFree();
  const jaeger = traced ? await startJaeger() : undefined;
  const group = new ProcessGroup();
  try {
    const stack = await start(group, jaeger);
    await ready();
    await sleep(500);
    return await body(group, stack, jaeger);
  } finally {
    await group.stop();
    await jaeger?.stop();
    await sleep(1_000);
  }
}

/**
 * The CPU each service (and Jaeger, and this process's finished children: the load generator) used during `during`.
 * @template T
 * @param {ProcessGroup} group
 * @param {Jaeger | undefined} jaeger
 * @param {() => Promise<T>} during
 */
async function withCpu(group, jaeger, during) {
  const services = group.services();
  const jaegerPids = jaeger?.pids() ?? [];
  const [cpu0, j0, sys0, kids0] = [cpuByService(services), cpuSeconds(jaegerPids), systemTicks(), childTicks()];
  const start = performance.now();
  const value = await during();
  const elapsed = (performance.now() - start) / 1000;
  const [cpu1, j1, sys1, kids1] = [cpuByService(services), cpuSeconds(jaegerPids), systemTicks(), childTicks()];
  /** @type {Record<string, number>} */
  const seconds = {};
  let server = 0;
  for (const [svc, before] of Object.entries(cpu0)) {
    seconds[svc] = (cpu1[svc] ?? before) - before;
    server += seconds[svc];
  }
  const jaegerSeconds = j1 - j0;
  const clientSeconds = (kids1 - kids0) / 100;
  const bg =
    (100 * (sys1.busy - sys0.busy - (server + jaegerSeconds + clientSeconds) * 100)) / (sys1.total - sys0.total);
  const steal = (sys1.steal - sys0.steal) / 100;
  return { value, seconds, server, jaegerSeconds, clientSeconds, bg: Math.max(0, Math.round(bg)), elapsed, steal };
}

/**
 * One measured wrk run: the result plus CPU per request (per service), background CPU, and (ours) counter deltas.
 * Measured again (twice at most) when other processes used over 10 % of the CPUs or wrk itself was held.
 * @param {string} name
 * @param {ProcessGroup} group
 * @param {Started} stack
 * @param {Jaeger | undefined} jaeger
 * @param {{ connections: number, seconds: number, pin?: boolean, label: string }} options
 * @returns {Promise<Run>}
 */
async function run(name, group, stack, jaeger, { connections, seconds, pin = false, label }) {
  const config = configOf(name);
  for (let attempt = 1; ; attempt += 1) {
    const countersBefore = (await stack.counters?.()) ?? {};
    const edgeBefore = await stack.edgeProcesses?.();
    const cpu = await withCpu(group, jaeger, () =>
      wrk(URL, { connections, seconds, pin, raw: join(out, `${name}.${label}.txt`) }),
    );
    const measured = cpu.value;
    /** @param {number} s */
    const perRequest = (s) => (s * 1e6) / measured.completed;
    /** @type {Run} */
    const result = {
      ...measured,
      serverUs: perRequest(cpu.server),
      cpuBy: Object.fromEntries(Object.entries(cpu.seconds).map(([svc, s]) => [svc, perRequest(s)])),
      jaegerUs: perRequest(cpu.jaegerSeconds),
      clientUs: perRequest(cpu.clientSeconds),
      bg: cpu.bg,
      steal: cpu.steal,
    };
    if (config.ours && stack.counters) {
      await sleep(500);
      const after = await stack.counters();
      result.counters = Object.fromEntries(
        Object.entries(after).map(([svc, n]) => [svc, n - (countersBefore[svc] ?? 0)]),
      );
      result.edgeShares = edgeShares(edgeBefore, await stack.edgeProcesses?.());
    }
    const held = Math.abs(measured.runtime - seconds) > HELD_SECONDS;
    if (held && attempt === 3)
      resultsOf(name).checks.push(
        `FAIL ${label}: wrk took ${measured.runtime.toFixed(2)} s for its ${seconds} in three attempts: the host held it`,
      );
    if ((result.bg <= BG_MAX && !held) || attempt === 3) return result;
    log(
      held
        ? `  ${name} ${label}: wrk took ${measured.runtime.toFixed(2)} s for its ${seconds} (by our clock ${cpu.elapsed.toFixed(2)} s; the host's steal ${cpu.steal.toFixed(2)} s): something held wrk itself; measuring again`
        : `  ${name} ${label}: ${result.bg} % of the CPUs used by other processes; measuring again`,
    );
    await sleep(2_000);
    await waitQuiet();
  }
}

/**
 * @param {string} name
 * @param {number} round
 * @param {boolean} last
 */
async function measureConfig(name, round, last) {
  const config = configOf(name);
  const results = resultsOf(name);
  await withConfig(name, async (group, stack, jaeger) => {
    if (last) {
      // Idle: started, then left alone as long as after a load (what a service keeps once start-up is over).
      await sleep(MEMORY_SETTLE_MS);
      results.memIdle = memoryByService(group.services());
    }
    // Requests the readiness probe sent before the gateway was up were sampled at the edge and answered there, with
    // partial traces: what reached Jaeger and the counters until now are left out of the check.
    const started = jaeger ? await tracedCounts(stack, jaeger) : undefined;
    /** @type {Run[]} */
    const measured = [];
    for (const [i, connections] of LOADS.entries()) {
      // Warm-up, not recorded: the first load's until the throughput stops rising (V8 compiles the hot paths), the
      // next one's to open its connections and let the queues grow.
      let warmed = 2;
      if (i === 0) warmed = await warmUp(URL, { connections });
      else await wrk(URL, { connections, seconds: warmed });
      await sleep(1_000); // the warm-up's last requests, cut off when wrk stopped, finish before counting starts
      const result = await run(name, group, stack, jaeger, {
        connections,
        seconds: DURATION,
        label: `c${connections}-${round}`,
      });
      result.warmupSeconds = warmed;
      measured.push(result);
      /** @type {Run[]} */ (results.loads[String(connections)]).push(result);
      if (last) {
        // What a burst leaves once it is over: every configuration gets the same seconds to give memory back.
        await sleep(MEMORY_SETTLE_MS);
        (results.memAfterBy ??= {})[String(connections)] = memoryByService(group.services());
      }
      check(name, result, `-c${connections}`);
      const by = ordered(result.cpuBy)
        .map(([svc, us]) => `${svc} ${us.toFixed(1)}`)
        .join(', ');
      log(
        `${name.padEnd(22)} -c${String(connections).padEnd(5)} round ${round}: ${Math.round(result.rps2xx)} 2xx/s after ${warmed} s of warm-up, p50 ${result.p50.toFixed(2)} ms, p99 ${result.p99.toFixed(2)} ms, ${result.serverUs.toFixed(1)} µs/req (${by}${jaeger ? `; Jaeger ${result.jaegerUs.toFixed(1)}` : ''}), bg ${result.bg} %${result.edgeShares?.length ? `, edge processes ${result.edgeShares.join(':')} %` : ''}${result.non2xx || result.socketErrors ? ` ERRORS: ${result.non2xx} non-2xx, ${result.socketErrors || 'no socket errors'}` : ''}`,
      );
    }
    if (last) results.memAfter = results.memAfterBy?.[String(LOADS.at(-1))];
    if (jaeger && started) await countSpans(name, round, stack, jaeger, started, measured);
    const warnings = stack.warnings?.() ?? [];
    if (warnings.length > 0) writeFileSync(join(out, `${name}.${round}.warnings.log`), `${warnings.join('\n')}\n`);
    if (config.traced) return;
    await pinToCpu0(group.pids());
    // A lone client takes other paths than 50 (batches of one): warm them up too, as the load was.
    await wrk(URL, { connections: 1, seconds: 3, pin: true });
    await sleep(500);
    const lone = await run(name, group, stack, jaeger, {
      connections: 1,
      seconds: DURATION,
      pin: true,
      label: `c1pin-${round}`,
    });
    check(name, lone, 'lone client');
    log(`${name.padEnd(22)} lone   round ${round}: p50 ${lone.p50.toFixed(3)} ms, ${lone.serverUs.toFixed(1)} µs/req`);
    (results.lones ??= []).push(lone);
    // One start's lone p50 moves by half from the next one's (ADR-0040): the round with the median p50 stands.
    if (last) results.lone = [...results.lones].sort((a, b) => a.p50 - b.p50)[(results.lones.length - 1) >> 1];
  });
}

/**
 * Honesty: every answer 2xx; every request wrk sent reached every service of ours (spans: countSpans).
 * @param {string} name
 * @param {Run} result
 * @param {string} where
 */
function check(name, result, where) {
  const checks = resultsOf(name).checks;
  if (result.non2xx > 0 || result.socketErrors)
    checks.push(
      `FAIL ${where}: ${result.non2xx} non-2xx responses, socket errors: ${result.socketErrors || 'none'} (p99 ${result.p99.toFixed(2)} ms; wrk's own CPU ${result.clientUs.toFixed(1)} µs a request; the host's steal ${result.steal.toFixed(2)} s)`,
    );
  if (result.counters) {
    for (const [svc, n] of Object.entries(result.counters)) {
      if (n !== result.sent) checks.push(`FAIL ${where}: ${svc} counted ${n} requests, wrk sent ${result.sent}`);
    }
  }
}

/**
 * @typedef {{ spans: number, sampled: number | undefined, requests: number | undefined }} TracedCounts
 * the spans Jaeger accepted once the count settled, the requests the edge sampled and those it counted
 */

/**
 * @param {Started} stack
 * @param {Jaeger} jaeger
 * @returns {Promise<TracedCounts>}
 */
async function tracedCounts(stack, jaeger) {
  const spans = await jaeger.settledAccepted();
  return { spans, sampled: await stack.sampled?.(), requests: (await stack.counters?.())?.['edge'] };
}

/**
 * Counts what a traced start sent to Jaeger from its readiness to the end of its loads, and checks every span of
 * every request the edge sampled arrived (and, at 100 %, that it sampled every request it counted). Counted once per
 * start, after its last load, not around each measured run: waiting there for the count to settle (each service
 * exports every 0.5 s) idled the services for 2–3 s before a load, past the two quiet seconds after which they
 * compact and drop optimised code (ADR-0030), so traced configurations were measured colder than untraced ones.
 * @param {string} name
 * @param {number} round
 * @param {Started} stack
 * @param {Jaeger} jaeger
 * @param {TracedCounts} started the counts once the stack was ready
 * @param {Run[]} runs this start's measured runs
 */
async function countSpans(name, round, stack, jaeger, started, runs) {
  const config = configOf(name);
  const results = resultsOf(name);
  const now = await tracedCounts(stack, jaeger);
  const since = (/** @type {number | undefined} */ a, /** @type {number | undefined} */ b) =>
    a === undefined || b === undefined ? undefined : a - b;
  const spans = now.spans - started.spans;
  const sampled = since(now.sampled, started.sampled);
  const requests = since(now.requests, started.requests);
  const sent = runs.reduce((sum, r) => sum + r.sent, 0);
  (results.spanCounts ??= []).push({ spans, sampled, requests, sent });
  const per = config.spansPerRequest ?? NaN;
  if (spans !== (sampled ?? NaN) * per)
    results.checks.push(
      `FAIL round ${round}: Jaeger accepted ${spans} spans, the edge sampled ${sampled ?? 'an unknown number of'} requests × ${per}; ${warned(stack)}`,
    );
  if ((config.traced ?? 0) >= 1 && (sampled !== requests || (requests ?? NaN) < sent))
    results.checks.push(
      `FAIL round ${round}: the edge sampled ${sampled} of the ${requests} requests it counted (wrk sent ${sent} in the measured runs)`,
    );
}

/**
 * What our services logged at warn or above during a start, for a failed check: a trace export that failed or
 * dropped spans says so in its service's log (libs/telemetry's BufferingExporter, the SDK's batch processor).
 * @param {Started} stack
 */
function warned(stack) {
  const lines = stack.warnings?.() ?? [];
  if (lines.length === 0) return 'no service logged a warning';
  const shown = lines.slice(0, 3).map((line) => (line.length > 300 ? `${line.slice(0, 300)}…` : line));
  return `the services logged ${lines.length} warning${lines.length === 1 ? '' : 's'}, the first: ${shown.join(' | ')}`;
}

/** @returns {Promise<{ seedRps: number, shares: number[], runs: Record<string, OpenRun[]> } | undefined>} */
async function measureOpenLoop() {
  const seedRuns = results['seed']?.loads[String(LOADS[0])] ?? [];
  const seedRps = median(seedRuns.map((r) => r.rps2xx));
  const names = OPEN_CONFIGS.filter((name) => selected.includes(name));
  if (!Number.isFinite(seedRps) || names.length === 0) {
    log('\nopen loop: skipped (needs the seed measured for its rate)');
    return undefined;
  }
  const vegeta = ensureVegeta();
  log(
    `\nopen loop (vegeta), ${OPEN_SECONDS} s at ${OPEN_SHARES.map((s) => `${Math.round(s * seedRps)}/s`).join(' and ')}`,
  );
  /** @type {Record<string, OpenRun[]>} */
  const runs = {};
  const connections = LOADS[0] ?? 50;
  for (const name of names) {
    runs[name] = await withConfig(name, async (group, stack, jaeger) => {
      // Warmed up as every closed-loop round is (until its throughput stops rising, ADR-0032): a fresh stack of ours
      // served ~45 % of its steady req/s in its first 3 s, and the open loop then measured the JIT warming up. Then
      // what it serves closed-loop just before its open loop: the rates are shares of the seed's req/s measured
      // minutes earlier, and a host that slowed since makes them larger shares of what it has now.
      await warmUp(URL, { connections });
      const closedBefore = (await wrk(URL, { connections, seconds: 3 })).rps2xx;
      await sleep(1_000);
      /** @type {OpenRun[]} */
      const list = [];
      for (const share of OPEN_SHARES) {
        const before = (await stack.counters?.()) ?? {};
        const file = join(out, `${name}.open-${share}.bin`);
        const rate = Math.round(share * seedRps);
        const cpu = await withCpu(group, jaeger, () =>
          attack(vegeta, URL, { rate, seconds: OPEN_SECONDS, connections, out: file }),
        );
        const r = await summarise(vegeta, file, rate);
        /** @param {number} s */
        const perRequest = (s) => (s * 1e6) / r.total;
        /** @type {OpenRun} */
        const result = {
          ...r,
          share,
          closedBefore,
          scheduled: rate * OPEN_SECONDS,
          serverUs: perRequest(cpu.server),
          clientUs: perRequest(cpu.clientSeconds),
          cpuBy: Object.fromEntries(Object.entries(cpu.seconds).map(([svc, s]) => [svc, perRequest(s)])),
        };
        const checks = resultsOf(name).checks;
        const label = `FAIL open loop ${share * 100} %`;
        let explained = false;
        if (stack.counters) {
          await sleep(500);
          const after = await stack.counters();
          result.counters = Object.fromEntries(Object.entries(after).map(([svc, n]) => [svc, n - (before[svc] ?? 0)]));
          const counts = new Set(Object.values(result.counters));
          const [received = r.total] = counts;
          const timedOut = r.byStatus['0'] ?? 0;
          const neverSent = r.total - received;
          // vegeta holds a request due while all its connections wait for answers, and counts it unanswered at its
          // timeout: requests no service saw, because the configuration served fewer than were due.
          explained = counts.size === 1 && neverSent > 0 && r.total - r.ok === timedOut && timedOut >= neverSent;
          if (explained)
            checks.push(
              `${label}: ${timedOut} of ${r.total} unanswered at vegeta's ${TIMEOUT_SECONDS} s timeout: ${neverSent} never sent (due while all of vegeta's ${connections} connections waited for answers), ${timedOut - neverSent} received by every service and answered late; every answer 2xx`,
            );
          else
            for (const [svc, n] of Object.entries(result.counters))
              if (n !== r.total) checks.push(`${label}: ${svc} counted ${n}, vegeta sent ${r.total}`);
        }
        if (r.ok !== r.total && !explained)
          checks.push(
            `${label}: ${r.total - r.ok} of ${r.total} not 2xx (${JSON.stringify(r.byStatus)}; ${Object.keys(r.errors).slice(0, 3).join('; ')})`,
          );
        log(
          `${name.padEnd(22)} open ${Math.round(r.rate)}/s: p50 ${r.p50.toFixed(2)} ms, p99 ${r.p99.toFixed(2)} ms, p99.9 ${r.p999.toFixed(2)} ms, ${r.ok}/${r.total} 2xx of ${result.scheduled} due, ${result.serverUs.toFixed(1)} µs/req (vegeta ${result.clientUs.toFixed(1)}); -c${connections} just before ${Math.round(closedBefore)}/s (the rate ${Math.round((100 * r.rate) / closedBefore)} % of it)`,
        );
        list.push(result);
        await sleep(1_000);
      }
      return list;
    });
  }
  return { seedRps, shares: OPEN_SHARES, runs };
}

/** @returns {Promise<Record<string, IdleResult>>} */
async function measureIdle() {
  /** @type {Record<string, IdleResult>} */
  const all = {};
  const names = IDLE_CONFIGS.filter((name) => selected.includes(name));
  if (names.length > 0) log(`\n${IDLE_CONNECTIONS} idle keep-alive connections to the front`);
  for (const name of names) {
    all[name] = await withConfig(name, async (group, stack) => {
      await wrk(URL, { connections: LOADS[0] ?? 50, seconds: 2 });
      await sleep(1_500);
      const before = memoryByService(group.services());
      const connections = await openIdle({ host: HOST, port: PORT, path: '/hello', count: IDLE_CONNECTIONS });
      await sleep(1_000);
      const after = memoryByService(group.services());
      const open = connections.open();
      connections.close();
      const none = { rss: NaN, pss: NaN };
      /** @type {IdleResult} */
      const result = {
        front: stack.front,
        connections: open,
        before: before.services[stack.front] ?? none,
        after: after.services[stack.front] ?? none,
        totalBefore: before.total,
        totalAfter: after.total,
      };
      if (open !== IDLE_CONNECTIONS)
        resultsOf(name).checks.push(`FAIL idle connections: ${open} of ${IDLE_CONNECTIONS} still open when measured`);
      log(
        `${name.padEnd(22)} ${stack.front}: RSS +${((result.after.rss - result.before.rss) / open / 1024).toFixed(1)} KiB, PSS +${((result.after.pss - result.before.pss) / open / 1024).toFixed(1)} KiB per idle connection (${open})`,
      );
      return result;
    });
  }
  return all;
}

/** @returns {Promise<import('./lib/report.mjs').RawEcho>} */
async function measureEcho() {
  log(`\n${ECHO_BYTES / 1e9} GB through POST /echo (ours-express, tracing off)`);
  return withConfig('ours-express', async (group) => {
    const hello = await wrk(URL, { connections: 10, seconds: 5, raw: join(out, 'echo.hello-alone.txt') });
    /** @type {Record<string, Memory>} */
    const peaks = {};
    const sampler = setInterval(() => {
      for (const [svc, m] of Object.entries(memoryByService(group.services()).services)) {
        const peak = (peaks[svc] ??= { rss: 0, pss: 0 });
        peak.rss = Math.max(peak.rss, m.rss);
        peak.pss = Math.max(peak.pss, m.pss);
      }
    }, 100);
    const streaming = echo(`http://${HOST}:${PORT}/echo`, ECHO_BYTES);
    await sleep(300);
    const during = await wrk(URL, { connections: 10, seconds: 5, raw: join(out, 'echo.hello-during.txt') });
    const result = await streaming;
    clearInterval(sampler);
    // Once more with nothing beside it, as the floors below run: the figure they compare with.
    const cpuBefore = cpuByService(group.services());
    const alone = await echo(`http://${HOST}:${PORT}/echo`, ECHO_BYTES);
    const cpuAfter = cpuByService(group.services());
    log(
      `/echo: ${result.mbPerSecond.toFixed(0)} MB/s, peaks ${Object.entries(peaks)
        .map(([svc, m]) => `${svc} ${(m.pss / MiB).toFixed(0)} MiB`)
        .join(', ')}`,
    );
    return {
      ...result,
      bytesSent: ECHO_BYTES,
      peaks,
      helloP99Alone: hello.p99,
      helloP99During: during.p99,
      helloRpsAlone: hello.rps2xx,
      helloRpsDuring: during.rps2xx,
      mbPerSecondAlone: alone.intact ? alone.mbPerSecond : undefined,
      cpuSecondsAlone: secondsBetween(cpuBefore, cpuAfter),
    };
  });
}

/**
 * CPU seconds each service used between two readings of cpuByService.
 * @param {Record<string, number>} before
 * @param {Record<string, number>} after
 */
function secondsBetween(before, after) {
  return Object.fromEntries(
    Object.entries(after).map(([name, seconds]) => [name, Math.round((seconds - (before[name] ?? 0)) * 100) / 100]),
  );
}

/**
 * The same body, alone, through three bare Node processes with each transport (apps/echo-chain.cjs): what the shape
 * allows on this host, so that /echo compares across hosts as a ratio. MB/s, and each process's CPU seconds.
 */
async function measureEchoFloors() {
  /** @type {Record<string, { mbPerSecond: number, intact: boolean, cpuSeconds: Record<string, number> }>} */
  const floors = {};
  for (const mode of /** @type {(keyof typeof ECHO_FLOORS)[]} */ (Object.keys(ECHO_FLOORS))) {
    floors[mode] = await withStarted(
      (group) => startEchoChain(group, mode),
      undefined,
      async (group) => {
        const before = cpuByService(group.services());
        const result = await echo(`http://${HOST}:${PORT}/echo`, ECHO_BYTES);
        const cpuSeconds = secondsBetween(before, cpuByService(group.services()));
        log(`  floor, ${ECHO_FLOORS[mode]}: ${result.mbPerSecond.toFixed(0)} MB/s`);
        return { mbPerSecond: result.mbPerSecond, intact: result.intact, cpuSeconds };
      },
    );
  }
  return floors;
}
