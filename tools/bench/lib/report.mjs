// The bench's report: tables of one run's results (medians over its rounds), the honesty checks, the targets, and the
// history of full runs (tools/bench/history.json) that the README's tables are written from.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { TIMEOUT_SECONDS } from './vegeta.mjs';

const BENCH = join(import.meta.dirname, '..');
export const HISTORY = join(BENCH, 'history.json');
const README = join(BENCH, 'README.md');
const MiB = 1024 * 1024;

/** @typedef {import('./processes.mjs').Memory} Memory */
/**
 * What bench.mjs hands over (results.json).
 * @typedef {object} Raw
 * @property {string} stamp
 * @property {string} commit
 * @property {boolean} dirty
 * @property {{ model: string, cpus: number }} cpu
 * @property {string[]} versions
 * @property {{ reps: number, duration: number, loads: number[], openSeconds: number, idleConnections: number }} method
 * @property {Record<string, RawConfig>} configs
 * @property {{ seedRps: number, shares: number[], runs: Record<string, RawOpen[]> }} [open]
 * @property {Record<string, RawIdle>} [idle]
 * @property {RawEcho} [echo]
 */
/**
 * @typedef {object} RawRun
 * @property {number} rps2xx
 * @property {number} p50
 * @property {number} p99
 * @property {number} p999
 * @property {number} non2xx
 * @property {string} socketErrors
 * @property {number} serverUs
 * @property {Record<string, number>} cpuBy
 * @property {number} jaegerUs
 * @property {number} clientUs
 */
/**
 * @typedef {object} RawConfig
 * @property {string} label
 * @property {Record<string, RawRun[]>} loads
 * @property {string[]} checks
 * @property {{ total: Memory, services: Record<string, Memory> }} [memIdle]
 * @property {{ total: Memory, services: Record<string, Memory> }} [memAfter]
 * @property {Record<string, { total: Memory, services: Record<string, Memory> }>} [memAfterBy]
 * @property {RawRun} [lone]
 * @property {RawRun[]} [lones]
 */
/**
 * @typedef {{ share: number, rate: number, scheduled: number, total: number, ok: number, p50: number, p99: number, p999: number,
 *   p99Later?: number, serverUs: number, cpuBy: Record<string, number>, clientUs: number, closedBefore?: number }} RawOpen
 */
/** @typedef {{ front: string, connections: number, before: Memory, after: Memory, totalBefore: Memory, totalAfter: Memory }} RawIdle */
/**
 * @typedef {{ mbPerSecond: number, seconds: number, intact: boolean, status: number | undefined, bytesSent: number,
 *   peaks: Record<string, Memory>, helloP99Alone: number, helloP99During: number, helloRpsAlone?: number,
 *   helloRpsDuring?: number, mbPerSecondAlone?: number, cpuSecondsAlone?: Record<string, number>, floors?: Record<string, RawEchoFloor> }} RawEcho
 */
/**
 * The same body through three bare Node processes with one transport (tools/bench/apps/echo-chain.cjs).
 * @typedef {{ mbPerSecond: number, intact: boolean, cpuSeconds: Record<string, number> }} RawEchoFloor
 */

/** @param {number[]} values */
const median = (values) => {
  const sorted = values.filter(Number.isFinite).sort((a, b) => a - b);
  return sorted[Math.floor((sorted.length - 1) / 2)] ?? NaN;
};
/**
 * @param {number | undefined} n
 * @param {number} [d] decimals
 */
const f = (n, d = 0) => (n !== undefined && Number.isFinite(n) ? n.toFixed(d) : '–');
/**
 * @param {number | undefined} a
 * @param {number | undefined} b
 * @param {number} [d]
 */
const ratio = (a, b, d = 2) =>
  a !== undefined && b !== undefined && Number.isFinite(a) && Number.isFinite(b) && b !== 0 ? (a / b).toFixed(d) : '–';
/** @param {number | undefined} bytes */
const mib = (bytes) => f(bytes === undefined ? undefined : bytes / MiB);

/**
 * @typedef {object} Row
 * @property {string} name
 * @property {number} runs
 * @property {boolean} errors some run had a non-2xx answer or a socket error: reported, not compared
 * @property {number} rps 2xx per second
 * @property {number} p50
 * @property {number} p99
 * @property {number} p999
 * @property {number} cpu server CPU µs per request
 * @property {Record<string, number>} cpuBy per service
 * @property {number} jaeger
 * @property {number} client wrk's CPU µs per request
 */

/**
 * Medians of one configuration's runs at one load.
 * @param {Raw} raw
 * @param {string} name
 * @param {number} load
 * @returns {Row | undefined}
 */
export function rowOf(raw, name, load) {
  const runs = raw.configs[name]?.loads[String(load)] ?? [];
  if (runs.length === 0) return undefined;
  const services = Object.keys(runs[0]?.cpuBy ?? {});
  return {
    name,
    runs: runs.length,
    errors: runs.some((r) => r.non2xx > 0 || r.socketErrors !== ''),
    rps: median(runs.map((r) => r.rps2xx)),
    p50: median(runs.map((r) => r.p50)),
    p99: median(runs.map((r) => r.p99)),
    p999: median(runs.map((r) => r.p999)),
    cpu: median(runs.map((r) => r.serverUs)),
    cpuBy: Object.fromEntries(services.map((svc) => [svc, median(runs.map((r) => r.cpuBy[svc] ?? NaN))])),
    jaeger: median(runs.map((r) => r.jaegerUs)),
    client: median(runs.map((r) => r.clientUs)),
  };
}

/**
 * A configuration's rounds against another's of the same number, which ran in the same pass over the configurations,
 * minutes apart rather than a whole run: `figure` of each pair, joined. The medians' ratio is the target's figure;
 * these show how far the host moved it (the tracing costs' targets lie within what a round moves).
 * @param {Raw} raw
 * @param {string} name
 * @param {string} base
 * @param {number} load
 * @param {(run: RawRun, baseRun: RawRun) => string} figure
 */
function byRound(raw, name, base, load, figure) {
  const runs = raw.configs[name]?.loads[String(load)] ?? [];
  const baseRuns = raw.configs[base]?.loads[String(load)] ?? [];
  return runs
    .flatMap((run, i) => {
      const baseRun = baseRuns[i];
      return baseRun === undefined ? [] : [figure(run, baseRun)];
    })
    .join(', ');
}

/**
 * a / b when neither row has errors (a configuration with errors is reported, not compared).
 * @param {Row | undefined} a
 * @param {Row | undefined} b
 * @param {(r: Row) => number} pick
 */
function compare(a, b, pick) {
  if (!a || !b) return '–';
  if (a.errors || b.errors) return 'errors';
  return ratio(pick(a), pick(b));
}

const ORDER = ['edge', 'gateway', 'framework', 'nginx', 'uwsgi'];
/**
 * Entries in the order a request crosses the services.
 * @template T
 * @param {Record<string, T>} by
 */
export const ordered = (by) =>
  Object.entries(by).sort(([a], [b]) => (ORDER.indexOf(a) + 1 || 99) - (ORDER.indexOf(b) + 1 || 99));
/**
 * @param {Record<string, number>} by
 * @param {number} [jaeger]
 */
const perService = (by, jaeger) =>
  `${ordered(by)
    .map(([svc, us]) => `${svc} ${f(us, 1)}`)
    .join(' · ')}${jaeger !== undefined && Number.isFinite(jaeger) && jaeger > 0 ? ` (+ Jaeger ${f(jaeger, 1)})` : ''}`;

/**
 * The run as Markdown: tables, honesty checks, targets.
 * @param {Raw} raw
 */
export function renderReport(raw) {
  const names = Object.keys(raw.configs);
  const { reps, duration, loads } = raw.method;
  const lines = [
    `Run ${raw.stamp.slice(0, 16).replace('T', ' ')} UTC at ${raw.commit}${raw.dirty ? ' (with uncommitted changes)' : ''}; CPU: ${raw.cpu.model} × ${raw.cpu.cpus}; ${raw.versions.filter((v) => !v.endsWith('cpus')).join(', ')}.`,
    '',
  ];
  for (const load of loads) {
    const seed = rowOf(raw, 'seed', load);
    lines.push(
      `#### GET /hello, \`wrk -t1 -c${load} -d${duration}s\`, median of ${reps} rounds`,
      '',
      '| config | 2xx req/s | ×seed | p50 ms | p99 ms | p99.9 ms | server CPU µs/req | ×seed | per service µs/req |',
      '|---|---:|---:|---:|---:|---:|---:|---:|---|',
    );
    for (const name of names) {
      const r = rowOf(raw, name, load);
      if (!r) continue;
      lines.push(
        `| ${name}${r.errors ? ' (errors)' : ''} | ${f(r.rps)} | ${compare(r, seed, (x) => x.rps)} | ${f(r.p50, 2)} | ${f(r.p99, 2)} | ${f(r.p999, 2)} | ${f(r.cpu, 1)} | ${compare(r, seed, (x) => x.cpu)} | ${perService(r.cpuBy, r.jaeger)} |`,
      );
    }
    lines.push('');
  }
  lines.push(...memoryTable(raw), '', ...floorLines(raw), ...tracingTable(raw), '');
  if (raw.open) lines.push(...openTable(raw), '');
  if (raw.idle) lines.push(...idleTable(raw), '');
  if (raw.echo) lines.push(...echoLines(raw.echo), '');
  lines.push(
    '#### Configurations',
    ...names.map((name) => `- ${name}: ${raw.configs[name]?.label}`),
    '',
    '#### Honesty checks',
    ...honesty(raw),
    '',
    '#### Targets',
    ...targets(raw),
  );
  return lines.join('\n');
}

/** @param {Raw} raw */
function memoryTable(raw) {
  const seed = raw.configs['seed'];
  const loads = raw.method.loads;
  const lines = [
    '#### A lone client, and memory',
    '',
    `Lone client: \`wrk -c1 -d${raw.method.duration}s\`, wrk and every server process pinned to CPU 0, in every round (each a fresh start), the median round's figures and the rounds' range of p50. Memory (MiB): every process of the configuration, idle (3 s after it started, before any load) and 3 s after each load of its last round ended. PSS (proportional set size) counts a page shared by n processes 1/n in each; RSS counts it in full in each.`,
    '',
    `| config | lone p50 ms | ×seed | lone CPU µs/req | RSS idle | PSS idle | ${loads.map((c) => `RSS after -c${c} | PSS after -c${c}`).join(' | ')} | PSS after ×seed | PSS after -c${loads.at(-1)} per service |`,
    `|---|---:|---:|---:|---:|---:|${loads.map(() => '---:|---:|').join('')}---:|---|`,
  ];
  for (const [name, c] of Object.entries(raw.configs)) {
    const after = c.memAfter?.services ?? {};
    const by = loads.map((l) => {
      const m = c.memAfterBy?.[String(l)]?.total;
      return `${mib(m?.rss)} | ${mib(m?.pss)}`;
    });
    lines.push(
      `| ${name} | ${f(c.lone?.p50, 3)}${loneRange(c.lones)} | ${ratio(c.lone?.p50, seed?.lone?.p50)} | ${f(c.lone?.serverUs, 1)} | ${mib(c.memIdle?.total.rss)} | ${mib(c.memIdle?.total.pss)} | ${by.join(' | ')} | ${ratio(c.memAfter?.total.pss, seed?.memAfter?.total.pss)} | ${ordered(
        after,
      )
        .map(([svc, m]) => `${svc} ${mib(m.pss)}`)
        .join(' · ')} |`,
    );
  }
  return lines;
}

/** @param {Raw} raw */
function tracingTable(raw) {
  const traced = Object.keys(raw.configs).filter((name) => /-traced/.test(name));
  if (traced.length === 0) return [];
  const lines = [
    '#### Tracing',
    '',
    "Cost: the share of the untraced configuration's 2xx req/s lost; CPU: our three services' µs per request against the untraced configuration's; Jaeger's apart. wrk's own CPU per request is shown beside the untraced run's: until 2026-12-05 it read every answer's X-Trace-Id at a ratio to count the sampled requests (3–7 µs a request more, taken from the services on two cores); the edge counts them now (its /stats `sampled`).",
    '',
    '| config | load | 2xx req/s | cost | our CPU µs/req | ×untraced | Jaeger µs/req | wrk µs/req (untraced) |',
    '|---|---:|---:|---:|---:|---:|---:|---|',
  ];
  for (const name of traced) {
    const plain = name.replace(/-traced\d*$/, '');
    for (const load of raw.method.loads) {
      const t = rowOf(raw, name, load);
      const u = rowOf(raw, plain, load);
      if (!t) continue;
      const cost =
        t && u && !t.errors && !u.errors ? `${f((1 - t.rps / u.rps) * 100, 1)} %` : t.errors ? 'errors' : '–';
      lines.push(
        `| ${name} | -c${load} | ${f(t.rps)} | ${cost} | ${f(t.cpu, 1)} | ${u ? ratio(t.cpu, u.cpu) : '–'} | ${f(t.jaeger, 1)} | ${f(t.client, 1)} (${f(u?.client, 1)}) |`,
      );
    }
  }
  return lines;
}

/** @param {Raw} raw */
function openTable(raw) {
  const open = /** @type {NonNullable<Raw['open']>} */ (raw.open);
  const lines = [
    `#### Open loop: vegeta at a fixed rate, ${raw.method.openSeconds} s each`,
    '',
    `Rates: ${open.shares.map((s) => `${s * 100} %`).join(' and ')} of the seed's ${f(open.seedRps)} 2xx req/s at -c${raw.method.loads[0]} in this run. vegeta sends each request when it is due over at most ${raw.method.loads[0]} keep-alive connections: one due while all of them wait for answers waits for one, its latency counted from when it was due, and counts as unanswered at vegeta's ${TIMEOUT_SECONDS} s timeout (no service saw it); "sent" below "due" means vegeta itself fell behind (it got too little CPU). Latency from when each request was sent; "p99 later" over the requests sent in the run's second half. "Closed loop before": the configuration's own 2xx req/s at -c${raw.method.loads[0]} in 3 s after its warm-up, just before its open loop, and the rate as a share of it: a host that slowed since the seed was measured makes the same rate a larger share of what the machine has left.`,
    '',
    '| config | rate req/s | p50 ms | p99 ms | p99.9 ms | p99 ×seed | p99 later ms | ×seed | 2xx / sent / due | server CPU µs/req | per service µs/req | vegeta µs/req | closed loop before req/s (rate ÷) |',
    '|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|---:|---:|',
  ];
  for (const [name, runs] of Object.entries(open.runs)) {
    for (const r of runs) {
      const seed = open.runs['seed']?.find((s) => s.share === r.share);
      lines.push(
        `| ${name} | ${f(r.rate)} (${r.share * 100} %) | ${f(r.p50, 2)} | ${f(r.p99, 2)} | ${f(r.p999, 2)} | ${ratio(r.p99, seed?.p99)} | ${f(r.p99Later, 2)} | ${ratio(r.p99Later, seed?.p99Later)} | ${r.ok} / ${r.total} / ${r.scheduled} | ${f(r.serverUs, 1)} | ${perService(r.cpuBy)} | ${f(r.clientUs, 1)} | ${r.closedBefore === undefined ? '–' : `${f(r.closedBefore)} (${Math.round((100 * r.rate) / r.closedBefore)} %)`} |`,
      );
    }
  }
  return lines;
}

/** @param {Raw} raw */
function idleTable(raw) {
  const idle = /** @type {NonNullable<Raw['idle']>} */ (raw.idle);
  const lines = [
    `#### Idle keep-alive connections`,
    '',
    `${raw.method.idleConnections} connections to the front, each after one request answered, measured 1 s after the last opened; what the front's processes grew by, per connection.`,
    '',
    '| config | front | connections | RSS KiB/conn | PSS KiB/conn | front PSS MiB before → after |',
    '|---|---|---:|---:|---:|---|',
  ];
  for (const [name, r] of Object.entries(idle)) {
    lines.push(
      `| ${name} | ${r.front} | ${r.connections} | ${f((r.after.rss - r.before.rss) / r.connections / 1024, 1)} | ${f((r.after.pss - r.before.pss) / r.connections / 1024, 1)} | ${mib(r.before.pss)} → ${mib(r.after.pss)} |`,
    );
  }
  return lines;
}

/**
 * The bare chain (apps/mux-chain.cjs): the stack's shape carrying requests as our transport does, with nothing else;
 * what the design allows on this host, and ours as a share of it.
 * @param {Raw} raw
 */
function floorLines(raw) {
  const bare = raw.configs['bare-chain'];
  if (!bare) return [];
  const { loads } = raw.method;
  /**
   * @param {string} a
   * @param {string} b
   * @param {(r: Row) => number | undefined} pick
   */
  const perLoad = (a, b, pick) =>
    loads
      .map((load) => {
        const x = rowOf(raw, a, load);
        const y = rowOf(raw, b, load);
        return x && y && !x.errors && !y.errors ? ratio(pick(x), pick(y)) : '–';
      })
      .join(' / ');
  const lone = (/** @type {string} */ a, /** @type {string} */ b) =>
    ratio(raw.configs[a]?.lone?.p50, raw.configs[b]?.lone?.p50);
  const pair = `-c${loads.join(' / -c')}`;
  /** The open loop at half the seed's capacity: the run's p99 and its second half's, a's over b's. */
  const openLoop = (/** @type {string} */ a, /** @type {string} */ b) => {
    const x = raw.open?.runs[a]?.find((r) => r.share === 0.5);
    const y = raw.open?.runs[b]?.find((r) => r.share === 0.5);
    return x && y && x.ok === x.total && y.ok === y.total
      ? `, open loop at 50 % p99 ${ratio(x.p99, y.p99)}× (second half ${ratio(x.p99Later, y.p99Later)}×)`
      : '';
  };
  const paragraphs = [
    `bare-chain, the stack's shape with nothing else (three bare Node processes, a long-lived grpc-js stream per hop, a turn's requests in one message), against the seed (${pair}): req/s ${perLoad('bare-chain', 'seed', (r) => r.rps)}×, server CPU per request ${perLoad('bare-chain', 'seed', (r) => r.cpu)}×, lone p50 ${lone('bare-chain', 'seed')}×${openLoop('bare-chain', 'seed')}.`,
    ...['ours-native', 'ours-express']
      .filter((name) => raw.configs[name])
      .map(
        (name) =>
          `${name} against it: req/s ${perLoad(name, 'bare-chain', (r) => r.rps)}×, server CPU per request ${perLoad(name, 'bare-chain', (r) => r.cpu)}×, lone p50 ${lone(name, 'bare-chain')}×${openLoop(name, 'bare-chain')}.`,
      ),
  ];
  return ["#### The shape's floor", '', ...paragraphs.flatMap((p) => [p, ''])];
}

/** @param {RawEcho} e */
function echoLines(e) {
  return [
    `#### ${e.bytesSent / 1e9} GB through POST /echo (ours-express)`,
    `- ${f(e.mbPerSecond)} MB/s end to end (${f(e.seconds, 1)} s), body ${e.intact ? 'intact (SHA-256 equal)' : 'CORRUPTED'}, status ${e.status}`,
    `- peak MiB per service, PSS (RSS): ${ordered(e.peaks)
      .map(([svc, m]) => `${svc} ${mib(m.pss)} (${mib(m.rss)})`)
      .join(', ')}`,
    `- /hello p99 (wrk -c10, 5 s): alone ${f(e.helloP99Alone, 2)} ms, while the body streams ${f(e.helloP99During, 2)} ms (×${ratio(e.helloP99During, e.helloP99Alone)})`,
    // The body shares the CPU with these clients for the first 5 s: what they got is part of its MB/s.
    ...(e.helloRpsDuring === undefined || e.helloRpsAlone === undefined
      ? []
      : [
          `- /hello 2xx req/s in those 5 s: alone ${f(e.helloRpsAlone)}, while the body streams ${f(e.helloRpsDuring)}`,
        ]),
    ...(e.floors ? echoFloorLines(e, e.floors) : []),
  ];
}

/** @param {Record<string, number>} seconds CPU seconds by process or service */
function cpuList(seconds) {
  return Object.entries(seconds)
    .map(([name, sec]) => `${name} ${f(sec, 1)}`)
    .join(' · ');
}

/**
 * @param {RawEcho} e
 * @param {Record<string, RawEchoFloor>} floors
 */
function echoFloorLines(e, floors) {
  /** @type {Record<string, string>} */
  const names = { grpc: 'grpc-js', http2: "Node's http2", socket: 'plain Unix sockets' };
  return [
    `- alone (nothing beside it, as the floors): ${f(e.mbPerSecondAlone)} MB/s${e.cpuSecondsAlone ? ` (CPU s ${cpuList(e.cpuSecondsAlone)})` : ''}`,
    `- the shape's floor on this host, the same body alone through three bare Node processes (front → middle → back, tools/bench/apps/echo-chain.cjs) with nothing but the transport between them: ${Object.entries(
      floors,
    )
      .map(
        ([mode, fl]) =>
          `${names[mode] ?? mode} ${f(fl.mbPerSecond)} MB/s${fl.intact ? '' : ' (CORRUPTED)'} (CPU s ${cpuList(fl.cpuSeconds)})`,
      )
      .join(', ')}; ours alone ${ratio(e.mbPerSecondAlone, floors['grpc']?.mbPerSecond)}× the grpc-js chain's`,
  ];
}

/** @param {Raw} raw */
function honesty(raw) {
  return Object.entries(raw.configs).flatMap(([name, c]) => [
    `- ${name}: ${c.checks.length === 0 ? 'ok' : 'FAILED'}; checked: ${honestyDetail(raw, name)}`,
    ...c.checks.map((check) => `  - ${check}`),
  ]);
}

/**
 * @param {Raw} raw
 * @param {string} name
 */
function honestyDetail(raw, name) {
  const c =
    /** @type {RawConfig & { loads: Record<string, Array<RawRun & { sent: number, counters?: object }>>, spanCounts?: Array<{ spans: number, sampled?: number, requests?: number }> }} */ (
      raw.configs[name]
    );
  const parts = ['every answer 2xx, no socket errors'];
  const runs = Object.values(c.loads).flat();
  if (runs.some((r) => r.counters))
    parts.push(`wrk sent = each service's request count in every run (${runs.map((r) => r.sent).join(', ')})`);
  if (c.spanCounts?.length)
    parts.push(
      `Jaeger's spans = requests the edge sampled × spans per request, over each start from its readiness (${c.spanCounts.map((n) => `${n.spans} for ${n.sampled ?? 'unknown'} of ${n.requests ?? 'unknown'}`).join(', ')})`,
    );
  if (raw.open?.runs[name]) parts.push('open loop: every request answered 2xx and counted by each service');
  if (raw.idle?.[name]) parts.push('idle connections all open when measured');
  return parts.join('; ');
}

/**
 * The targets of the work on request cost, each MET, MISSED, or not compared (a configuration with errors).
 * @param {Raw} raw
 */
export function targets(raw) {
  const [low = 50, high = 1000] = raw.method.loads;
  /** @type {string[]} */
  const lines = [];
  /**
   * @param {boolean | undefined} ok undefined: not measured or not comparable
   * @param {string} text
   */
  const target = (ok, text) => lines.push(`- ${ok === undefined ? 'NOT COMPARED' : ok ? 'MET' : 'MISSED'}: ${text}`);
  /**
   * @param {string} name
   * @param {number} load
   * @param {number} times
   * @param {string} what
   */
  const throughput = (name, load, times, what) => {
    const r = rowOf(raw, name, load);
    const s = rowOf(raw, 'seed', load);
    if (!r || !s) return;
    const usable = !r.errors && !s.errors;
    target(
      usable ? r.rps >= times * s.rps : undefined,
      `${what} ≥ ${times.toFixed(1)}× the seed's req/s at -c${load}: ${usable ? `${ratio(r.rps, s.rps)}×` : 'errors'}`,
    );
  };
  for (const load of [low, high]) {
    throughput('ours-native', load, load === low ? 1.5 : 1.0, 'interface-native hello');
    const r = rowOf(raw, 'ours-native', load);
    const s = rowOf(raw, 'seed', load);
    if (r && s) {
      const usable = !r.errors && !s.errors;
      target(
        usable ? r.p99 <= s.p99 : undefined,
        `interface-native p99 ≤ the seed's at -c${load}: ${f(r.p99, 2)} vs ${f(s.p99, 2)} ms`,
      );
    }
  }
  throughput('ours-express', low, 1.0, 'Express /hello');
  throughput('ours-express', high, 0.8, 'Express /hello');
  for (const load of [low, high]) {
    const r = rowOf(raw, 'ours-native', load);
    const s = rowOf(raw, 'seed', load);
    if (r && s)
      target(
        !r.errors && !s.errors ? r.cpu <= 0.6 * s.cpu : undefined,
        `native server CPU per request ≤ 0.6× the seed's at -c${load}: ${ratio(r.cpu, s.cpu)}× (${f(r.cpu, 1)} vs ${f(s.cpu, 1)} µs)`,
      );
  }
  const half = raw.open?.shares.indexOf(0.5) ?? -1;
  if (raw.open && half !== -1) {
    const seed = raw.open.runs['seed']?.[half];
    for (const name of ['ours-native', 'ours-express']) {
      const r = raw.open.runs[name]?.[half];
      if (!r || !seed) continue;
      const usable = r.ok === r.total && seed.ok === seed.total;
      target(
        usable ? r.p99 <= seed.p99 : undefined,
        `${name} open loop at 50 % of the seed's capacity: p99 ≤ the seed's: ${f(r.p99, 2)} vs ${f(seed.p99, 2)} ms`,
      );
    }
  }
  const seedLone = raw.configs['seed']?.lone?.p50;
  for (const name of ['ours-native', 'ours-express']) {
    const lone = raw.configs[name]?.lone?.p50;
    if (lone !== undefined && seedLone !== undefined)
      target(lone <= 1.5 * seedLone, `${name} lone client p50 ≤ 1.5× the seed's: ${ratio(lone, seedLone)}×`);
  }
  for (const app of ['native', 'express']) {
    const plain = rowOf(raw, `ours-${app}`, low);
    const ten = rowOf(raw, `ours-${app}-traced10`, low);
    const all = rowOf(raw, `ours-${app}-traced`, low);
    if (plain && ten) {
      const ok =
        !plain.errors && !ten.errors
          ? ten.rps >= 0.9 * plain.rps && (raw.configs[`ours-${app}-traced10`]?.checks.length ?? 1) === 0
          : undefined;
      target(
        ok,
        `ours-${app} traced at a 10 % ratio costs ≤ 10 % of throughput, no span dropped: ${f((1 - ten.rps / plain.rps) * 100, 1)} % (round by round ${byRound(raw, `ours-${app}-traced10`, `ours-${app}`, low, (t, u) => `${f((1 - t.rps2xx / u.rps2xx) * 100)} %`)})`,
      );
    }
    if (plain && all) {
      const ok =
        !plain.errors && !all.errors
          ? all.cpu <= 1.5 * plain.cpu && (raw.configs[`ours-${app}-traced`]?.checks.length ?? 1) === 0
          : undefined;
      target(
        ok,
        `ours-${app} traced at 100 %: our CPU per request ≤ 1.5× untraced, no span dropped: ${ratio(all.cpu, plain.cpu)}× (Jaeger ${f(all.jaeger, 1)} µs apart; round by round ${byRound(raw, `ours-${app}-traced`, `ours-${app}`, low, (t, u) => `${ratio(t.serverUs, u.serverUs)}×`)})`,
      );
    }
  }
  const e = raw.echo;
  if (e) {
    const floors = Object.entries(e.floors ?? {})
      .map(([mode, fl]) => `${mode} ${f(fl.mbPerSecond)}`)
      .join(', ');
    target(
      e.mbPerSecond >= 200 && e.intact,
      `/echo ≥ 200 MB/s: ${f(e.mbPerSecond)} MB/s${floors ? ` (alone ${f(e.mbPerSecondAlone)}; the shape's bare chains ${floors} MB/s)` : ''}`,
    );
    target(
      Object.values(e.peaks).every((m) => m.pss < 150 * MiB),
      `every service < 150 MiB (PSS) during /echo: ${ordered(e.peaks)
        .map(([svc, m]) => `${svc} ${mib(m.pss)}`)
        .join(', ')} MiB`,
    );
    target(
      e.helloP99During <= 2 * e.helloP99Alone,
      `/hello p99 during /echo ≤ 2× without: ${ratio(e.helloP99During, e.helloP99Alone)}×`,
    );
  }
  const ours = raw.configs['ours-express']?.memIdle ? 'ours-express' : 'ours-native';
  const mem = raw.configs[ours];
  if (mem?.memIdle && mem.memAfter) {
    const idle = mem.memIdle.total.pss;
    const after = mem.memAfter.total.pss;
    const seed = raw.configs['seed']?.memAfter?.total.pss;
    target(
      idle <= 200 * MiB,
      `${ours}: the three services idle ≤ 200 MiB (PSS): ${mib(idle)} MiB (RSS ${mib(mem.memIdle.total.rss)})`,
    );
    target(
      after <= 1.3 * idle,
      `${ours}: after load ≤ idle + 30 % (PSS): +${f((after / idle - 1) * 100)} % (${mib(after)} MiB; ×${ratio(after, seed)} the seed's ${mib(seed)})`,
    );
  }
  return lines;
}

/**
 * A run in a few ratios, for the history.
 * @param {Raw} raw
 */
export function historyEntry(raw) {
  const [low = 50, high = 1000] = raw.method.loads;
  /**
   * @param {string} name
   * @param {number} load
   * @param {(r: Row) => number} pick
   */
  const vsSeed = (name, load, pick) => {
    const r = rowOf(raw, name, load);
    const s = rowOf(raw, 'seed', load);
    return r && s && !r.errors && !s.errors ? round(pick(r) / pick(s)) : null;
  };
  /**
   * @param {string} traced
   * @param {number} load
   * @param {(t: Row, u: Row) => number} pick
   */
  const vsPlain = (traced, load, pick) => {
    const t = rowOf(raw, traced, load);
    const u = rowOf(raw, traced.replace(/-traced\d*$/, ''), load);
    return t && u && !t.errors && !u.errors ? round(pick(t, u)) : null;
  };
  const half = raw.open?.shares.indexOf(0.5) ?? -1;
  const mem = raw.configs['ours-express'] ?? raw.configs['ours-native'];
  const seedLone = raw.configs['seed']?.lone?.p50;
  /** @param {string} name the configuration's open-loop p99 at half the seed's capacity over the seed's */
  const openX = (name) =>
    half === -1
      ? null
      : round((raw.open?.runs[name]?.[half]?.p99 ?? NaN) / (raw.open?.runs['seed']?.[half]?.p99 ?? NaN));
  /** @param {string} name the configuration's lone p50 over the seed's */
  const loneX = (name) => (seedLone ? round((raw.configs[name]?.lone?.p50 ?? NaN) / seedLone) : null);
  return {
    stamp: raw.stamp,
    commit: raw.commit,
    cpu: raw.cpu.model,
    seedRps: { [low]: round(rowOf(raw, 'seed', low)?.rps, 0), [high]: round(rowOf(raw, 'seed', high)?.rps, 0) },
    nativeX: { [low]: vsSeed('ours-native', low, (r) => r.rps), [high]: vsSeed('ours-native', high, (r) => r.rps) },
    expressX: { [low]: vsSeed('ours-express', low, (r) => r.rps), [high]: vsSeed('ours-express', high, (r) => r.rps) },
    nativeCpuX: { [low]: vsSeed('ours-native', low, (r) => r.cpu), [high]: vsSeed('ours-native', high, (r) => r.cpu) },
    nativeP99X: { [low]: vsSeed('ours-native', low, (r) => r.p99), [high]: vsSeed('ours-native', high, (r) => r.p99) },
    openP99X: openX('ours-native'),
    loneX: loneX('ours-native'),
    bareX: { [low]: vsSeed('bare-chain', low, (r) => r.rps), [high]: vsSeed('bare-chain', high, (r) => r.rps) },
    bareLoneX: loneX('bare-chain'),
    bareOpenP99X: openX('bare-chain'),
    tracing10Cost: {
      native: vsPlain('ours-native-traced10', low, (t, u) => 1 - t.rps / u.rps),
      express: vsPlain('ours-express-traced10', low, (t, u) => 1 - t.rps / u.rps),
    },
    traced100CpuX: {
      native: vsPlain('ours-native-traced', low, (t, u) => t.cpu / u.cpu),
      express: vsPlain('ours-express-traced', low, (t, u) => t.cpu / u.cpu),
    },
    echoMBs: round(raw.echo?.mbPerSecond, 0),
    echoAloneMBs: round(raw.echo?.mbPerSecondAlone, 0),
    echoFloorMBs: raw.echo?.floors
      ? Object.fromEntries(Object.entries(raw.echo.floors).map(([mode, fl]) => [mode, round(fl.mbPerSecond, 0)]))
      : undefined,
    idlePssMiB: round((mem?.memIdle?.total.pss ?? NaN) / MiB, 0),
    afterOverIdle: round((mem?.memAfter?.total.pss ?? NaN) / (mem?.memIdle?.total.pss ?? NaN)),
    pssAfterX: round((mem?.memAfter?.total.pss ?? NaN) / (raw.configs['seed']?.memAfter?.total.pss ?? NaN)),
    checks: failedChecks(raw),
  };
}

/**
 * `ok`, or `failed:` and the configurations whose honesty checks failed, so that the runs' table says whose they
 * were (a single-process reference of plain Node fails now and then at -c1000: README.md, honesty checks).
 * @param {Raw} raw
 */
function failedChecks(raw) {
  const failed = Object.entries(raw.configs)
    .filter(([, c]) => c.checks.length > 0)
    .map(([name]) => name);
  return failed.length === 0 ? 'ok' : `failed: ${failed.join(', ')}`;
}

/**
 * @param {number | undefined} n
 * @param {number} [d]
 */
function round(n, d = 2) {
  return n !== undefined && Number.isFinite(n) ? Number(n.toFixed(d)) : null;
}

/** @typedef {ReturnType<typeof historyEntry>} HistoryEntry */

/**
 * The last runs of the history as a table of ratios.
 * @param {HistoryEntry[]} entries
 */
export function renderHistory(entries) {
  /** @param {number | null | undefined} n */
  const x = (n) => (n === null || n === undefined ? '–' : n.toFixed(2));
  /** @param {number | null | undefined} n */
  const pct = (n) => (n === null || n === undefined ? '–' : `${(n * 100).toFixed(0)} %`);
  /** @param {Record<string, number | null>} pair */
  const both = (pair) => Object.values(pair).map(x).join(' / ');
  return [
    '| run | CPU | seed 2xx/s -c50 / -c1000 | native ×seed | Express ×seed | native CPU ×seed | native p99 ×seed | open 50 % p99 ×seed | lone ×seed | bare chain ×seed (lone; open 50 % p99) | 10 % tracing cost (native, Express) | 100 % CPU ×untraced | /echo MB/s (alone; bare chains: grpc-js / http2 / sockets) | idle PSS MiB | PSS after -c1000 ÷ idle | PSS after -c1000 ×seed | checks |',
    '|---|---|---|---|---|---|---|---:|---:|---|---|---|---:|---:|---:|---:|---|',
    ...entries.map(
      (e) =>
        `| ${e.stamp.slice(0, 16).replace('T', ' ')} at ${e.commit} | ${e.cpu} | ${Object.values(e.seedRps)
          .map((n) => n ?? '–')
          .join(
            ' / ',
          )} | ${both(e.nativeX)} | ${both(e.expressX)} | ${both(e.nativeCpuX)} | ${both(e.nativeP99X)} | ${x(e.openP99X)} | ${x(e.loneX)} | ${e.bareX ? `${both(e.bareX)} (${x(e.bareLoneX)}${e.bareOpenP99X ? `; ${x(e.bareOpenP99X)}` : ''})` : '–'} | ${pct(e.tracing10Cost.native)}, ${pct(e.tracing10Cost.express)} | ${x(e.traced100CpuX.native)}, ${x(e.traced100CpuX.express)} | ${e.echoMBs ?? '–'}${e.echoFloorMBs ? ` (${e.echoAloneMBs ?? '–'}; ${Object.values(e.echoFloorMBs).join(' / ')})` : ''} | ${e.idlePssMiB ?? '–'} | ${x(e.afterOverIdle)} | ${x(e.pssAfterX)} | ${e.checks} |`,
    ),
  ].join('\n');
}

/** @returns {HistoryEntry[]} */
export function readHistory() {
  return existsSync(HISTORY) ? JSON.parse(readFileSync(HISTORY, 'utf8')) : [];
}

/**
 * Appends a full run to history.json and writes the README's latest run and last three runs from it.
 * @param {Raw} raw
 * @param {string} text the run's report
 */
export function recordRun(raw, text) {
  const history = [...readHistory(), historyEntry(raw)];
  writeFileSync(HISTORY, `${JSON.stringify(history, null, 2)}\n`);
  let readme = readFileSync(README, 'utf8');
  readme = replaceBlock(readme, 'latest', text);
  readme = replaceBlock(readme, 'history', renderHistory(history.slice(-3)));
  writeFileSync(README, readme);
}

/**
 * @param {string} text
 * @param {string} name
 * @param {string} content
 */
function replaceBlock(text, name, content) {
  const start = `<!-- bench:${name} -->`;
  const end = `<!-- /bench:${name} -->`;
  const from = text.indexOf(start);
  const to = text.indexOf(end);
  if (from === -1 || to < from) throw new Error(`README.md: no ${start} … ${end} block`);
  return `${text.slice(0, from + start.length)}\n${content}\n${text.slice(to)}`;
}

/** ` (min–max)` of the lone client's p50 over the rounds, when there was more than one. */
function loneRange(/** @type {RawRun[] | undefined} */ lones) {
  if (lones === undefined || lones.length < 2) return '';
  const p50s = lones.map((run) => run.p50);
  return ` (${Math.min(...p50s).toFixed(3)}–${Math.max(...p50s).toFixed(3)})`;
}
