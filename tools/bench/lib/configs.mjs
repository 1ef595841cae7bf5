// The configurations the benchmark compares. Each serves GET /hello -> 200 "Hello World!" on 127.0.0.1:18080
// (ports outside the ephemeral range) and runs as production builds with access logs off.
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

export const HOST = '127.0.0.1';
export const PORT = 18080;
export const URL = `http://${HOST}:${PORT}/hello`;
const ROOT = join(import.meta.dirname, '..', '..', '..');
export const APPS = join(ROOT, 'tools', 'bench', 'apps');
/** The project's Node 24 (the `node` devDependency), as the services run on, whichever Node started the bench. */
const projectNode = join(ROOT, 'node_modules', '.bin', 'node');
export const NODE = existsSync(projectNode) ? projectNode : process.execPath;
/** Warning lines kept per start of ours: a service that warns on every request must not fill the bench's memory. */
const MAX_WARNINGS = 200;

/** The admin listeners of our services in the bench (their /stats has each one's request counter). */
const ADMIN = { edge: 18180, gateway: 18191, framework: 18192 };

/** @typedef {'edge' | 'gateway' | 'framework'} Service */

/**
 * What a started configuration offers: ours count requests (`counters`); `front` names the service clients connect to.
 * @typedef {object} Started
 * @property {string} front
 * @property {() => Promise<Record<string, number>>} [counters] each service's requests so far
 * @property {() => Promise<number | undefined>} [sampled] requests whose trace was sampled so far, where the edge
 *   counts them (its /stats `sampled`)
 * @property {() => Promise<number[] | undefined>} [edgeProcesses] requests each of the edge's processes served so far,
 *   the primary first (its /stats `workers`), where the edge lists them
 * @property {() => string[]} [warnings] the lines our services logged at warn or above since they started (the
 *   first 200), each prefixed with the service's name: what a failed check names as its likely cause
 */

/**
 * What share of a run's requests each of the edge's processes served, in %, from `edgeProcesses` before and after:
 * the processes accept from the same sockets, and a burst of new connections may all go to one of them (ADR-0017),
 * whose requests then travel as one wave where two would overlap. Empty when the edge did not list its processes.
 * @param {number[] | undefined} before
 * @param {number[] | undefined} after
 * @returns {number[]}
 */
export function edgeShares(before, after) {
  if (!before || !after || after.length < 2) return [];
  const served = after.map((n, i) => n - (before[i] ?? 0));
  const total = served.reduce((a, b) => a + b, 0);
  return total > 0 ? served.map((n) => Math.round((n * 100) / total)) : [];
}

/**
 * @typedef {object} BenchConfig
 * @property {string} label
 * @property {boolean} [ours] our stack: request counters for the honesty check
 * @property {number} [traced] the ratio of requests traced, exported to a Jaeger the benchmark starts for it
 * @property {string} [untraced] the configuration this one is with tracing off (for the cost of tracing)
 * @property {number} [spansPerRequest] spans each traced request exports
 * @property {(group: import('./processes.mjs').ProcessGroup, ctx: { runDir: string, jaeger?: Jaeger }) => Started | Promise<Started>} start
 */

/** @typedef {Awaited<ReturnType<typeof import('./jaeger.mjs').startJaeger>>} Jaeger */

/**
 * Where the gateway and the framework listen in the bench: as the revision's shipped files say, on Unix sockets or on
 * TCP, at paths or ports of the bench's own (a stack started by `serve` may run beside it).
 * @param {string} root
 * @returns {{ gatewayAddress: string, framework: Record<string, string>, gateway: Record<string, string> }}
 */
function hopAddresses(root) {
  const shipped = join(root, 'infra', 'config', 'gateway.yaml');
  const unix = existsSync(shipped) && /^listen: unix:/m.test(readFileSync(shipped, 'utf8'));
  const gatewayAddress = unix ? 'unix:/tmp/mono-bench-gateway.sock' : `${HOST}:18091`;
  const frameworkAddress = unix ? 'unix:/tmp/mono-bench-framework.sock' : `${HOST}:18092`;
  return {
    gatewayAddress,
    framework: unix ? { FRAMEWORK_LISTEN: frameworkAddress } : { FRAMEWORK_PORT: '18092' },
    gateway: unix
      ? { GATEWAY_LISTEN: gatewayAddress, GATEWAY_FRAMEWORK: frameworkAddress }
      : { GATEWAY_PORT: '18091', GATEWAY_FRAMEWORK: frameworkAddress },
  };
}

/**
 * The three services of our stack, each from its launcher and shipped configuration file. `root` is the checkout whose
 * builds run (tools/bench/ab.mjs compares revisions); the apps come from this one. `sample`: 0 tracing off (the SDK
 * loaded with `always_off`), 1 every request (`parentbased_always_on`, the default), between: that ratio of new
 * traces (`parentbased_traceidratio`).
 * @param {import('./processes.mjs').ProcessGroup} group
 * @param {{ app?: string, sample?: number, jaeger?: Jaeger, root?: string, env?: Record<string, string> }} options
 *   `jaeger`: needed when sampling; `env`: added to every service's environment (tools/bench/profile.mjs)
 * @returns {Started}
 */
export function startOurs(group, { app, sample = 0, jaeger, root = ROOT, env = {} }) {
  if (sample > 0 && !jaeger) throw new Error('startOurs: tracing needs a Jaeger to export to');
  /** @type {Record<string, Record<string, unknown>>} */
  const signalled = {};
  /** @type {Partial<Record<Service, number>>} */
  const pids = {};
  /** @type {string[]} */
  const warnings = [];
  const common = {
    LOG_LEVEL: 'warn',
    NODE_ENV: 'production',
    OTEL_TRACES_SAMPLER:
      sample <= 0 ? 'always_off' : sample >= 1 ? 'parentbased_always_on' : 'parentbased_traceidratio',
    ...(sample > 0 && sample < 1 ? { OTEL_TRACES_SAMPLER_ARG: String(sample) } : {}),
    OTEL_TRACES_EXPORTER: sample > 0 ? 'otlp' : 'none',
    ...(jaeger && sample > 0 ? { OTEL_EXPORTER_OTLP_ENDPOINT: jaeger.otlpHttp } : {}),
    ...env,
  };
  const hops = hopAddresses(root);
  // The shipped configuration files, where the revision has them (they raise the body limit for /echo).
  /** @param {string} name */
  const file = (name) => {
    const path = join(root, 'infra', 'config', `${name}.yaml`);
    return existsSync(path) ? { [`${name.toUpperCase()}_CONFIG`]: path } : {};
  };
  const envs = {
    framework: {
      ...common,
      ...file('framework'),
      ...hops.framework,
      FRAMEWORK_ADMIN: `${HOST}:${ADMIN.framework}`,
      ...(app ? { FRAMEWORK_APP: app } : {}),
    },
    gateway: {
      ...common,
      ...file('gateway'),
      ...hops.gateway,
      GATEWAY_ADMIN: `${HOST}:${ADMIN.gateway}`,
    },
    edge: {
      ...common,
      ...file('edge'),
      EDGE_PORT: String(PORT),
      EDGE_ADMIN: `${HOST}:${ADMIN.edge}`,
      EDGE_GATEWAYS: hops.gatewayAddress,
      EDGE_ACCESS_LOG: 'false',
    },
  };
  for (const name of /** @type {const} */ (['framework', 'gateway', 'edge'])) {
    const child = group.spawn(join(root, 'tools', 'run', 'service.sh'), [name], {
      name,
      env: envs[name],
      onLine(line) {
        if (/"level":"(?:warn|error|fatal)"/.test(line) && warnings.length < MAX_WARNINGS)
          warnings.push(`${name}: ${line}`);
        if (!line.includes('"stats"')) return;
        try {
          signalled[name] = JSON.parse(line);
        } catch {
          // not ours
        }
      },
    });
    pids[name] = child.pid;
  }
  /** Each service's /stats from its admin listener, or (revisions without one) the line SIGUSR2 prints. */
  const stats = async () => {
    /** @type {Record<string, Record<string, unknown>>} */
    const all = {};
    for (const name of /** @type {const} */ (['edge', 'gateway', 'framework'])) {
      try {
        const res = await fetch(`http://${HOST}:${ADMIN[name]}/stats`, { signal: AbortSignal.timeout(2_000) });
        if (res.ok) all[name] = /** @type {Record<string, unknown>} */ (await res.json());
      } catch {
        // no admin listener: below
      }
    }
    const missing = Object.keys(pids).filter((name) => !(name in all));
    for (const name of missing) {
      delete signalled[name];
      const pid = pids[/** @type {Service} */ (name)];
      if (pid) process.kill(pid, 'SIGUSR2');
    }
    for (let i = 0; i < 100 && missing.some((name) => !(name in signalled)); i += 1) await sleep(20);
    for (const name of missing)
      if (signalled[name]) all[name] = /** @type {Record<string, unknown>} */ (signalled[name]);
    return all;
  };
  return {
    front: 'edge',
    warnings: () => [...warnings],
    async counters() {
      const all = await stats();
      return Object.fromEntries(Object.entries(all).map(([name, s]) => [name, Number(s['requests'])]));
    },
    async sampled() {
      const edge = (await stats())['edge'];
      return typeof edge?.['sampled'] === 'number' ? edge['sampled'] : undefined;
    },
    async edgeProcesses() {
      const workers = (await stats())['edge']?.['workers'];
      return Array.isArray(workers) ? workers.map((w) => Number(w.requests)) : undefined;
    },
  };
}

/**
 * nginx → uWSGI → Flask, with the queues that let it answer every request at 1000 connections: uWSGI's listen queue
 * 1024 (its default 100 refused ~20 % of them) and nginx's worker_connections 4096 (apps/nginx-uwsgi.conf; each
 * request holds a client and an upstream connection).
 * @param {import('./processes.mjs').ProcessGroup} group
 * @param {string} runDir
 * @returns {Started}
 */
function startSeed(group, runDir) {
  mkdirSync(runDir, { recursive: true });
  const conf = readFileSync(join(APPS, 'nginx-uwsgi.conf'), 'utf8').replaceAll('@RUN@', runDir);
  writeFileSync(join(runDir, 'nginx.conf'), conf);
  group.spawn(
    'uwsgi',
    [
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
      '--listen',
      '1024',
      '--processes',
      '2',
    ],
    { name: 'uwsgi' },
  );
  group.spawn('nginx', ['-c', join(runDir, 'nginx.conf'), '-g', 'daemon off;'], { name: 'nginx' });
  return { front: 'nginx' };
}

/**
 * A one-process Node server from apps/.
 * @param {import('./processes.mjs').ProcessGroup} group
 * @param {string} name
 * @param {string} file
 * @returns {Started}
 */
function startNode(group, name, file) {
  group.spawn(NODE, [join(APPS, file)], { name, env: { PORT: String(PORT), NODE_ENV: 'production' } });
  return { front: name };
}

/**
 * The /echo floor of the stack's shape (apps/echo-chain.cjs): three bare Node processes, front → middle → back, with
 * only the transport between them, on Unix sockets in the system's temporary directory.
 * @type {Record<'grpc' | 'http2' | 'socket', string>}
 */
export const ECHO_FLOORS = {
  grpc: 'grpc-js, one bidirectional call per request (the transport our services use, with nothing else)',
  http2: "Node's http2, one stream per request",
  socket: 'plain Unix-socket connections, one per request',
};

/**
 * Starts the chain back first, each process once its socket exists.
 * @param {import('./processes.mjs').ProcessGroup} group
 * @param {keyof typeof ECHO_FLOORS} mode
 * @returns {Promise<Started>}
 */
export function startEchoChain(group, mode) {
  return startChain(group, 'echo-chain.cjs', 'mono-bench-chain', { MODE: mode });
}

/**
 * Three bare Node processes of an app in apps/ (ROLE back, middle, front), started back first, each once the one
 * behind it listens on its Unix socket (`<prefix>-<role>.sock` in the system's temporary directory).
 * @param {import('./processes.mjs').ProcessGroup} group
 * @param {string} file
 * @param {string} prefix
 * @param {Record<string, string>} [extra]
 * @returns {Promise<Started>}
 */
async function startChain(group, file, prefix, extra = {}) {
  const socketPrefix = join(tmpdir(), prefix);
  const env = { ...extra, SOCKET_PREFIX: socketPrefix, PORT: String(PORT), NODE_ENV: 'production' };
  for (const role of ['back', 'middle']) {
    const socket = `${socketPrefix}-${role}.sock`;
    rmSync(socket, { force: true });
    group.spawn(NODE, [join(APPS, file)], { name: role, env: { ...env, ROLE: role } });
    for (let i = 0; !existsSync(socket); i += 1) {
      if (i === 100) throw new Error(`${file}: the ${role} did not listen on ${socket}`);
      await sleep(50);
    }
  }
  group.spawn(NODE, [join(APPS, file)], { name: 'front', env: { ...env, ROLE: 'front' } });
  return { front: 'front' };
}

const NATIVE_APP = join(APPS, 'tsgi-hello.cjs');
/** Spans per request our stack exports: edge SERVER+CLIENT, gateway SERVER+invoke+CLIENT, framework SERVER (+ route). */
const SPANS_NATIVE = 6;
const SPANS_EXPRESS = 7;

/**
 * name → how to start it. `traced` configurations export spans to a Jaeger the benchmark starts for each run; `ours`
 * ones have request counters for the honesty check.
 * @type {Record<string, BenchConfig>}
 */
export const CONFIGS = {
  seed: {
    label: 'nginx (1 worker) → uWSGI (2 processes, uwsgi on a unix socket, listen 1024) → Flask',
    start: (g, ctx) => startSeed(g, ctx.runDir),
  },
  'ours-native': {
    label: 'our stack, a hello written against the interface (no framework), tracing off',
    ours: true,
    start: (g) => startOurs(g, { app: NATIVE_APP }),
  },
  'ours-express': {
    label: 'our stack, the demo Express app unchanged, tracing off',
    ours: true,
    start: (g) => startOurs(g, {}),
  },
  'ours-native-traced': {
    label: 'our stack, interface hello, every request traced and exported to Jaeger',
    ours: true,
    traced: 1,
    untraced: 'ours-native',
    spansPerRequest: SPANS_NATIVE,
    start: (g, ctx) => startOurs(g, { app: NATIVE_APP, sample: 1, jaeger: ctx.jaeger }),
  },
  'ours-express-traced': {
    label: 'our stack, Express app, every request traced and exported to Jaeger',
    ours: true,
    traced: 1,
    untraced: 'ours-express',
    spansPerRequest: SPANS_EXPRESS,
    start: (g, ctx) => startOurs(g, { sample: 1, jaeger: ctx.jaeger }),
  },
  'ours-native-traced10': {
    label: 'our stack, interface hello, 10 % of traces sampled (parent-based ratio) and exported to Jaeger',
    ours: true,
    traced: 0.1,
    untraced: 'ours-native',
    spansPerRequest: SPANS_NATIVE,
    start: (g, ctx) => startOurs(g, { app: NATIVE_APP, sample: 0.1, jaeger: ctx.jaeger }),
  },
  'ours-express-traced10': {
    label: 'our stack, Express app, 10 % of traces sampled (parent-based ratio) and exported to Jaeger',
    ours: true,
    traced: 0.1,
    untraced: 'ours-express',
    spansPerRequest: SPANS_EXPRESS,
    start: (g, ctx) => startOurs(g, { sample: 0.1, jaeger: ctx.jaeger }),
  },
  express: {
    label: 'Express 5 alone, one process',
    start: (g) => startNode(g, 'express', 'express-hello.cjs'),
  },
  node: {
    label: 'plain Node http, one process',
    start: (g) => startNode(g, 'node', 'node-hello.cjs'),
  },
  'bare-chain': {
    label:
      "the stack's shape with nothing else: three bare Node processes, a long-lived grpc-js stream per hop, a turn's requests in one message (apps/mux-chain.cjs)",
    start: (g) => startChain(g, 'mux-chain.cjs', 'mono-bench-mux'),
  },
};

/**
 * Throws when something already listens on the bench's port: another run, or a stack left over, would be measured
 * instead of the configuration about to start.
 */
export async function portFree() {
  const taken = await new Promise((resolve) => {
    const socket = connect({ host: HOST, port: PORT });
    socket.once('connect', () => (socket.destroy(), resolve(true)));
    socket.once('error', () => resolve(false));
  });
  if (taken) throw new Error(`${HOST}:${PORT} is taken by another process: is another bench running outside flock?`);
}

/** Resolves once GET /hello answers Hello World!; throws after 15 s. */
export async function ready() {
  for (let i = 0; i < 150; i += 1) {
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
