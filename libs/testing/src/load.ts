import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';

export interface LoadOptions {
  url: string;
  /** Requests per second, sent on schedule whatever the responses (open loop). */
  rate: number;
  durationMs: number;
  method?: string;
  headers?: Record<string, string>;
  /** A request body (sent with every request). */
  body?: string;
  /** ms a request may take before vegeta gives up on it (counted as an error). */
  timeoutMs?: number;
}

export interface LoadResult {
  /** Requests sent. */
  total: number;
  /** Responses by status code; `0` counts requests with no response at all. */
  byStatus: Record<string, number>;
  /** Transport errors by message (connection refused, reset, timeout…). */
  errors: Record<string, number>;
  /** Requests that did not get a 2xx. */
  failed: number;
  /** ms since the start at which each non-2xx happened, with its status, for the failure message. */
  failures: Array<{ atMs: number; status: number; error: string }>;
  latencyMs: { p50: number; p99: number; max: number };
}

export interface LoadRun {
  /** Resolves once every request sent has its outcome. */
  readonly done: Promise<LoadResult>;
  /** Requests whose outcome arrived so far. */
  readonly seen: number;
}

/** Where the all-suites test command builds vegeta (tools/load/ensure-vegeta.sh); undefined when it is not there. */
export function vegetaPath(): string | undefined {
  const configured = process.env['VEGETA_BIN'];
  if (configured) return existsSync(configured) ? configured : undefined;
  const cache =
    process.env['MONO_CACHE_DIR'] ?? join(process.env['XDG_CACHE_HOME'] ?? join(homedir(), '.cache'), 'mono');
  const path = join(cache, 'vegeta', process.env['VEGETA_VERSION'] ?? 'v12.13.0', 'vegeta');
  return existsSync(path) ? path : undefined;
}

/**
 * Runs a real open-loop load generator (vegeta) against `url` and counts every request's outcome.
 *
 * @example
 * const load = startLoad({ url: `${stack.url}/hello`, rate: 200, durationMs: 10_000 });
 * expect((await load.done).failed).toBe(0);
 */
export function startLoad(options: LoadOptions): LoadRun {
  const vegeta = vegetaPath();
  if (vegeta === undefined) throw new Error('vegeta is not built: run bash tools/load/ensure-vegeta.sh');
  const target = JSON.stringify({
    method: options.method ?? 'GET',
    url: options.url,
    header: Object.fromEntries(Object.entries(options.headers ?? {}).map(([k, v]) => [k, [v]])),
    ...(options.body === undefined ? {} : { body: Buffer.from(options.body).toString('base64') }),
  });
  const attack = spawn(
    vegeta,
    [
      'attack',
      '-format=json',
      `-rate=${options.rate}/s`,
      `-duration=${options.durationMs}ms`,
      `-timeout=${options.timeoutMs ?? 30_000}ms`,
      '-max-workers=2000',
    ],
    { stdio: ['pipe', 'pipe', 'inherit'] },
  );
  const encode = spawn(vegeta, ['encode', '-to=json'], { stdio: ['pipe', 'pipe', 'inherit'] });
  attack.stdin.end(`${target}\n`);
  attack.stdout.pipe(encode.stdin);
  let seen = 0;
  const done = collect(encode, () => (seen += 1));
  return {
    done,
    get seen() {
      return seen;
    },
  };
}

interface VegetaResult {
  code: number;
  error: string;
  latency: number;
  timestamp: string;
}

async function collect(encode: ReturnType<typeof spawn>, onResult: () => void): Promise<LoadResult> {
  const byStatus: Record<string, number> = {};
  const errors: Record<string, number> = {};
  const failures: LoadResult['failures'] = [];
  const latencies: number[] = [];
  let first: number | undefined;
  for await (const line of createInterface({ input: encode.stdout as NodeJS.ReadableStream })) {
    if (line.trim() === '') continue;
    const result = JSON.parse(line) as VegetaResult;
    onResult();
    const at = Date.parse(result.timestamp);
    first ??= at;
    byStatus[result.code] = (byStatus[result.code] ?? 0) + 1;
    latencies.push(result.latency / 1e6);
    if (result.error) errors[result.error] = (errors[result.error] ?? 0) + 1;
    if (result.code < 200 || result.code > 299)
      failures.push({ atMs: at - first, status: result.code, error: result.error });
  }
  latencies.sort((a, b) => a - b);
  const quantile = (q: number) => latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))] ?? 0;
  return {
    total: latencies.length,
    byStatus,
    errors,
    failed: failures.length,
    failures,
    latencyMs: { p50: quantile(0.5), p99: quantile(0.99), max: latencies.at(-1) ?? 0 },
  };
}
