// The configurations the benchmark compares. Each serves GET /hello -> 200 "Hello World!" on 127.0.0.1:18080
// (ports outside the ephemeral range) and runs as production builds with access logs off.
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

export const PORT = 18080;
export const URL = `http://127.0.0.1:${PORT}/hello`;
const ROOT = join(import.meta.dirname, '..', '..', '..');
export const APPS = join(ROOT, 'tools', 'bench', 'apps');
/** The project's Node 24 (the `node` devDependency), as the services run on, whichever Node started the bench. */
const projectNode = join(ROOT, 'node_modules', '.bin', 'node');
export const NODE = existsSync(projectNode) ? projectNode : process.execPath;

/** @typedef {Awaited<ReturnType<typeof import('./jaeger.mjs').startJaeger>>} Jaeger */
/** @typedef {'edge' | 'gateway' | 'framework'} Service */

/**
 * What a started configuration offers: ours count requests (`counters`) and name their processes (`pids`).
 * @typedef {object} Started
 * @property {() => Promise<Record<string, number>>} [counters]
 * @property {Partial<Record<Service, number>>} [pids]
 */

/**
 * @typedef {object} BenchConfig
 * @property {string} label
 * @property {boolean} [ours] our stack: request counters for the honesty check
 * @property {boolean} [traced] exports every span to the benchmark's Jaeger
 * @property {(group: import('./processes.mjs').ProcessGroup, ctx: { runDir?: string, jaeger?: Jaeger }) => Started | Promise<Started>} start
 */

/**
 * The three services of our stack as processes, with their stats (request counters) on SIGUSR2. `root` is the
 * checkout whose builds run (tools/bench/ab.mjs compares revisions); the apps come from this one.
 * @param {import('./processes.mjs').ProcessGroup} group
 * @param {{ app?: string, tracing: boolean, jaeger?: Jaeger, root?: string }} options `jaeger`: needed with `tracing`
 */
export async function startOurs(group, { app, tracing, jaeger, root = ROOT }) {
  if (tracing && !jaeger) throw new Error('startOurs: tracing needs a Jaeger to export to');
  /** @type {Record<string, { requests: number }>} */
  const stats = {};
  /** @type {Partial<Record<Service, number>>} */
  const pids = {};
  const common = {
    LOG_LEVEL: 'warn',
    NODE_ENV: 'production',
    OTEL_TRACES_SAMPLER: tracing ? 'always_on' : 'always_off',
    OTEL_TRACES_EXPORTER: tracing ? 'otlp' : 'none',
    ...(jaeger && tracing ? { OTEL_EXPORTER_OTLP_ENDPOINT: jaeger.otlpHttp } : {}),
  };
  // The shipped configuration files, where the revision has them (they raise the body limit for /echo).
  /** @param {string} name */
  const file = (name) => {
    const path = join(root, 'infra', 'config', `${name}.yaml`);
    return existsSync(path) ? { [`${name.toUpperCase()}_CONFIG`]: path } : {};
  };
  const envs = {
    framework: { ...common, ...file('framework'), FRAMEWORK_PORT: '18092', ...(app ? { FRAMEWORK_APP: app } : {}) },
    gateway: { ...common, ...file('gateway'), GATEWAY_PORT: '18091', GATEWAY_FRAMEWORK: '127.0.0.1:18092' },
    edge: {
      ...common,
      ...file('edge'),
      EDGE_PORT: String(PORT),
      EDGE_GATEWAYS: '127.0.0.1:18091',
      EDGE_ACCESS_LOG: 'false',
    },
  };
  for (const name of /** @type {const} */ (['framework', 'gateway', 'edge'])) {
    const child = group.spawn(join(root, 'tools', 'run', 'service.sh'), [name], {
      env: envs[name],
      onLine(line) {
        if (!line.includes('"stats"')) return;
        try {
          stats[name] = JSON.parse(line);
        } catch {
          // not ours
        }
      },
    });
    pids[name] = child.pid;
  }
  return {
    /** Each service's request counter, read by asking for fresh stats. */
    async counters() {
      for (const name of Object.keys(pids)) delete stats[name];
      for (const pid of Object.values(pids)) if (pid) process.kill(pid, 'SIGUSR2');
      for (let i = 0; i < 100 && Object.keys(stats).length < 3; i += 1) await sleep(20);
      return Object.fromEntries(Object.entries(stats).map(([name, s]) => [name, s.requests]));
    },
    pids,
  };
}

/**
 * @param {import('./processes.mjs').ProcessGroup} group
 * @param {string} runDir
 * @returns {Promise<Started>}
 */
async function startSeed(group, runDir) {
  mkdirSync(runDir, { recursive: true });
  const conf = readFileSync(join(APPS, 'nginx-uwsgi.conf'), 'utf8').replaceAll('@RUN@', runDir);
  writeFileSync(join(runDir, 'nginx.conf'), conf);
  group.spawn('uwsgi', [
    '--plugins',
    'python3',
    '--chdir',
    APPS,
    '--wsgi-file',
    'flask_app.py',
    '--callable',
    'app',
    '--master',
    '--die-on-term',
    '--disable-logging',
    '--socket',
    join(runDir, 'uwsgi.sock'),
    '--chmod-socket=666',
    '--processes',
    '2',
  ]);
  group.spawn('nginx', ['-c', join(runDir, 'nginx.conf'), '-g', 'daemon off;']);
  return {};
}

/**
 * name → how to start it. `traced` configurations export every span to the benchmark's Jaeger; `ours` ones have
 * request counters for the honesty check.
 * @type {Record<string, BenchConfig>}
 */
export const CONFIGS = {
  seed: {
    label: 'nginx → uWSGI (2 processes, uwsgi on a unix socket) → Flask',
    start: (g, ctx) => startSeed(g, ctx.runDir ?? join(ROOT, 'tmp', 'bench', 'run')),
  },
  'ours-native': {
    label: 'our stack, a hello written against the interface (no framework), tracing off',
    ours: true,
    start: (g, ctx) => startOurs(g, { app: join(APPS, 'tsgi-hello.cjs'), tracing: false, jaeger: ctx.jaeger }),
  },
  'ours-express': {
    label: 'our stack, the demo Express app unchanged, tracing off',
    ours: true,
    start: (g, ctx) => startOurs(g, { tracing: false, jaeger: ctx.jaeger }),
  },
  'ours-native-traced': {
    label: 'our stack, interface hello, tracing on (100 %, exported to Jaeger)',
    ours: true,
    traced: true,
    start: (g, ctx) => startOurs(g, { app: join(APPS, 'tsgi-hello.cjs'), tracing: true, jaeger: ctx.jaeger }),
  },
  'ours-express-traced': {
    label: 'our stack, Express app, tracing on (100 %, exported to Jaeger)',
    ours: true,
    traced: true,
    start: (g, ctx) => startOurs(g, { tracing: true, jaeger: ctx.jaeger }),
  },
  express: {
    label: 'Express 5 alone, one process',
    start: (g) => (
      g.spawn(NODE, [join(APPS, 'express-hello.cjs')], { env: { PORT: String(PORT), NODE_ENV: 'production' } }),
      {}
    ),
  },
  node: {
    label: 'plain Node http, one process',
    start: (g) => (
      g.spawn(NODE, [join(APPS, 'node-hello.cjs')], { env: { PORT: String(PORT), NODE_ENV: 'production' } }),
      {}
    ),
  },
};

/**
 * Spans per request our stack exports: edge SERVER+CLIENT, gateway SERVER+invoke+CLIENT, framework SERVER (+ route).
 * @param {string} name
 */
export function spansPerRequest(name) {
  return name.startsWith('ours-express') ? 7 : 6;
}

/** Resolves once GET /hello answers Hello World!; throws after 10 s. */
export async function ready() {
  for (let i = 0; i < 100; i += 1) {
    try {
      const res = await fetch(URL);
      if ((await res.text()) === 'Hello World!') return;
    } catch {
      // not yet
    }
    await sleep(100);
  }
  throw new Error(`not ready on ${URL}`);
}
