import cluster from 'node:cluster';
import { boundAddress } from '@mono/config';
import { clearStaleSocket } from '@mono/runtime';
import { mergeExpositions, parseExposition, retire, type Exposition } from '@mono/telemetry';
import type { FrameworkConfig } from './config';
import type { FrameworkSnapshot } from './framework-stats';
import type { LineLogger } from './line-logger';
import { mergeSnapshots } from './merge-stats';
import { watchFiles } from './watch-files';
import { summary, WorkerHandle, type WorkerSummary } from './worker-handle';
import type { FromWorker } from './worker-messages';

export interface MasterOptions {
  /** The worker's bundle (dist/worker.cjs). */
  exec: string;
  log: LineLogger;
}

/** What `/stats` shows of a master: the framework's counters over every worker it ran, and the workers now. */
export type MasterSnapshot = FrameworkSnapshot & {
  workers: WorkerSummary[];
  reloads: { done: number; failed: number; last?: { at: string; reason: string; ms: number; ok: boolean } };
  respawns: number;
};

/** After a worker was signalled directly, how long the master waits to be told to stop too before it replaces it. */
const SIGNALLED_WAIT_MS = 1_000;

/**
 * The framework's master process, uWSGI's master in Node's terms (docs/adr/0010-applications-and-reloads.md): it holds
 * the listening port (node:cluster: the worker's listen goes through the master, which accepts and hands each
 * connection over) and runs the applications in a worker process. A reload is uWSGI's chain reload: a new worker loads
 * the code as it is now and reports it serves, then the old one stops listening, tells its clients goaway (they
 * reconnect, to the new worker), finishes what it has and exits; a new worker that fails leaves the old one serving.
 * A worker that dies is replaced. The counters of `/stats` and `/metrics` cover every worker it ran.
 */
export class Master {
  readonly #config: Readonly<FrameworkConfig>;
  readonly #log: LineLogger;
  readonly #workers = new Set<WorkerHandle>();
  #generation = 0;
  /** FRAMEWORK_LISTEN for the next worker: what the live ones listen on, so that they share the master's socket. */
  #listen: string;
  #stopping = false;
  #reloading: Promise<void> | undefined;
  #again: string | undefined;
  #retiredStats: FrameworkSnapshot = mergeSnapshots([]);
  readonly #retiredMetrics: Exposition = new Map();
  readonly #reloads: MasterSnapshot['reloads'] = { done: 0, failed: 0 };
  #respawns = 0;
  #unwatch: (() => void) | undefined;

  constructor(config: Readonly<FrameworkConfig>, { exec, log }: MasterOptions) {
    this.#config = config;
    this.#log = log;
    this.#listen = config.listen;
    cluster.setupPrimary({ exec });
  }

  /** Takes requests: a worker serves, and the service is not stopping (`/readyz`). */
  get ready(): boolean {
    return !this.#stopping && [...this.#workers].some((handle) => handle.state === 'serving');
  }

  /** Starts the first worker; resolves with its port once it serves, or rejects with why it could not. */
  async start(): Promise<number> {
    await clearStaleSocket(this.#config.listen, 'framework');
    const first = this.#fork();
    const failure = await this.#started(first);
    if (failure !== undefined) throw new Error(failure.replace(/^(?!framework: )/, 'framework: '));
    this.#serve(first);
    return first.port;
  }

  /** A chain reload; one asked for during another runs once that one is over. */
  reload(reason: string): void {
    if (this.#stopping) return;
    if (this.#reloading !== undefined) {
      this.#again = reason;
      return;
    }
    this.#reloading = this.#chainReload(reason).finally(() => {
      this.#reloading = undefined;
      const again = this.#again;
      this.#again = undefined;
      if (again !== undefined) this.reload(again);
    });
  }

  /** Every worker stops (NOT_SERVING, new requests refused, the grace period for those in flight); resolves when gone. */
  async stop(): Promise<void> {
    this.#stopping = true;
    this.#unwatch?.();
    const exits = [...this.#workers].map((handle) => this.#exited(handle));
    for (const handle of this.#workers) {
      if (handle.state === 'starting') handle.worker.process.kill('SIGTERM');
      else if (handle.state !== 'gone') {
        if (handle.state === 'serving') handle.state = 'stopping';
        handle.tell({ type: 'stop' });
      }
    }
    await Promise.all(exits);
  }

  async stats(): Promise<MasterSnapshot> {
    const live = [...this.#workers];
    // A worker still starting serves nothing yet and may not answer; one that sent its last counters is exiting.
    const answers = await Promise.all(
      live.map((handle) =>
        handle.state === 'starting' ? undefined : (handle.final ?? handle.ask('stats').then((answer) => answer?.stats)),
      ),
    );
    const snapshots = answers.flatMap((stats) => (stats ? [stats] : []));
    return {
      ...mergeSnapshots([this.#retiredStats, ...snapshots]),
      workers: live.map((handle, i) => summary(handle, answers[i])),
      reloads: { ...this.#reloads },
      respawns: this.#respawns,
    };
  }

  /** The Prometheus text of every worker as one (mergeExpositions); undefined when no worker serves it. */
  async metrics(): Promise<string | undefined> {
    const live = [...this.#workers]
      .filter((handle) => handle.state !== 'starting')
      .sort((a, b) => a.generation - b.generation);
    const texts = await Promise.all(
      live.map((handle) =>
        handle.final !== undefined ? handle.finalText : handle.ask('metrics').then((answer) => answer?.text),
      ),
    );
    const expositions = texts.flatMap((text) => (text === undefined ? [] : [parseExposition(text)]));
    if (expositions.length === 0 && this.#retiredMetrics.size === 0) return undefined;
    return mergeExpositions(expositions, this.#retiredMetrics);
  }

  async #chainReload(reason: string): Promise<void> {
    const began = performance.now();
    const old = [...this.#workers].filter((handle) => handle.state === 'serving');
    const next = this.#fork();
    this.#log.info({ reason, generation: next.generation, pid: next.pid }, 'reloading: a new worker starts');
    const failure = await this.#started(next);
    const ms = Math.round(performance.now() - began);
    if (failure !== undefined) {
      if (this.#stopping) return;
      this.#reloads.failed += 1;
      this.#reloads.last = { at: new Date().toISOString(), reason, ms, ok: false };
      this.#log.error({ reason, why: failure, generation: next.generation }, 'reload failed: the old worker serves on');
      return;
    }
    if (this.#stopping) {
      next.tell({ type: 'stop' });
      return;
    }
    this.#serve(next);
    for (const handle of old) this.#retire(handle);
    this.#reloads.done += 1;
    this.#reloads.last = { at: new Date().toISOString(), reason, ms, ok: true };
    this.#log.info(
      { reason, generation: next.generation, pid: next.pid, ms, retiring: old.map((h) => h.pid) },
      'reloaded: the new worker serves, the old one drains',
    );
  }

  #fork(): WorkerHandle {
    this.#generation += 1;
    const worker = cluster.fork({
      FRAMEWORK_LISTEN: this.#listen,
      MONO_FRAMEWORK_GENERATION: String(this.#generation),
    });
    const handle = new WorkerHandle(this.#generation, worker);
    this.#workers.add(handle);
    worker.on('message', (message: FromWorker) => this.#onMessage(handle, message));
    worker.on('exit', (code, signal) => this.#onExit(handle, code, signal));
    return handle;
  }

  /** Resolves when the worker serves (undefined) or with why it did not: it failed, exited, or took too long. */
  #started(handle: WorkerHandle): Promise<string | undefined> {
    const timeoutMs = this.#config.reload.readyTimeoutMs;
    return new Promise((resolve) => {
      const done = (why: string | undefined) => {
        clearTimeout(timer);
        handle.worker.off('message', onMessage);
        handle.worker.off('exit', onExit);
        resolve(why);
      };
      const onMessage = (message: FromWorker) => {
        if (message.type === 'ready') done(undefined);
        else if (message.type === 'failed') done(message.reason);
      };
      const onExit = (code: number | null, signal: string | null) =>
        done(`the new worker exited (${signal ?? `code ${code}`}) before it served`);
      const timer = setTimeout(() => {
        done(`the new worker did not serve within ${timeoutMs} ms`);
        handle.worker.process.kill('SIGKILL');
      }, timeoutMs);
      handle.worker.on('message', onMessage);
      handle.worker.on('exit', onExit);
    });
  }

  #serve(handle: WorkerHandle): void {
    handle.state = 'serving';
    if (!this.#config.reload.watch) return;
    this.#unwatch?.();
    this.#unwatch = watchFiles(handle.files, (file) => this.reload(`${file} changed`));
  }

  #retire(handle: WorkerHandle): void {
    handle.state = 'retiring';
    handle.tell({ type: 'retire' });
    // It exits by itself once what it has is done, within the grace period; this is the backstop.
    const timer = setTimeout(() => handle.worker.process.kill('SIGKILL'), this.#config.shutdownGraceMs + 5_000);
    timer.unref();
    handle.worker.once('exit', () => clearTimeout(timer));
  }

  #onMessage(handle: WorkerHandle, message: FromWorker): void {
    switch (message.type) {
      case 'ready':
        handle.port = message.port;
        handle.files = message.files;
        return;
      case 'stats':
      case 'metrics':
        handle.answered(message.id, message);
        return;
      case 'recycle':
        if (handle.state !== 'serving') return;
        this.#log.info({ pid: handle.pid, generation: handle.generation, why: message.reason }, 'worker to recycle');
        this.reload(`recycle: ${message.reason}`);
        return;
      case 'signalled':
        handle.signalled = true;
        return;
      case 'final':
        handle.final = message.stats;
        handle.finalText = message.text;
        return;
      case 'failed':
        return;
    }
  }

  #onExit(handle: WorkerHandle, code: number | null, signal: string | null): void {
    const was = handle.state;
    handle.gone();
    this.#workers.delete(handle);
    this.#log.info({ pid: handle.pid, generation: handle.generation, was, code, signal }, 'worker exited');
    if (handle.final !== undefined) {
      this.#retiredStats = mergeSnapshots([this.#retiredStats, { ...handle.final, inFlight: 0 }]);
      if (handle.finalText !== undefined) retire(this.#retiredMetrics, parseExposition(handle.finalText));
    }
    if (![...this.#workers].some((h) => h.state !== 'starting') && handle.port !== 0) {
      this.#listen = boundAddress(this.#listen, handle.port);
    }
    if (was !== 'serving' || this.#stopping) return;
    if (handle.signalled) {
      // A process-tree kill signals the worker first and the master next: replace it only if no stop follows.
      setTimeout(() => this.#replace(handle, 'it was signalled, and the master was not'), SIGNALLED_WAIT_MS).unref();
      return;
    }
    this.#replace(handle, `it exited (${signal ?? `code ${code}`})`);
  }

  #replace(handle: WorkerHandle, why: string): void {
    if (this.#stopping) return;
    this.#respawns += 1;
    this.#log.error({ pid: handle.pid, generation: handle.generation, why }, 'worker gone: starting another');
    if ([...this.#workers].some((h) => h.state === 'serving')) return;
    this.reload(`worker ${handle.pid} gone`);
  }

  #exited(handle: WorkerHandle): Promise<void> {
    if (handle.state === 'gone') return Promise.resolve();
    return new Promise((resolve) => handle.worker.once('exit', () => resolve()));
  }
}
