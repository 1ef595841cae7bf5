// CPU samples charged to their owner (docs/adr/0033-what-a-request-costs-by-owner.md): each sample of `perf script`
// goes to the innermost JavaScript frame on its stack (a builtin, a V8 runtime call or a system call counts for the
// JavaScript that made it), and that frame's file names the owner. Samples without a JavaScript frame (the kernel on
// its own, libuv, nghttp2, the GC's and the compiler's threads, epoll) form a group of their own.

/** Owners, in the order a report lists them. */
export const OWNERS = /** @type {const} */ ([
  'ours',
  'node',
  'grpc-js',
  'opentelemetry',
  'packages',
  'application',
  'no-js',
]);

/** @typedef {typeof OWNERS[number]} Owner */

/** What each owner is, for a report's rows. */
export const OWNER_LABELS = /** @type {Record<Owner, string>} */ ({
  ours: "our code (the service's bundle: apps/*/dist, with libs/* and the SDK's span code inlined)",
  node: "Node's JavaScript (node:*), and what it calls",
  'grpc-js': '@grpc/grpc-js',
  opentelemetry: '@opentelemetry/* loaded from node_modules',
  packages: 'other packages in node_modules (express…)',
  application: 'the application (its own file, outside the bundles)',
  'no-js': 'no JavaScript frame: the kernel, libuv, nghttp2, GC and compiler threads',
});

/**
 * The owner of a JIT frame named by `--perf-basic-prof` (`JS:*'name file:line:col`), or undefined for a frame
 * that is not JavaScript.
 * @param {string} symbol
 * @returns {Owner | undefined}
 */
export function ownerOf(symbol) {
  if (!symbol.startsWith('JS:')) return undefined;
  if (symbol.includes('node_modules/@grpc/')) return 'grpc-js';
  if (symbol.includes('node_modules/@opentelemetry/')) return 'opentelemetry';
  if (symbol.includes('/node_modules/')) return 'packages';
  if (/\/apps\/[^/]+\/dist\//.test(symbol)) return 'ours';
  if (symbol.includes(' node:')) return 'node';
  return 'application';
}

/**
 * A JIT frame's name without its address offset and its position: `writevGeneric node:internal/stream_base_commons`.
 * @param {string} symbol
 */
export function functionOf(symbol) {
  return symbol
    .replace(/^JS:[*~+^-]?'?/, '')
    .replace(/\+0x[0-9a-f]+$/, '')
    .replace(/:\d+:\d+$/, '')
    .trim();
}

/**
 * @typedef {object} Charged
 * @property {Map<string, Map<Owner, number>>} byOwner group → owner → samples
 * @property {Map<string, Map<string, number>>} byFunction group → innermost JavaScript function (or the leaf
 *   symbol of a sample without one, marked "native:") → samples
 * @property {Map<string, number>} total group → samples
 */

/**
 * Charges the samples of `perf script -F comm,pid,tid,ip,sym` output to their group (what `groupOf` says of the
 * sample's process id) and owner.
 * @param {Iterable<string> | AsyncIterable<string>} lines
 * @param {(pid: number, comm: string) => string} groupOf
 * @returns {Promise<Charged>}
 */
export async function charge(lines, groupOf) {
  /** @type {Charged} */
  const charged = { byOwner: new Map(), byFunction: new Map(), total: new Map() };
  /** @type {string | undefined} */
  let group;
  /** @type {string | undefined} */
  let innermost;
  /** @type {string | undefined} */
  let leaf;
  const flush = () => {
    if (group === undefined) return;
    const owner = innermost === undefined ? 'no-js' : (ownerOf(innermost) ?? 'no-js');
    const owners = mapOf(charged.byOwner, group);
    owners.set(owner, (owners.get(owner) ?? 0) + 1);
    const name = innermost === undefined ? `native: ${leaf ?? '?'}` : functionOf(innermost);
    const functions = mapOf(charged.byFunction, group);
    functions.set(name, (functions.get(name) ?? 0) + 1);
    charged.total.set(group, (charged.total.get(group) ?? 0) + 1);
    group = undefined;
  };
  for await (const line of lines) {
    if (line.trim() === '') {
      flush();
      continue;
    }
    if (line.startsWith(' ') || line.startsWith('\t')) {
      if (group === undefined || innermost !== undefined) continue;
      // "   7f3c2a1b JS:*'fn node:events:1:2+0x1c (/tmp/perf-1.map)": address, symbol, then the object it is in.
      const symbol = line
        .trim()
        .replace(/^[0-9a-f]+ /, '')
        .replace(/ \([^()]*\)$/, '')
        .replace(/\+0x[0-9a-f]+$/, '');
      if (leaf === undefined) leaf = symbol;
      if (symbol.startsWith('JS:')) innermost = symbol;
      continue;
    }
    flush();
    // "MainThread  1446/1446" (comm, pid/tid): a comm may hold spaces, the pid is the last field but the tid.
    const match = /^(.*?)\s+(\d+)\/\d+\s*$/.exec(line);
    if (match === null) continue;
    group = groupOf(Number(match[2]), (match[1] ?? '').trim());
    innermost = undefined;
    leaf = undefined;
  }
  flush();
  return charged;
}

/**
 * @template V
 * @param {Map<string, Map<string, V>>} map
 * @param {string} key
 * @returns {Map<any, V>}
 */
function mapOf(map, key) {
  let inner = map.get(key);
  if (inner === undefined) map.set(key, (inner = new Map()));
  return inner;
}
