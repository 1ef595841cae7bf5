// tools/bench/host.mjs: whether a sitting's dear rounds are the host's. Starts a configuration of the bench as the
// bench does, warms it up, then loads it with wrk -c50 in short windows, and prints each window's server CPU per
// request beside the host's memory latency in the same window: a worker thread of this process follows a random cycle
// through 4 MiB (more than a core's L2 holds: on the AMD EPYC host of these runs a read took 74–117 ns, most went past
// the L3 that the machine's other tenants share), the fastest of five passes every 100 ms (~1 % of one CPU, in every
// window alike). Ends with the correlation of the two and how much CPU per request each nanosecond of latency costs
// (docs/adr/0024-young-generation-below-the-old-generations-room.md's last update).
//
//   node tools/bench/host.mjs [--config ours-native] [--stacks 2] [--windows 14] [--seconds 2]
import { chmodSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { Worker } from 'node:worker_threads';
import { takeOption } from './lib/arguments.mjs';
import { CONFIGS, portFree, ready, URL } from './lib/configs.mjs';
import { ensureFromDebian } from './lib/prerequisites.mjs';
import { cpuByService, ProcessGroup } from './lib/processes.mjs';
import { warmUp, wrk } from './lib/wrk.mjs';

const ROOT = join(import.meta.dirname, '..', '..');
const args = process.argv.slice(2);
const CONFIG = takeOption(args, 'config', 'ours-native');
const STACKS = Number(takeOption(args, 'stacks', '2'));
const WINDOWS = Number(takeOption(args, 'windows', '14'));
const SECONDS = Number(takeOption(args, 'seconds', '2'));
const config = CONFIGS[CONFIG];
if (args.length > 0 || config === undefined || config.traced !== undefined || !(STACKS >= 1 && WINDOWS >= 3)) {
  console.error('usage: node tools/bench/host.mjs [--config <an untraced configuration>] [--stacks 2] [--windows 14]');
  process.exit(2);
}
process.env.PATH = `${join(ROOT, 'node_modules', '.bin')}:/usr/sbin:/sbin:${process.env.PATH}`;
ensureFromDebian('wrk', ['--version'], 'wrk', (line) => console.log(`host: ${line}`));

const PROBE = `
const { parentPort } = require('node:worker_threads');
const SIZE = 1 << 20;
const next = new Int32Array(SIZE);
for (let i = 0; i < SIZE; i += 1) next[i] = i;
for (let i = SIZE - 1; i > 0; i -= 1) {
  const j = Math.floor(Math.random() * i);
  const t = next[i];
  next[i] = next[j];
  next[j] = t;
}
let at = 0;
function pass() {
  const start = process.hrtime.bigint();
  let j = at;
  for (let i = 0; i < 10000; i += 1) j = next[j];
  at = j;
  return Number(process.hrtime.bigint() - start) / 10000;
}
setInterval(() => parentPort.postMessage([Date.now(), Math.min(pass(), pass(), pass(), pass(), pass())]), 100);
`;
/** @type {Array<[number, number]>} */
const samples = [];
const probe = new Worker(PROBE, { eval: true });
probe.on('message', (/** @type {[number, number]} */ sample) => samples.push(sample));

/** @param {number[]} values */
const median = (values) => [...values].sort((a, b) => a - b)[(values.length - 1) >> 1] ?? NaN;
/** @type {Array<[number, number]>} */
const windows = [];
for (let s = 1; s <= STACKS; s += 1) {
  const group = new ProcessGroup();
  try {
    await portFree();
    const runDir = mkdtempSync(join(tmpdir(), 'host-'));
    chmodSync(runDir, 0o755); // nginx's workers reach the seed's socket there
    await config.start(group, { runDir });
    await ready();
    const warmed = await warmUp(URL, { connections: 50 });
    await sleep(1_000);
    const services = group.services();
    /** @type {string[]} */
    const line = [];
    for (let w = 0; w < WINDOWS; w += 1) {
      const from = Date.now();
      const cpu0 = cpuByService(services);
      const result = await wrk(URL, { connections: 50, seconds: SECONDS });
      const cpu1 = cpuByService(services);
      let us = 0;
      for (const [svc, before] of Object.entries(cpu0))
        us += (((cpu1[svc] ?? before) - before) * 1e6) / result.completed;
      const ns = median(samples.filter(([t]) => t >= from && t <= Date.now()).map(([, n]) => n));
      windows.push([ns, us]);
      line.push(`${us.toFixed(1)} µs (${ns.toFixed(1)} ns)`);
    }
    console.log(`${CONFIG}, stack ${s} (warmed up ${warmed} s), ${SECONDS} s windows: ${line.join(', ')}`);
  } finally {
    await group.stop();
    await sleep(1_000);
  }
}
await probe.terminate();

const xs = windows.map(([ns]) => ns);
const ys = windows.map(([, us]) => us);
const mean = (/** @type {number[]} */ v) => v.reduce((a, b) => a + b, 0) / v.length;
const [mx, my] = [mean(xs), mean(ys)];
let sxy = 0;
let sxx = 0;
let syy = 0;
for (const [x, y] of windows) {
  sxy += (x - mx) * (y - my);
  sxx += (x - mx) ** 2;
  syy += (y - my) ** 2;
}
const slope = sxy / sxx;
const atQuiet = my + slope * (Math.min(...xs) - mx);
console.log(
  `${CONFIG}: ${windows.length} windows, correlation ${(sxy / Math.sqrt(sxx * syy)).toFixed(2)}; ${slope.toFixed(2)} µs a request more for each ns, ${((100 * slope) / atQuiet).toFixed(1)} % of the quietest window's ${atQuiet.toFixed(1)} µs; latency ${Math.min(...xs).toFixed(1)}–${Math.max(...xs).toFixed(1)} ns, CPU ${Math.min(...ys).toFixed(1)}–${Math.max(...ys).toFixed(1)} µs a request`,
);
