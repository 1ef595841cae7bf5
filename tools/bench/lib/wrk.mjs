// One wrk run: the same load generator and settings for every configuration.
import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';

const COUNT_SCRIPT = join(import.meta.dirname, '..', 'apps', 'count.lua');

/**
 * Runs `wrk -t1 -c<connections> -d<seconds>s --latency` (pinned to CPU 0 with `pin`) against `url`, with a script
 * that counts the requests it sent. Resolves with req/s, latency percentiles (ms), completed and sent requests,
 * non-2xx responses and socket errors.
 * @param {string} url
 * @param {{ connections: number, seconds: number, pin?: boolean, raw?: string }} options `raw`: a file for wrk's output
 * @returns {Promise<WrkResult>}
 */
export function wrk(url, { connections, seconds, pin = false, raw }) {
  const args = ['-t1', `-c${connections}`, `-d${seconds}s`, '--latency', '-s', COUNT_SCRIPT, url];
  const [command, argv] = pin ? ['taskset', ['-c', '0', 'wrk', ...args]] : ['wrk', args];
  return new Promise((resolve, reject) => {
    const child = spawn(command, argv, { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (chunk) => (out += chunk.toString()));
    child.stderr.on('data', (chunk) => (out += chunk.toString()));
    child.on('exit', (code) => {
      if (raw) writeFileSync(raw, out);
      if (code !== 0) return reject(new Error(`wrk exited ${code}: ${out}`));
      resolve(parse(out));
    });
  });
}

/**
 * @typedef {object} WrkResult
 * @property {number} rps
 * @property {number} p50 ms
 * @property {number} p99 ms
 * @property {number} completed requests wrk counted as done
 * @property {number} sent requests the count script saw go out
 * @property {number} non2xx
 * @property {string} socketErrors
 */

/**
 * @param {string} out wrk's output
 * @returns {WrkResult}
 */
function parse(out) {
  /** @param {string} value */
  const ms = (value) => {
    const n = Number.parseFloat(value);
    if (value.endsWith('us')) return n / 1000;
    if (value.endsWith('ms')) return n;
    if (value.endsWith('s')) return n * 1000;
    return n;
  };
  /** @param {number} p */
  const percentile = (p) => {
    const value = new RegExp(`^\\s+${p}%\\s+(\\S+)`, 'm').exec(out)?.[1];
    return value === undefined ? NaN : ms(value);
  };
  return {
    rps: Number(/Requests\/sec:\s+([\d.]+)/.exec(out)?.[1] ?? NaN),
    p50: percentile(50),
    p99: percentile(99),
    completed: Number(/(\d+) requests in/.exec(out)?.[1] ?? NaN),
    sent: Number(/SENT (\d+)/.exec(out)?.[1] ?? NaN),
    non2xx: Number(/Non-2xx or 3xx responses: (\d+)/.exec(out)?.[1] ?? 0),
    socketErrors: /Socket errors: (.*)/.exec(out)?.[1] ?? '',
  };
}
