// One wrk run: the same load generator and settings for every configuration.
import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';

const APPS = join(import.meta.dirname, '..', 'apps');

/**
 * @typedef {object} WrkOptions
 * @property {number} connections
 * @property {number} seconds
 * @property {boolean} [pin] wrk on CPU 0 (`taskset`)
 * @property {string} [raw] a file for wrk's output
 */

/**
 * Runs `wrk -t1 -c<connections> -d<seconds>s --latency` against `url`, with a script that counts the requests it
 * sent. Resolves with req/s (all and 2xx), latency percentiles (ms), completed and sent requests, non-2xx responses
 * and socket errors.
 * @param {string} url
 * @param {WrkOptions} options
 * @returns {Promise<WrkResult>}
 */
export function wrk(url, { connections, seconds, pin = false, raw }) {
  const args = ['-t1', `-c${connections}`, `-d${seconds}s`, '--latency', '-s', join(APPS, 'count.lua'), url];
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
 * Loads a stack until its throughput stops rising, unrecorded: `first` seconds, then slices of `slice` seconds for as
 * long as a slice answers over `rise` more 2xx per second than the one before, `max` seconds at most. V8 optimises a
 * path once it has run hot for a while, and on two busy cores its compiler threads get little time: with tracing on,
 * our services ran their span code unoptimised for 10–15 s under load, so a fixed 3 s warm-up measured the warm-up
 * (docs/adr/0032-warm-up-until-steady.md). Resolves with the seconds it took.
 * @param {string} url
 * @param {{ connections: number, first?: number, slice?: number, max?: number, rise?: number }} options
 * @returns {Promise<number>}
 */
export async function warmUp(url, { connections, first = 3, slice = 2, max = 21, rise = 0.05 }) {
  let previous = (await wrk(url, { connections, seconds: first })).rps2xx;
  let seconds = first;
  while (seconds + slice <= max) {
    const next = (await wrk(url, { connections, seconds: slice })).rps2xx;
    seconds += slice;
    if (next <= previous * (1 + rise)) break;
    previous = next;
  }
  return seconds;
}

/**
 * @typedef {object} WrkResult
 * @property {number} rps every completed response
 * @property {number} rps2xx 2xx responses per second: what ratios compare
 * @property {number} p50 ms
 * @property {number} p99 ms
 * @property {number} p999 ms
 * @property {number} completed requests wrk counted as done
 * @property {number} runtime seconds wrk says it ran (its own clock, from start to its thread's stop)
 * @property {number} sent requests the count script saw go out
 * @property {number} non2xx
 * @property {string} socketErrors
 */

/**
 * @param {string} out wrk's output
 * @returns {WrkResult}
 */
export function parse(out) {
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
  /** @param {string} label */
  const counted = (label) => {
    const value = new RegExp(`^${label} (\\d+)$`, 'm').exec(out)?.[1];
    return value === undefined ? undefined : Number(value);
  };
  const rps = Number(/Requests\/sec:\s+([\d.]+)/.exec(out)?.[1] ?? NaN);
  const [, done = NaN, took = ''] = /(\d+) requests in (\S+),/.exec(out) ?? [];
  const completed = Number(done);
  const non2xx = Number(/Non-2xx or 3xx responses: (\d+)/.exec(out)?.[1] ?? 0);
  return {
    rps,
    rps2xx: completed > 0 ? (rps * (completed - non2xx)) / completed : 0,
    p50: percentile(50),
    p99: percentile(99),
    p999: (counted('P999') ?? NaN) / 1000,
    completed,
    runtime: took.endsWith('m') ? Number.parseFloat(took) * 60 : ms(took) / 1000,
    sent: counted('SENT') ?? NaN,
    non2xx,
    socketErrors: /Socket errors: (.*)/.exec(out)?.[1] ?? '',
  };
}
