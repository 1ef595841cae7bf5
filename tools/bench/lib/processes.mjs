// Processes the benchmark starts: only these are ever signalled (by PID), and their CPU time and memory are read
// from /proc for the whole tree (uWSGI workers, nginx workers).
import { spawn } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';

const TICKS_PER_SECOND = 100;

/**
 * @typedef {object} SpawnOptions
 * @property {Record<string, string>} [env] added to this process's environment
 * @property {string} [cwd]
 * @property {(line: string) => void} [onLine] sees each line the process writes to stdout
 */

/** @typedef {import('node:child_process').ChildProcessByStdio<null, import('node:stream').Readable, import('node:stream').Readable>} Child */

export class ProcessGroup {
  /** @type {Child[]} */
  #roots = [];

  /**
   * Starts a process; `onLine` sees each line it writes to stdout.
   * @param {string} command
   * @param {string[]} args
   * @param {SpawnOptions} [options]
   */
  spawn(command, args, { env = {}, cwd, onLine } = {}) {
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
    this.#roots.push(child);
    // A bench that crashes must not leave its services listening: the next run would measure them instead.
    process.once('exit', () => {
      if (child.exitCode === null) child.kill('SIGKILL');
    });
    return Object.assign(child, { stderrTail: () => stderr });
  }

  /** PIDs of the started processes and all their descendants. */
  pids() {
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
    const keep = new Set(this.#roots.flatMap((c) => (c.exitCode === null && c.pid !== undefined ? [c.pid] : [])));
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
    return [...keep].filter((pid) => parents.has(pid));
  }

  async stop() {
    for (const child of this.#roots) if (child.exitCode === null) child.kill('SIGTERM');
    const deadline = Date.now() + 5_000;
    while (this.#roots.some((c) => c.exitCode === null && c.signalCode === null) && Date.now() < deadline)
      await sleep(50);
    for (const child of this.#roots) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    this.#roots = [];
  }
}

/**
 * CPU seconds (user + system) of these processes so far.
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
 * Resident memory of these processes, in bytes.
 * @param {readonly number[]} pids
 */
export function rssBytes(pids) {
  let total = 0;
  for (const pid of pids) {
    try {
      total += Number(/VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? 0) * 1024;
    } catch {
      // exited
    }
  }
  return total;
}

/** System-wide busy and total CPU ticks (irq time left out: it is the run's own loopback traffic). */
export function systemTicks() {
  const cpu = readFileSync('/proc/stat', 'utf8').split('\n', 1)[0] ?? '';
  const [user = 0, nice = 0, system = 0, idle = 0, iowait = 0, irq = 0, softirq = 0, steal = 0] = cpu
    .trim()
    .split(/\s+/)
    .slice(1)
    .map(Number);
  return { busy: user + nice + system, total: user + nice + system + idle + iowait + irq + softirq + steal };
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
