// tools/bench: our stack against the stack it replaces (nginx → uWSGI → Flask), Express alone and plain Node, in one
// run on this machine, with the same load generator and settings; then 1 GB through POST /echo. Prints a table, the
// ratios of ours to the seed stack, honesty checks, and the targets; writes everything to tmp/bench/<stamp>/.
//
//   node tools/bench/bench.mjs [--configs seed,ours-native,…] [--reps 3] [--duration 10] [--connections 50] [--no-echo]
//
// Method (the one docs/background.md describes for the reference figures): per round every configuration is started
// fresh, warmed up for 3 s, then measured with `wrk -t1 -c50 -d10s`; the table shows medians over the rounds. A run during which other
// processes used over 10 % of the CPUs is redone. Server CPU µs/req = CPU time of all server processes during the
// run / requests. In the last round: RSS idle (before warm-up) and after load, and a lone client (-c1, warmed up for
// 3 s too) with wrk and every server process pinned to CPU 0.
import { execFileSync, execSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { CONFIGS, NODE, PORT, ready, spansPerRequest, URL } from './lib/configs.mjs';
import { echo } from './lib/echo.mjs';
import { startJaeger } from './lib/jaeger.mjs';
import { cpuSeconds, pinToCpu0, ProcessGroup, rssBytes, systemTicks } from './lib/processes.mjs';
import { wrk } from './lib/wrk.mjs';

const ROOT = join(import.meta.dirname, '..', '..');
const MiB = 1024 * 1024;
const args = process.argv.slice(2);
/**
 * @param {string} name
 * @param {string} fallback
 */
const option = (name, fallback) => {
  const at = args.indexOf(`--${name}`);
  return at === -1 ? fallback : (args[at + 1] ?? fallback);
};
const selected = option('configs', Object.keys(CONFIGS).join(',')).split(',');
const REPS = Number(option('reps', '3'));
const DURATION = Number(option('duration', '10'));
const CONNECTIONS = Number(option('connections', '50'));
const ECHO_BYTES = Number(option('echo-bytes', '1e9'));
for (const name of selected) {
  if (!(name in CONFIGS)) {
    console.error(`bench: no configuration ${name}; known: ${Object.keys(CONFIGS).join(', ')}`);
    process.exit(2);
  }
}
const BG_MAX = 10;
const stamp = new Date().toISOString().replace(/[:.]/g, '-');
const out = join(ROOT, 'tmp', 'bench', stamp);
mkdirSync(out, { recursive: true });

/** @param {string} line */
const log = (line) => console.log(line);
/** @param {number[]} values */
const median = (values) => {
  const sorted = values.filter(Number.isFinite).sort((a, b) => a - b);
  return sorted[Math.floor((sorted.length - 1) / 2)] ?? NaN;
};
const childTicks = () => {
  const stat = readFileSync('/proc/self/stat', 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return Number(fields[13]) + Number(fields[14]);
};

/** @typedef {import('./lib/configs.mjs').Started} Started */
/**
 * One measured run: wrk's result, server CPU µs per request (Jaeger's apart), the % of the CPUs other processes
 * used, and (ours) each service's request count and the spans Jaeger accepted.
 * @typedef {import('./lib/wrk.mjs').WrkResult & {
 *   serverUsPerReq: number, jaegerUsPerReq: number, bg: number, counters?: Record<string, number>, spans?: number
 * }} Run
 */
/**
 * @typedef {object} ConfigResults
 * @property {Run[]} runs
 * @property {string[]} checks honesty checks that failed
 * @property {number} [rssIdle]
 * @property {number} [rssAfter]
 * @property {Run} [lone]
 */
/** @typedef {Awaited<ReturnType<typeof measureEcho>>} EchoSummary */

prepare();
const jaeger = selected.some((name) => CONFIGS[name]?.traced) ? await startJaeger() : undefined;
/** @type {Record<string, ConfigResults>} */
const results = Object.fromEntries(selected.map((name) => [name, { runs: [], checks: [] }]));
/**
 * @param {string} name
 * @returns {import('./lib/configs.mjs').BenchConfig}
 */
const configOf = (name) => /** @type {import('./lib/configs.mjs').BenchConfig} */ (CONFIGS[name]);
/**
 * @param {string} name
 * @returns {ConfigResults}
 */
const resultsOf = (name) => /** @type {ConfigResults} */ (results[name]);
try {
  for (let round = 1; round <= REPS; round += 1) {
    for (const name of selected) await measureConfig(name, round, round === REPS);
  }
  const echoResult = args.includes('--no-echo') || !selected.includes('ours-express') ? undefined : await measureEcho();
  report(echoResult);
} finally {
  await jaeger?.stop();
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
    log(`installing from Debian: ${missing.join(' ')}`);
    execSync(`apt-get install -y --no-install-recommends ${missing.join(' ')}`, {
      stdio: 'ignore',
      env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' },
    });
  }
  log('building the services (production bundles)');
  execFileSync(
    join(ROOT, 'node_modules', '.bin', 'nx'),
    ['run-many', '-t', 'build', '--projects=edge,gateway,framework'],
    { cwd: ROOT, stdio: 'ignore' },
  );
  const versions = [
    `node ${execFileSync(NODE, ['--version']).toString().trim()}`,
    execSync('nginx -v 2>&1').toString().trim(),
    `uwsgi ${execSync('uwsgi --version').toString().trim()}`,
    `flask ${execSync('/usr/bin/python3 -c "import importlib.metadata as m; print(m.version(\'flask\'))"').toString().trim()}`,
    execSync('wrk -v 2>&1 || true').toString().split('\n')[0],
    `${execSync('nproc').toString().trim()} cpus`,
  ];
  writeFileSync(join(out, 'versions.txt'), `${versions.join('\n')}\n`);
  log(versions.join(' · '));
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

async function waitQuiet() {
  for (let i = 0; i < 30; i += 1) {
    const a = systemTicks();
    await sleep(1_000);
    const b = systemTicks();
    if (100 * (b.busy - a.busy) <= 5 * (b.total - a.total)) return;
  }
}

/**
 * One measured wrk run: the result plus server CPU, background CPU, and (ours) counter and span deltas.
 * @param {string} name
 * @param {ProcessGroup} group
 * @param {Started} stack
 * @param {{ connections: number, seconds: number, pin?: boolean, label: string }} options
 * @returns {Promise<Run>}
 */
async function run(name, group, stack, { connections, seconds, pin = false, label }) {
  const config = configOf(name);
  for (let attempt = 1; ; attempt += 1) {
    const countersBefore = (await stack.counters?.()) ?? {};
    const spansBefore = config.traced && jaeger ? await jaeger.settledAccepted() : 0;
    const pids = group.pids();
    const jaegerPids = jaeger?.pids() ?? [];
    const [cpu0, jcpu0, sys0, kids0] = [cpuSeconds(pids), cpuSeconds(jaegerPids), systemTicks(), childTicks()];
    const measured = await wrk(URL, { connections, seconds, pin, raw: join(out, `${name}.${label}.txt`) });
    const [cpu1, jcpu1, sys1, kids1] = [cpuSeconds(pids), cpuSeconds(jaegerPids), systemTicks(), childTicks()];
    const serverTicks = (cpu1 - cpu0) * 100;
    const jaegerTicks = (jcpu1 - jcpu0) * 100;
    const bg =
      (100 * (sys1.busy - sys0.busy - serverTicks - jaegerTicks - (kids1 - kids0))) / (sys1.total - sys0.total);
    /** @type {Run} */
    const result = {
      ...measured,
      serverUsPerReq: ((cpu1 - cpu0) * 1e6) / measured.completed,
      jaegerUsPerReq: ((jcpu1 - jcpu0) * 1e6) / measured.completed,
      bg: Math.max(0, Math.round(bg)),
    };
    if (config.ours && stack.counters) {
      await sleep(500);
      const after = await stack.counters();
      result.counters = Object.fromEntries(
        Object.entries(after).map(([svc, n]) => [svc, n - (countersBefore[svc] ?? 0)]),
      );
    }
    if (config.traced && jaeger) result.spans = (await jaeger.settledAccepted()) - spansBefore;
    if (result.bg <= BG_MAX || attempt === 3) return result;
    log(`  ${name} ${label}: ${result.bg} % of the CPUs used by other processes; measuring again`);
    await sleep(3_000);
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
  await waitQuiet();
  const group = new ProcessGroup();
  try {
    const stack = await config.start(group, { runDir: join(out, 'run'), jaeger });
    await ready();
    await sleep(500);
    if (last) results.rssIdle = rssBytes(group.pids());
    await wrk(URL, { connections: CONNECTIONS, seconds: 3 });
    await sleep(1_000); // the warm-up's last requests, cut off when wrk stopped, finish before counting starts
    const result = await run(name, group, stack, {
      connections: CONNECTIONS,
      seconds: DURATION,
      label: `c${CONNECTIONS}-${round}`,
    });
    results.runs.push(result);
    check(name, result);
    log(
      `${name.padEnd(20)} round ${round}: ${Math.round(result.rps)} req/s, p50 ${result.p50.toFixed(2)} ms, p99 ${result.p99.toFixed(2)} ms, ${result.serverUsPerReq.toFixed(1)} µs/req server CPU, bg ${result.bg} %`,
    );
    if (last) {
      results.rssAfter = rssBytes(group.pids());
      if (!config.traced) {
        await pinToCpu0(group.pids());
        // A lone client takes other paths than 50 (batches of one): warm them up too, as the load was.
        await wrk(URL, { connections: 1, seconds: 3, pin: true });
        await sleep(500);
        const lone = await run(name, group, stack, { connections: 1, seconds: DURATION, pin: true, label: 'c1pin' });
        results.lone = lone;
        check(name, lone);
      }
    }
  } finally {
    await group.stop();
    await sleep(1_000);
  }
}

/**
 * Honesty: every request wrk sent reached every service of ours; with tracing, every span reached Jaeger.
 * @param {string} name
 * @param {Run} result
 */
function check(name, result) {
  const checks = resultsOf(name).checks;
  if (result.non2xx > 0 || result.socketErrors)
    checks.push(`FAIL ${result.non2xx} non-2xx responses, socket errors: ${result.socketErrors || 'none'}`);
  if (result.counters) {
    for (const [svc, n] of Object.entries(result.counters)) {
      if (n !== result.sent) checks.push(`FAIL ${svc} counted ${n} requests, wrk sent ${result.sent}`);
    }
  }
  if (result.spans !== undefined) {
    const expected = (result.counters?.['framework'] ?? NaN) * spansPerRequest(name);
    if (result.spans !== expected)
      checks.push(
        `FAIL Jaeger accepted ${result.spans} spans, expected ${expected} (${spansPerRequest(name)} per request)`,
      );
  }
}

async function measureEcho() {
  log(`\n${ECHO_BYTES / 1e9} GB through POST /echo (ours-express, tracing off)`);
  await waitQuiet();
  const group = new ProcessGroup();
  const stack = await configOf('ours-express').start(group, { jaeger });
  try {
    await ready();
    const hello = await wrk(URL, { connections: 10, seconds: 5, raw: join(out, 'echo.hello-alone.txt') });
    /** @type {Record<string, number>} */
    const peaks = { edge: 0, gateway: 0, framework: 0 };
    const sampler = setInterval(() => {
      for (const [svc, pid] of Object.entries(stack.pids ?? {}))
        peaks[svc] = Math.max(peaks[svc] ?? 0, rssBytes([pid]));
    }, 50);
    const streaming = echo(`http://127.0.0.1:${PORT}/echo`, ECHO_BYTES);
    await sleep(300);
    const during = await wrk(URL, { connections: 10, seconds: 5, raw: join(out, 'echo.hello-during.txt') });
    const result = await streaming;
    clearInterval(sampler);
    return { ...result, peaks, helloP99Alone: hello.p99, helloP99During: during.p99 };
  } finally {
    await group.stop();
  }
}

/** @typedef {ReturnType<typeof row>} Row */
/** @param {string} name */
function row(name) {
  const r = resultsOf(name);
  return {
    name,
    rps: median(r.runs.map((x) => x.rps)),
    p50: median(r.runs.map((x) => x.p50)),
    p99: median(r.runs.map((x) => x.p99)),
    cpu: median(r.runs.map((x) => x.serverUsPerReq)),
    jaegerCpu: configOf(name).traced ? median(r.runs.map((x) => x.jaegerUsPerReq)) : undefined,
    lone: r.lone?.p50 ?? NaN,
    rssIdle: r.rssIdle ?? NaN,
    rssAfter: r.rssAfter ?? NaN,
  };
}

/** @param {EchoSummary | undefined} echoResult */
function report(echoResult) {
  const rows = selected.map(row);
  const seed = rows.find((r) => r.name === 'seed');
  /**
   * @param {number} a
   * @param {number | undefined} b
   */
  const ratio = (a, b) => (b !== undefined && Number.isFinite(a) && Number.isFinite(b) ? (a / b).toFixed(2) : '–');
  /**
   * @param {number | undefined} n
   * @param {number} [d] decimals
   */
  const f = (n, d = 0) => (n !== undefined && Number.isFinite(n) ? n.toFixed(d) : '–');
  const lines = [
    `# tools/bench, ${new Date().toISOString()}: GET /hello, wrk -t1 -c${CONNECTIONS} -d${DURATION}s, median of ${REPS} rounds`,
    '',
    '| config | req/s | ×seed | p50 ms | p99 ms | server CPU µs/req | lone p50 ms (pinned) | ×seed | RSS idle MiB | RSS after MiB | ×seed |',
    '|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|',
    ...rows.map(
      (r) =>
        `| ${r.name} | ${f(r.rps)} | ${ratio(r.rps, seed?.rps)} | ${f(r.p50, 2)} | ${f(r.p99, 2)} | ${f(r.cpu, 1)}${r.jaegerCpu === undefined ? '' : ` (+${f(r.jaegerCpu, 1)} Jaeger)`} | ${f(r.lone, 3)} | ${ratio(r.lone, seed?.lone)} | ${f(r.rssIdle / MiB)} | ${f(r.rssAfter / MiB)} | ${ratio(r.rssAfter, seed?.rssAfter)} |`,
    ),
    '',
    ...selected.map((name) => `- ${name}: ${configOf(name).label}`),
    '',
    ...chart(rows),
    '',
    '## Honesty checks',
    ...selected.flatMap((name) => {
      const r = resultsOf(name);
      const ok = r.checks.length === 0;
      const detail = configOf(name).ours
        ? `; per run, wrk sent = edge = gateway = framework requests (${r.runs.map((x) => x.sent).join(', ')})${configOf(name).traced ? `, Jaeger spans = ${spansPerRequest(name)} × requests (${r.runs.map((x) => x.spans).join(', ')})` : ''}`
        : '';
      return [
        `- ${name}: ${ok ? 'ok' : 'FAILED'}: all responses 2xx, no socket errors${detail}`,
        ...r.checks.map((c) => `  - ${c}`),
      ];
    }),
  ];
  if (echoResult) {
    lines.push(
      '',
      `## ${ECHO_BYTES / 1e9} GB through POST /echo`,
      `- ${f(echoResult.mbPerSecond)} MB/s end to end (${f(echoResult.seconds, 1)} s), body ${echoResult.intact ? 'intact (SHA-256 equal)' : 'CORRUPTED'}, status ${echoResult.status}`,
      `- peak RSS MiB: ${Object.entries(echoResult.peaks)
        .map(([k, v]) => `${k} ${f(v / MiB)}`)
        .join(', ')}`,
      `- /hello p99 (wrk -c10, 5 s): alone ${f(echoResult.helloP99Alone, 2)} ms, while the body streams ${f(echoResult.helloP99During, 2)} ms (×${(echoResult.helloP99During / echoResult.helloP99Alone).toFixed(2)})`,
    );
  }
  lines.push('', '## Targets', ...targets(rows, seed, echoResult));
  const text = lines.join('\n');
  console.log(`\n${text}`);
  writeFileSync(join(out, 'table.md'), `${text}\n`);
  writeFileSync(join(out, 'results.json'), `${JSON.stringify({ results, echo: echoResult }, null, 2)}\n`);
  console.log(`\nraw output: ${out}`);
}

/**
 * req/s per configuration as a Mermaid bar chart (GitHub renders it in Markdown).
 * @param {Row[]} rows
 */
function chart(rows) {
  const shown = rows.filter((r) => Number.isFinite(r.rps));
  return [
    '```mermaid',
    'xychart-beta',
    `  title "GET /hello, wrk -c${CONNECTIONS}: requests per second (median of ${REPS})"`,
    `  x-axis [${shown.map((r) => `"${r.name}"`).join(', ')}]`,
    `  y-axis "req/s" 0 --> ${Math.ceil(Math.max(...shown.map((r) => r.rps)) / 10_000) * 10_000}`,
    `  bar [${shown.map((r) => Math.round(r.rps)).join(', ')}]`,
    '```',
  ];
}

/**
 * @param {Row[]} rows
 * @param {Row | undefined} seed
 * @param {EchoSummary | undefined} echoResult
 */
function targets(rows, seed, echoResult) {
  if (!seed) return ['- (the seed stack was not measured: no ratios)'];
  /** @param {string} name */
  const get = (name) => rows.find((r) => r.name === name);
  /** @type {string[]} */
  const lines = [];
  /**
   * @param {boolean} ok
   * @param {string} text
   */
  const target = (ok, text) => lines.push(`- ${ok ? 'MET' : 'MISSED'}: ${text}`);
  const native = get('ours-native');
  const expressRow = get('ours-express');
  if (native) {
    target(
      native.rps >= 1.5 * seed.rps,
      `interface-native hello ≥ 1.5× the seed's req/s: ${(native.rps / seed.rps).toFixed(2)}×`,
    );
    target(
      native.p99 <= seed.p99,
      `interface-native p99 ≤ the seed's: ${native.p99.toFixed(2)} vs ${seed.p99.toFixed(2)} ms`,
    );
  }
  if (expressRow)
    target(
      expressRow.rps >= seed.rps,
      `Express /hello ≥ 1.0× the seed's req/s: ${(expressRow.rps / seed.rps).toFixed(2)}×`,
    );
  for (const r of [native, expressRow]) {
    if (r && Number.isFinite(r.lone))
      target(
        r.lone <= 1.5 * seed.lone,
        `${r.name} lone client p50 ≤ 1.5× the seed's: ${(r.lone / seed.lone).toFixed(2)}×`,
      );
  }
  /** @type {Array<[string, Row | undefined]>} */
  const tracedAndPlain = [
    ['ours-native-traced', native],
    ['ours-express-traced', expressRow],
  ];
  for (const [traced, plain] of tracedAndPlain) {
    const t = get(traced);
    if (t && plain)
      target(
        t.rps >= 0.8 * plain.rps && resultsOf(traced).checks.length === 0,
        `${traced} costs ≤ 20 % of throughput, no span dropped: ${((1 - t.rps / plain.rps) * 100).toFixed(1)} %`,
      );
  }
  if (echoResult) {
    target(
      echoResult.mbPerSecond >= 200 && echoResult.intact,
      `/echo ≥ 200 MB/s: ${echoResult.mbPerSecond.toFixed(0)} MB/s`,
    );
    target(
      Object.values(echoResult.peaks).every((v) => v < 150 * MiB),
      `every service < 150 MiB during the stream: ${Object.values(echoResult.peaks)
        .map((v) => (v / MiB).toFixed(0))
        .join(', ')} MiB`,
    );
    target(
      echoResult.helloP99During <= 2 * echoResult.helloP99Alone,
      `/hello p99 during the stream ≤ 2× without: ${(echoResult.helloP99During / echoResult.helloP99Alone).toFixed(2)}×`,
    );
  }
  const ours = expressRow ?? native;
  if (ours)
    target(
      ours.rssAfter <= 2.5 * seed.rssAfter,
      `three services after load ≤ 2.5× the seed's RSS: ${(ours.rssAfter / seed.rssAfter).toFixed(2)}× (idle ${(ours.rssIdle / MiB).toFixed(0)} MiB)`,
    );
  return lines;
}
