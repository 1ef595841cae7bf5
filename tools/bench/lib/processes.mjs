// Processes the benchmark starts: only these are ever signalled (by PID), and their CPU time and memory are read
// from /proc for the whole tree (uWSGI workers, nginx workers).
import { spawn } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';

const TICKS_PER_SECOND = 100;

export class ProcessGroup {
  #roots = [];

  /** Starts a process; `onLine` sees each line it writes to stdout. */
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
    child.stderrTail = () => stderr;
    this.#roots.push(child);
    return child;
  }

  /** PIDs of the started processes and all their descendants. */
  pids() {
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
    const keep = new Set(this.#roots.filter((c) => c.exitCode === null).map((c) => c.pid));
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

/** CPU seconds (user + system) of these processes so far. */
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

/** Resident memory of these processes, in bytes. */
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
  const [, user, nice, system, idle, iowait, irq, softirq, steal] = readFileSync('/proc/stat', 'utf8')
    .split('\n')[0]
    .trim()
    .split(/\s+/)
    .map(Number);
  return { busy: user + nice + system, total: user + nice + system + idle + iowait + irq + softirq + steal };
}

/** Pins every thread of these processes to CPU 0. */
export async function pinToCpu0(pids) {
  for (const pid of pids) {
    await new Promise((resolve) =>
      spawn('taskset', ['-a', '-cp', '0', String(pid)], { stdio: 'ignore' }).on('exit', resolve),
    );
  }
}
