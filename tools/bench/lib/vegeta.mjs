// An open-loop run: vegeta sends at a fixed rate, on schedule whatever the responses, so a slow answer does not slow
// the load down (wrk's closed loop waits for it: coordinated omission). Results go to a file in vegeta's own binary
// format while it runs (cheap) and are decoded afterwards.
import { execFileSync, spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { join } from 'node:path';

const ROOT = join(import.meta.dirname, '..', '..', '..');

/** vegeta's path, built from the Go module proxy the first time (tools/load/ensure-vegeta.sh). */
export function ensureVegeta() {
  return execFileSync('bash', [join(ROOT, 'tools', 'load', 'ensure-vegeta.sh')], { encoding: 'utf8' }).trim();
}

/** How long vegeta waits for a request's answer, from when it was due: one it held for a free connection included. */
export const TIMEOUT_SECONDS = 10;

/**
 * @typedef {object} OpenLoopResult
 * @property {number} rate requests per second asked for
 * @property {number} total requests sent
 * @property {number} ok 2xx responses
 * @property {Record<string, number>} byStatus responses by status (`0`: none, a transport error)
 * @property {Record<string, number>} errors transport errors by message
 * @property {number} p50 ms
 * @property {number} p99 ms
 * @property {number} p999 ms
 * @property {number} p99Later ms, over the requests sent in the run's second half: what is left once a JIT has settled
 *   to the load's shape (its first seconds after a change of shape recompile what the last shape left)
 * @property {number} max ms
 * @property {number} seconds from the first request sent to the last answer
 */

/**
 * Sends GET `url` at `rate` per second for `seconds` over at most `connections` keep-alive connections and waits for
 * every answer; the results go to `out`. A request due while every connection waits for an answer waits for one
 * (its latency counts from when it was issued, on schedule), as it would in a server's queue: without the bound vegeta
 * opens a connection per such request, and a server slowed down by the load meets a storm of new connections.
 * @param {string} vegeta
 * @param {string} url
 * @param {{ rate: number, seconds: number, connections: number, out: string }} options
 * @returns {Promise<void>}
 */
export function attack(vegeta, url, { rate, seconds, connections, out }) {
  return new Promise((resolve, reject) => {
    const attack = spawn(
      vegeta,
      [
        'attack',
        `-rate=${Math.round(rate)}/s`,
        `-duration=${seconds}s`,
        `-timeout=${TIMEOUT_SECONDS}s`,
        '-max-body=0',
        `-max-connections=${connections}`,
        `-output=${out}`,
      ],
      { stdio: ['pipe', 'ignore', 'pipe'] },
    );
    let stderr = '';
    attack.stderr.on('data', (chunk) => (stderr = (stderr + chunk.toString()).slice(-2000)));
    attack.stdin.end(`GET ${url}\n`);
    attack.on('error', reject);
    attack.on('exit', (code) => (code === 0 ? resolve() : reject(new Error(`vegeta exited ${code}: ${stderr}`))));
  });
}

/**
 * What `attack` wrote to `file`: answers by status, latency percentiles.
 * @param {string} vegeta
 * @param {string} file
 * @param {number} rate
 * @returns {Promise<OpenLoopResult>}
 */
export async function summarise(vegeta, file, rate) {
  const encode = spawn(vegeta, ['encode', '-to=json', file], { stdio: ['ignore', 'pipe', 'inherit'] });
  /** @type {Record<string, number>} */
  const byStatus = {};
  /** @type {Record<string, number>} */
  const errors = {};
  /** @type {Array<[number, number]>} when each request was sent, its latency */
  const sent = [];
  let ok = 0;
  let first = Infinity;
  let lastSent = 0;
  let last = 0;
  for await (const line of createInterface({ input: encode.stdout })) {
    if (line.trim() === '') continue;
    const r = /** @type {{ code: number, error: string, latency: number, timestamp: string }} */ (JSON.parse(line));
    byStatus[r.code] = (byStatus[r.code] ?? 0) + 1;
    if (r.code >= 200 && r.code < 300) ok += 1;
    if (r.error) errors[r.error] = (errors[r.error] ?? 0) + 1;
    const at = Date.parse(r.timestamp);
    sent.push([at, r.latency / 1e6]);
    first = Math.min(first, at);
    lastSent = Math.max(lastSent, at);
    last = Math.max(last, at + r.latency / 1e6);
  }
  const latencies = sent.map(([, latency]) => latency).sort((a, b) => a - b);
  const later = sent
    .filter(([at]) => at >= (first + lastSent) / 2)
    .map(([, latency]) => latency)
    .sort((a, b) => a - b);
  /**
   * @param {number} q
   * @param {number[]} sorted
   */
  const quantile = (q, sorted = latencies) =>
    sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)] ?? NaN;
  return {
    rate,
    total: latencies.length,
    ok,
    byStatus,
    errors,
    p50: quantile(0.5),
    p99: quantile(0.99),
    p999: quantile(0.999),
    p99Later: quantile(0.99, later),
    max: latencies.at(-1) ?? NaN,
    seconds: (last - first) / 1000,
  };
}
