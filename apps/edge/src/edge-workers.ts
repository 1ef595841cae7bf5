import { spawn, type ChildProcess } from 'node:child_process';
import { Socket, type Server } from 'node:net';
import { parseExposition, retire, type Exposition, type Logger } from '@mono/telemetry';
import type { EdgeSnapshot } from './edge-state';
import { sendListeners, type HandoverMessage } from './handover';
import { mergeSnapshots } from './merge-snapshots';

/** Set, to the worker's number, in the environment of an edge process a primary started to serve beside it. */
export const WORKER_VARIABLE = 'MONO_EDGE_WORKER';

/**
 * What a primary asks of a worker, and tells it: how many client connections the primary holds (`load`), and a
 * connection it passes on (`connection`, the socket beside the message).
 */
export type ToWorker =
  | { type: 'stats' | 'metrics' | 'close'; id: number }
  | { type: 'stop' }
  | { type: 'load'; open: number; taken: number }
  | { type: 'connection' };

/**
 * What a worker tells its primary: the handover's messages, the answers, its counters as it exits, how many client
 * connections it holds, and a connection it passes on (the socket beside the message).
 */
export type FromWorker =
  | HandoverMessage
  | { type: 'load'; open: number; taken: number }
  | { type: 'connection' }
  | { type: 'stats'; id: number; stats: EdgeSnapshot }
  | { type: 'metrics'; id: number; text: string | undefined }
  | { type: 'close'; id: number }
  | { type: 'final'; stats: EdgeSnapshot; text: string | undefined };

/** How one worker stands, as `/stats` lists it. */
export interface WorkerSummary {
  worker: number;
  pid: number;
  state: 'starting' | 'serving' | 'stopping';
  requests?: number;
  inFlight?: number;
  /** Its client connections, as it last told the primary (at least four times a second while it serves). */
  connections?: number;
}

export interface EdgeWorkersOptions {
  log: Logger;
  /** The workers' environment: the primary's own. */
  env: NodeJS.ProcessEnv;
  /** ms before a worker that exited unasked is started again. */
  respawnDelayMs?: number;
  /** ms a worker's answer about its counters may take. */
  askTimeoutMs?: number;
  /** A worker said how many client connections it holds, and how many of those the primary passed to it it took. */
  onLoad?: (worker: number, open: number, taken: number) => void;
  /** A worker began to accept (its reports of its load before this were not heard). */
  onServing?: (worker: number) => void;
  /** A worker passed a client connection on to the primary. */
  onConnection?: (worker: number, socket: Socket) => void;
  /** A worker exited. */
  onExit?: (worker: number) => void;
  /** A connection passed to a worker that exited before it was sent: serve it here. */
  onUnsent?: (socket: Socket) => void;
}

/**
 * The edge's worker processes beside the primary (nginx's `worker_processes`): each is the edge again, started with
 * this process's command line and environment, and once its gateway pools serve it takes the primary's listening
 * sockets over IPC and accepts from them too — every process from the same sockets, as nginx's workers do without
 * `reuseport`, so no connection waiting in a backlog is lost when one process goes. The primary also serves, and
 * keeps the admin listener: its `/stats` and `/metrics` add up every worker's. A worker that exits unasked is
 * started again; one whose primary is gone (its IPC channel closed) drains and exits (docs/adr/0017-edge-workers.md).
 */
export class EdgeWorkers {
  readonly #log: Logger;
  readonly #env: NodeJS.ProcessEnv;
  readonly #respawnDelayMs: number;
  readonly #askTimeoutMs: number;
  readonly #onLoad: ((worker: number, open: number, taken: number) => void) | undefined;
  readonly #onConnection: ((worker: number, socket: Socket) => void) | undefined;
  readonly #onServing: ((worker: number) => void) | undefined;
  readonly #onWorkerExit: ((worker: number) => void) | undefined;
  readonly #onUnsent: ((socket: Socket) => void) | undefined;
  readonly #workers = new Map<number, Worker>();
  readonly #timers = new Set<NodeJS.Timeout>();
  readonly #waiters = new Set<() => void>();
  #listeners: readonly Server[] | undefined;
  #stopping = false;
  #respawns = 0;
  /** What workers that exited had counted, summed as they exit: added to the live ones'. */
  #retired: EdgeSnapshot | undefined;
  readonly #retiredMetrics: Exposition = new Map();
  #nextId = 1;

  constructor({
    log,
    env,
    respawnDelayMs = 1_000,
    askTimeoutMs = 1_000,
    onLoad,
    onServing,
    onConnection,
    onExit,
    onUnsent,
  }: EdgeWorkersOptions) {
    this.#log = log;
    this.#env = env;
    this.#respawnDelayMs = respawnDelayMs;
    this.#askTimeoutMs = askTimeoutMs;
    this.#onLoad = onLoad;
    this.#onServing = onServing;
    this.#onConnection = onConnection;
    this.#onWorkerExit = onExit;
    this.#onUnsent = onUnsent;
  }

  /**
   * Starts workers 1 … count-1 (the primary is worker 0) before the primary has its listening sockets, so that their
   * start overlaps its own; each takes the sockets once its pools serve and `listen` gave them.
   */
  start(count: number): void {
    for (let n = 1; n < count; n++) this.#spawn(n);
  }

  /** The sockets every worker accepts from: given now to those waiting for them, later to the others. */
  listen(listeners: readonly Server[]): void {
    this.#listeners = listeners;
    if (this.#stopping) return;
    for (const w of this.#workers.values()) if (w.asked && w.child.connected) sendListeners(w.child, listeners);
  }

  /**
   * Resolves once every worker is at least `state` — `asked`: its pools serve and it waits for the listening sockets;
   * `serving`: it accepts — counting one that exited and is about to be started again as starting; or at `until`
   * (a `Date.now()` time): a worker that cannot start does not hold the edge up.
   */
  settled(state: 'asked' | 'serving', until: number): Promise<void> {
    const { promise, resolve } = Promise.withResolvers<void>();
    const done = () => {
      clearTimeout(timer);
      this.#waiters.delete(waiter);
      resolve();
    };
    const waiter = () => {
      if (this.#timers.size > 0) return;
      for (const w of this.#workers.values()) if (w.state === 'starting' && (state === 'serving' || !w.asked)) return;
      done();
    };
    const timer = setTimeout(done, Math.max(0, until - Date.now())).unref();
    this.#waiters.add(waiter);
    waiter();
    return promise;
  }

  get respawns(): number {
    return this.#respawns;
  }

  /** Tells every serving worker how many client connections the primary holds, and how many it passed on it took. */
  tellLoad(open: number, takenFrom: (worker: number) => number): void {
    for (const w of this.#workers.values())
      if (w.state === 'serving' && w.child.connected)
        w.child.send({ type: 'load', open, taken: takenFrom(w.n) } satisfies ToWorker);
  }

  /** Passes a client connection nothing was read from to worker `n`; false when it does not serve (any more). */
  pass(n: number, socket: Socket): boolean {
    const w = this.#workers.get(n);
    if (w === undefined || w.state !== 'serving' || !w.child.connected) return false;
    // Node sends one descriptor at a time, each once the worker acknowledged the one before; until its turn comes a
    // socket is kept, paused, and is served here if the worker exits first.
    w.unsent.add(socket);
    w.child.send({ type: 'connection' } satisfies ToWorker, socket, () => w.unsent.delete(socket));
    return true;
  }

  /** Every worker's counters (live ones that answered in time, and those that exited), and how each stands. */
  async stats(): Promise<{ snapshots: EdgeSnapshot[]; workers: WorkerSummary[] }> {
    const live = [...this.#workers.values()];
    const answers = await Promise.all(
      live.map((w) => (w.state === 'starting' ? undefined : this.#ask(w, 'stats').then((m) => m?.stats))),
    );
    const workers = live.map((w, i) => {
      const stats = answers[i];
      const summary: WorkerSummary = { worker: w.n, pid: w.child.pid ?? 0, state: w.state };
      if (w.connections !== undefined) summary.connections = w.connections;
      return stats === undefined ? summary : { ...summary, requests: stats.requests, inFlight: stats.inFlight };
    });
    const snapshots = answers.flatMap((s) => (s ? [s] : []));
    return { snapshots: this.#retired === undefined ? snapshots : [this.#retired, ...snapshots], workers };
  }

  /** The Prometheus text of the live workers that answered in time, and the cumulative families of those that exited. */
  async metrics(): Promise<{ live: string[]; retired: Exposition }> {
    const live = [...this.#workers.values()].filter((w) => w.state !== 'starting');
    const texts = await Promise.all(live.map((w) => this.#ask(w, 'metrics').then((m) => m?.text)));
    return { live: texts.flatMap((t) => (t === undefined ? [] : [t])), retired: this.#retiredMetrics };
  }

  /**
   * No worker accepts any more: each closes its listening sockets and says so (a restart's successor then alone
   * takes new connections, with its configuration); one starting is stopped. Resolves once all did or the wait ran
   * out.
   */
  async stopAccepting(): Promise<void> {
    this.#stopping = true;
    for (const timer of this.#timers) clearTimeout(timer);
    this.#timers.clear();
    await Promise.all(
      [...this.#workers.values()].map((w) => {
        if (w.state !== 'starting' && w.child.connected) return this.#ask(w, 'close');
        w.child.kill('SIGTERM');
        w.state = 'stopping';
        return undefined;
      }),
    );
  }

  /** Every worker drains (as on SIGTERM) and exits; resolves when all are gone. */
  async stop(): Promise<void> {
    this.#stopping = true;
    const exits = [...this.#workers.values()].map((w) => w.exited);
    for (const timer of this.#timers) clearTimeout(timer);
    this.#timers.clear();
    for (const w of this.#workers.values()) {
      if (w.state === 'stopping') continue;
      if (w.state === 'starting' || !w.child.connected) w.child.kill('SIGTERM');
      else w.child.send({ type: 'stop' } satisfies ToWorker);
      w.state = 'stopping';
    }
    await Promise.all(exits);
  }

  #spawn(n: number): void {
    const child = spawn(process.execPath, [...process.execArgv, ...process.argv.slice(1)], {
      env: { ...this.#env, [WORKER_VARIABLE]: String(n) },
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    const worker: Worker = {
      n,
      child,
      state: 'starting',
      asked: false,
      pending: new Map(),
      unsent: new Set(),
      exited: new Promise((resolve) => child.once('exit', () => resolve())),
    };
    this.#workers.set(n, worker);
    child.on('message', (message: FromWorker, handle: unknown) => this.#onMessage(worker, message, handle));
    child.on('error', (err) => this.#log.warn({ worker: n, err: String(err) }, 'edge worker: IPC or start failed'));
    child.once('exit', (code, signal) => this.#onExit(worker, code, signal));
  }

  #onMessage(worker: Worker, message: FromWorker, handle: unknown): void {
    switch (message.type) {
      case 'load':
        if (worker.state !== 'serving') return;
        worker.connections = message.open;
        this.#onLoad?.(worker.n, message.open, message.taken);
        return;
      case 'connection':
        if (!(handle instanceof Socket)) return;
        if (this.#onConnection !== undefined) this.#onConnection(worker.n, handle);
        else handle.destroy();
        return;
      case 'serving':
        worker.asked = true;
        if (!this.#stopping && this.#listeners !== undefined) sendListeners(worker.child, this.#listeners);
        this.#settle();
        return;
      case 'ready':
        if (worker.state !== 'starting') return;
        worker.state = 'serving';
        this.#log.info({ worker: worker.n, pid: message.pid }, 'edge worker serving');
        this.#onServing?.(worker.n);
        this.#settle();
        return;
      case 'stats':
      case 'metrics':
      case 'close':
        worker.pending.get(message.id)?.(message);
        return;
      case 'final':
        worker.final = message;
        return;
    }
  }

  #settle(): void {
    for (const waiter of this.#waiters) waiter();
  }

  #onExit(worker: Worker, code: number | null, signal: NodeJS.Signals | null): void {
    this.#workers.delete(worker.n);
    this.#onWorkerExit?.(worker.n);
    // Still queued to be sent: the socket has its descriptor, and nothing was read from it. (The one being sent when
    // the worker went is lost with it, as any connection of a worker that dies.)
    for (const socket of worker.unsent)
      if ((socket as unknown as { _handle: unknown })._handle) this.#onUnsent?.(socket);
      else socket.destroy();
    worker.unsent.clear();
    for (const settle of worker.pending.values()) settle(undefined);
    const final = worker.final;
    if (final !== undefined) {
      this.#retired = this.#retired === undefined ? final.stats : mergeSnapshots(this.#retired, [final.stats]);
      if (final.text !== undefined) retire(this.#retiredMetrics, parseExposition(final.text));
    }
    if (this.#stopping) {
      this.#settle();
      return;
    }
    this.#log.warn(
      { worker: worker.n, pid: worker.child.pid, code, signal, inMs: this.#respawnDelayMs },
      'edge worker exited; starting it again',
    );
    this.#respawns += 1;
    const timer = setTimeout(() => {
      this.#timers.delete(timer);
      this.#spawn(worker.n);
    }, this.#respawnDelayMs);
    this.#timers.add(timer);
  }

  #ask<T extends 'stats' | 'metrics' | 'close'>(
    worker: Worker,
    type: T,
  ): Promise<Extract<FromWorker, { type: T }> | undefined> {
    if (!worker.child.connected) return Promise.resolve(undefined);
    const id = this.#nextId++;
    return new Promise((resolve) => {
      const timer = setTimeout(() => settle(undefined), this.#askTimeoutMs);
      const settle = (message: FromWorker | undefined) => {
        clearTimeout(timer);
        worker.pending.delete(id);
        resolve(message as Extract<FromWorker, { type: T }> | undefined);
      };
      worker.pending.set(id, settle);
      worker.child.send({ type, id } satisfies ToWorker);
    });
  }
}

interface Worker {
  n: number;
  child: ChildProcess;
  state: WorkerSummary['state'];
  /** Its pools serve and it asked for the listening sockets. */
  asked: boolean;
  pending: Map<number, (message: FromWorker | undefined) => void>;
  exited: Promise<void>;
  final?: Extract<FromWorker, { type: 'final' }>;
  connections?: number;
  /** Connections passed to it and not yet sent. */
  unsent: Set<Socket>;
}
