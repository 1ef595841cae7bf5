import { performance } from 'node:perf_hooks';
import { getHeapStatistics } from 'node:v8';
import { loadReleaseFreeMemory, type ReleaseFreeMemory } from './release-free-memory';

/** What `--expose-gc` puts on globalThis, with the options of a full collection. */
type FullGc = (options: { type: 'major'; execution: 'sync'; flavor: 'last-resort' }) => void;

export interface Compaction {
  /** V8's committed heap before and after, in bytes. */
  before: number;
  after: number;
  /** The process's resident set before and after, in bytes (after the C heap's free pages went back too). */
  rssBefore: number;
  rssAfter: number;
  ms: number;
}

export interface CompactWhenIdleOptions {
  /** How often to look (ms). */
  everyMs?: number;
  /** Heap growth since the last compaction that is worth one (bytes). */
  growthBytes?: number;
  /** Event-loop utilization over the last period below which the process counts as idle. */
  idleBelow?: number;
  /**
   * How long the process must have been idle before a compaction (ms), every period in it under `idleBelow`: the
   * memory-reducing collection lets the maps of a request's objects die and V8 drops the code optimised against them,
   * so a burst arriving right after one runs slow for up to a second (ADR-0030). A pause between bursts shorter than
   * this costs nothing.
   */
  quietMs?: number;
  /**
   * Event-loop time spent working since the last compaction (ms) that is worth one too, at most once every
   * `workEveryMs`: what a burst leaves behind without growing the heap (thousands of closed connections) is garbage
   * in the old generation that an idle process never collects.
   */
  workMs?: number;
  workEveryMs?: number;
  /** Event-loop utilization below which the process counts as quiet enough for a compaction after work alone. */
  quietBelow?: number;
  /**
   * Compacts as this is called, at the end of start-up, and once more in the first idle period: start-up leaves
   * garbage (modules loaded, the SDK set up) and a young generation grown to its largest, and a process under load
   * from its first second (a restart under traffic) has no idle period to give them back in (ADR-0043).
   */
  afterStart?: boolean;
  gc?: FullGc | null;
  /** Runs first: what the process keeps for the next burst (pools) goes, for the collection to free it. */
  beforeCompact?: () => void;
  /** Then hands the C heap's free pages back (release-free-memory.ts); null: it is not there. */
  releaseFreeMemory?: ReleaseFreeMemory | null;
  onCompact?: (compaction: Compaction) => void;
}

/**
 * Gives memory back once a burst is over. V8 grows its heap for the objects of a burst of requests (thousands of
 * clients arriving at once) and keeps the pages after they died: an idle process runs no major GC, so its resident
 * size stays at the burst's peak (measured: +100 MiB in the edge after 9 000 clients came and went, unchanged a
 * minute later). Every `everyMs` this looks at V8's committed heap; when the event loop has been idle for `quietMs`
 * and either the heap is `growthBytes` above where the last compaction left it, or the process worked `workMs` since
 * then and is now quiet (under `quietBelow`; the last one `workEveryMs` ago), it runs one full, compacting
 * collection (V8's "last resort" kind, which also releases the freed pages), after `beforeCompact`, then hands the C
 * heap's free pages back (malloc_trim): a pause of tens of ms that only an idle process takes, and a starting one:
 * with `afterStart` it compacts once as it is called, at the end of start-up, and once more in the first idle period
 * unless work came first (measured: the stack's five processes idle 241 → 190 MiB PSS, the young generation of the
 * edge's and the framework worker's 32 → 1 MiB).
 * Needs `--expose-gc` (every launcher sets it); without it there is nothing to call, and the result is undefined.
 * Returns the function that stops it.
 *
 * @example
 * const stop = compactWhenIdle({ onCompact: (c) => log.info(c, 'heap compacted') });
 */
export function compactWhenIdle({
  everyMs = 500,
  growthBytes = 8 << 20,
  idleBelow = 0.05,
  quietMs = 2_000,
  workMs = 200,
  workEveryMs = 30_000,
  quietBelow = 0.01,
  afterStart = true,
  gc = (globalThis as { gc?: FullGc }).gc ?? null,
  releaseFreeMemory = loadReleaseFreeMemory(),
  beforeCompact,
  onCompact,
}: CompactWhenIdleOptions = {}): (() => void) | undefined {
  if (gc == null) return undefined;
  let baseline = committed();
  let worked = 0;
  let compactedAt = -Infinity;
  const compact = (before: number) => {
    const started = performance.now();
    const rssBefore = process.memoryUsage.rss();
    beforeCompact?.();
    gc({ type: 'major', execution: 'sync', flavor: 'last-resort' });
    releaseFreeMemory?.();
    baseline = committed();
    worked = 0;
    compactedAt = performance.now();
    onCompact?.({ before, after: baseline, rssBefore, rssAfter: process.memoryUsage.rss(), ms: compactedAt - started });
  };
  if (afterStart) compact(baseline);
  let last = performance.eventLoopUtilization();
  let busyAt = performance.now();
  // What the last steps of start-up left (connections to upstreams) goes in the first idle period too, unless
  // `workMs` of work came first: there is no optimised code or grown young generation to lose yet.
  let first = afterStart;
  const timer = setInterval(() => {
    const now = performance.eventLoopUtilization();
    const period = performance.eventLoopUtilization(now, last);
    last = now;
    worked += period.active;
    const before = committed();
    if (before < baseline) baseline = before;
    if (period.utilization >= idleBelow) {
      busyAt = performance.now();
      if (worked >= workMs) first = false;
      return;
    }
    if (first) {
      first = false;
      compact(before);
      return;
    }
    if (performance.now() - busyAt < quietMs) return;
    const grew = before >= baseline + growthBytes;
    const busyBefore =
      period.utilization < quietBelow && worked >= workMs && performance.now() - compactedAt >= workEveryMs;
    if (grew || busyBefore) compact(before);
  }, everyMs);
  timer.unref();
  return () => clearInterval(timer);
}

function committed(): number {
  return getHeapStatistics().total_heap_size;
}

/** A compaction in MiB and whole ms, for a log line. */
export function compactionFields({ before, after, rssBefore, rssAfter, ms }: Compaction): Record<string, number> {
  const mib = (bytes: number) => Math.round(bytes / 1048576);
  return {
    beforeMiB: mib(before),
    afterMiB: mib(after),
    rssBeforeMiB: mib(rssBefore),
    rssAfterMiB: mib(rssAfter),
    ms: Math.round(ms),
  };
}
