import { spawn, type ChildProcess } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

export type ServiceName = 'edge' | 'gateway' | 'framework';

export const ROOT = join(__dirname, '..', '..', '..');

/** One service running as its own process, from the bundle `nx build` produced. */
export interface ServiceProcess {
  readonly name: ServiceName;
  readonly pid: number;
  /** Where it listens, as it logged it: `host:port`, or `unix:/path` (its port then 0). */
  readonly address: string;
  readonly port: number;
  /** Its admin listener's port (/healthz /readyz /stats /metrics), 0 when it has none. */
  readonly adminPort: number;
  /** Every JSON log line so far, parsed. */
  readonly logs: Array<Record<string, unknown>>;
  readonly exited: Promise<number | null>;
  /** Resident set size in bytes of its largest process (a framework master's worker serves), from /proc. */
  rss(): number;
  /**
   * Proportional set size in bytes of all its processes together (an edge and its workers, a framework master and
   * its worker): a page shared by n processes counts 1/n in each, so the sum is what the service holds.
   */
  pss(): number;
  /** Its process and those it started (a framework master's workers), from /proc. */
  pids(): number[];
  waitForLog(
    predicate: (line: Record<string, unknown>) => boolean,
    timeoutMs?: number,
  ): Promise<Record<string, unknown>>;
  signal(signal: NodeJS.Signals): void;
  stop(): Promise<void>;
}

/** Starts a service on the ports in `env` (0 for a free one) and resolves once it logged that it listens. */
export async function startService(name: ServiceName, env: Record<string, string>): Promise<ServiceProcess> {
  const child = spawn(join(ROOT, 'tools', 'run', 'service.sh'), [name], {
    cwd: ROOT,
    env: { PATH: pathWithNode(), HOME: process.env['HOME'] ?? '', LOG_LEVEL: 'info', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const service = observe(name, child);
  const listening = await service.waitForLog((line) => line['msg'] === `${name} listening`, 10_000);
  const address = String(listening['address']);
  const admin = service.logs.find((line) => line['msg'] === `${name} admin listening`);
  const adminAddress = admin === undefined ? '' : String(admin['address']);
  return Object.assign(service, {
    address,
    port: address.startsWith('unix:') ? 0 : Number(address.slice(address.lastIndexOf(':') + 1)),
    adminPort: Number(adminAddress.slice(adminAddress.lastIndexOf(':') + 1)),
  });
}

/** Runs a service expecting it to fail at start-up; resolves with its exit code and what it wrote to stderr. */
export function runFailing(
  name: ServiceName,
  env: Record<string, string>,
): Promise<{ code: number | null; stderr: string }> {
  const child = spawn(join(ROOT, 'tools', 'run', 'service.sh'), [name], {
    cwd: ROOT,
    env: { PATH: pathWithNode(), ...env },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  return new Promise((resolve) => child.on('exit', (code) => resolve({ code, stderr })));
}

/** `pid` and every process below it, from /proc. */
function descendants(pid: number): number[] {
  const parents = new Map<number, number>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      parents.set(Number(entry), Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]));
    } catch {
      // gone meanwhile
    }
  }
  const found = [pid];
  for (let i = 0; i < found.length; i += 1) {
    for (const [child, parent] of parents) if (parent === found[i]) found.push(child);
  }
  return found;
}

function residentBytes(pid: number): number {
  try {
    return Number(/VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? 0) * 1024;
  } catch {
    return 0;
  }
}

function proportionalBytes(pid: number): number {
  try {
    return Number(/^Pss:\s+(\d+) kB/m.exec(readFileSync(`/proc/${pid}/smaps_rollup`, 'utf8'))?.[1] ?? 0) * 1024;
  } catch {
    return 0;
  }
}

/** PATH with the directory of the Node that runs the tests first, so the services run on the same Node 24. */
function pathWithNode(): string {
  return `${dirname(process.execPath)}:${process.env['PATH'] ?? ''}`;
}

function observe(name: ServiceName, child: ChildProcess): ServiceProcess & { port: number; adminPort: number } {
  const logs: Array<Record<string, unknown>> = [];
  const waiters = new Set<() => void>();
  let partial = '';
  child.stdout?.on('data', (chunk: Buffer) => {
    const lines = (partial + chunk.toString()).split('\n');
    partial = lines.pop() ?? '';
    for (const line of lines) {
      try {
        logs.push(JSON.parse(line) as Record<string, unknown>);
      } catch {
        logs.push({ msg: line });
      }
    }
    for (const wake of waiters) wake();
  });
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return {
    name,
    pid: child.pid as number,
    address: '',
    port: 0,
    adminPort: 0,
    logs,
    exited,
    rss() {
      return Math.max(...descendants(child.pid as number).map(residentBytes));
    },
    pss() {
      return descendants(child.pid as number).reduce((sum, pid) => sum + proportionalBytes(pid), 0);
    },
    pids() {
      return descendants(child.pid as number);
    },
    waitForLog(predicate, timeoutMs = 5_000) {
      return new Promise((resolve, reject) => {
        const check = () => {
          const found = logs.find(predicate);
          if (!found) return;
          clear();
          resolve(found);
        };
        const timer = setTimeout(() => {
          clear();
          reject(
            new Error(
              `${name}: no matching log line within ${timeoutMs} ms\n${stderr}\n${JSON.stringify(logs.slice(-5))}`,
            ),
          );
        }, timeoutMs);
        const onExit = () => {
          clear();
          reject(new Error(`${name} exited: ${stderr}`));
        };
        const clear = () => {
          clearTimeout(timer);
          waiters.delete(check);
          child.off('exit', onExit);
        };
        waiters.add(check);
        child.on('exit', onExit);
        check();
      });
    },
    signal(signal) {
      if (child.exitCode === null) child.kill(signal);
    },
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
      await exited;
      clearTimeout(timer);
    },
  };
}
