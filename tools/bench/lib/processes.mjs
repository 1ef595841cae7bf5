// Processes the benchmark starts: only these are ever signalled (by PID). Each started process is a service's launcher
// and is named after the service; its CPU time and memory are read from /proc for its whole process tree (nginx's
// workers, uWSGI's workers, the framework's master and worker), so a service of several processes counts as one.
import { spawn } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';

const TICKS_PER_SECOND = 100;
/** Every process started and not yet stopped: a bench that crashes must not leave its services listening. */
/** @type {Set<import('node:child_process').ChildProcess>} */
const live = new Set();
process.once('exit', () => {
  for (const child of live) if (child.exitCode === null) child.kill('SIGKILL');
});

/**
 * @typedef {object} SpawnOptions
 * @property {Record<string, string>} [env] added to this process's environment
 * @property {string} [cwd]
 * @property {string} [name] the service this process starts (its tree is measured under this name); default: command
 * @property {(line: string) => void} [onLine] sees each line the process writes to stdout
 */

/** @typedef {import('node:child_process').ChildProcessByStdio<null, import('node:stream').Readable, import('node:stream').Readable>} Child */

export class ProcessGroup {
  /** @type {Array<{ name: string, child: Child }>} */
  #roots = [];

  /**
   * Starts a process; `onLine` sees each line it writes to stdout.
   * @param {string} command
   * @param {string[]} args
   * @param {SpawnOptions} [options]
   */
  spawn(command, args, { env = {}, cwd, name = command, onLine } = {}) {
    const child = spawn(command, args, { cwd, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let partial = '';
    child.stdout.on('data', (chunk) => {
      const lines = (partial + chunk.toString()).split('\n');
      partial = lines.pop() ?? '';
      for (const line of lines) onLine?.(line);
    });
    let stderr = '';
    child.stderr.on('data', (chunk) => {
      stderr = (stderr + chunk.toString()).slice(-4000);
    });
    this.#roots.push({ name, child });
    live.add(child);
    child.once('exit', () => live.delete(child));
    return Object.assign(child, { stderrTail: () => stderr });
  }

  /** Each started process's name → its PID and all its descendants' (names started twice share one entry). */
  services() {
    const parents = parentsByPid();
    /** @type {Record<string, number[]>} */
    const byName = {};
    for (const { name, child } of this.#roots) {
      if (child.exitCode !== null || child.pid === undefined || !parents.has(child.pid)) continue;
      (byName[name] ??= []).push(...descendants(child.pid, parents));
    }
    return byName;
  }

  /** PIDs of the started processes and all their descendants. */
  pids() {
    return Object.values(this.services()).flat();
  }

  async stop() {
    const children = this.#roots.map((r) => r.child);
    for (const child of children) if (child.exitCode === null) child.kill('SIGTERM');
    const deadline = Date.now() + 5_000;
    while (children.some((c) => c.exitCode === null && c.signalCode === null) && Date.now() < deadline) await sleep(50);
    for (const child of children) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    this.#roots = [];
  }
}

/** PID → parent PID of every process now. */
function parentsByPid() {
  /** @type {Map<number, number>} */
  const parents = new Map();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      parents.set(Number(entry), Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]));
    } catch {
      // gone
    }
  }
  return parents;
}

/**
 * @param {number} root
 * @param {Map<number, number>} parents
 */
function descendants(root, parents) {
  const keep = new Set([root]);
  let grew = true;
  while (grew) {
    grew = false;
    for (const [pid, parent] of parents) {
      if (!keep.has(pid) && keep.has(parent)) {
        keep.add(pid);
        grew = true;
      }
    }
  }
  return [...keep];
}

/**
 * CPU seconds (user + system, every thread) of these processes so far.
 * @param {readonly number[]} pids
 */
export function cpuSeconds(pids) {
  let ticks = 0;
  for (const pid of pids) {
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      ticks += Number(fields[11]) + Number(fields[12]);
    } catch {
      // exited
    }
  }
  return ticks / TICKS_PER_SECOND;
}

/**
 * CPU seconds so far of each service's processes.
 * @param {Record<string, number[]>} services
 */
export function cpuByService(services) {
  return Object.fromEntries(Object.entries(services).map(([name, pids]) => [name, cpuSeconds(pids)]));
}

/**
 * Memory of a set of processes, in bytes: resident (RSS, every process's shared pages counted in full) and
 * proportional (PSS from smaps_rollup: a page shared by n processes counts 1/n in each).
 * @typedef {{ rss: number, pss: number }} Memory
 */

/**
 * @param {readonly number[]} pids
 * @returns {Memory}
 */
export function memory(pids) {
  let rss = 0;
  let pss = 0;
  for (const pid of pids) {
    try {
      const rollup = readFileSync(`/proc/${pid}/smaps_rollup`, 'utf8');
      rss += Number(/^Rss:\s+(\d+) kB/m.exec(rollup)?.[1] ?? 0) * 1024;
      pss += Number(/^Pss:\s+(\d+) kB/m.exec(rollup)?.[1] ?? 0) * 1024;
    } catch {
      // exited
    }
  }
  return { rss, pss };
}

/**
 * Memory of each service's processes, and of all of them.
 * @param {Record<string, number[]>} services
 * @returns {{ total: Memory, services: Record<string, Memory> }}
 */
export function memoryByService(services) {
  const byService = Object.fromEntries(Object.entries(services).map(([name, pids]) => [name, memory(pids)]));
  const total = { rss: 0, pss: 0 };
  for (const m of Object.values(byService)) {
    total.rss += m.rss;
    total.pss += m.pss;
  }
  return { total, services: byService };
}

/**
 * Resident memory of these processes, in bytes.
 * @param {readonly number[]} pids
 */
export function rssBytes(pids) {
  return memory(pids).rss;
}

/** System-wide busy and total CPU ticks (irq time left out: it is the run's own loopback traffic). */
export function systemTicks() {
  const cpu = readFileSync('/proc/stat', 'utf8').split('\n', 1)[0] ?? '';
  const [user = 0, nice = 0, system = 0, idle = 0, iowait = 0, irq = 0, softirq = 0, steal = 0] = cpu
    .trim()
    .split(/\s+/)
    .slice(1)
    .map(Number);
  return { busy: user + nice + system, total: user + nice + system + idle + iowait + irq + softirq + steal, steal };
}

/** CPU ticks of this process's children that have exited and been waited for (wrk, vegeta, taskset). */
export function childTicks() {
  const stat = readFileSync('/proc/self/stat', 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return Number(fields[13]) + Number(fields[14]);
}

/**
 * Pins every thread of these processes to CPU 0.
 * @param {readonly number[]} pids
 */
export async function pinToCpu0(pids) {
  for (const pid of pids) {
    await new Promise((resolve) =>
      spawn('taskset', ['-a', '-cp', '0', String(pid)], { stdio: 'ignore' }).on('exit', resolve),
    );
  }
}

/** The CPU model this runs on (`model name` in /proc/cpuinfo), and how many CPUs. */
export function cpuModel() {
  const info = readFileSync('/proc/cpuinfo', 'utf8');
  const models = [...info.matchAll(/^model name\s*:\s*(.*)$/gm)].map((m) => (m[1] ?? '').trim());
  return { model: models[0] ?? 'unknown', cpus: models.length };
}

/**
 * Soft and hard limits on open files of this process.
 * @returns {{ soft: number, hard: number }}
 */
export function openFileLimits() {
  const line = /^Max open files\s+(\S+)\s+(\S+)/m.exec(readFileSync('/proc/self/limits', 'utf8'));
  /** @param {string | undefined} v */
  const n = (v) => (v === undefined ? 0 : v === 'unlimited' ? Infinity : Number(v));
  return { soft: n(line?.[1]), hard: n(line?.[2]) };
}
