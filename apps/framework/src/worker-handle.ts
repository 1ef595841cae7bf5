import type { Worker } from 'node:cluster';
import type { FromWorker, ToWorker, WorkerSnapshot } from './worker-messages';

/** Where a worker is in its life, as the master has it. */
export type WorkerState = 'starting' | 'serving' | 'retiring' | 'stopping' | 'gone';

/** How one worker stands, as `/stats` lists it. */
export interface WorkerSummary {
  pid: number;
  generation: number;
  state: WorkerState;
  startedAt: string;
  requests?: number;
  inFlight?: number;
  rssMiB?: number;
}

/** How long the master waits for a worker's answer to a question about its counters. */
const ASK_TIMEOUT_MS = 1_000;

/** One worker process as the master sees it. */
export class WorkerHandle {
  readonly generation: number;
  readonly worker: Worker;
  readonly startedAt = new Date();
  state: WorkerState = 'starting';
  port = 0;
  files: string[] = [];
  signalled = false;
  final: WorkerSnapshot | undefined;
  finalText: string | undefined;
  readonly #pending = new Map<number, (message: FromWorker | undefined) => void>();
  #nextId = 1;

  constructor(generation: number, worker: Worker) {
    this.generation = generation;
    this.worker = worker;
  }

  get pid(): number {
    return this.worker.process.pid ?? 0;
  }

  tell(message: ToWorker): void {
    if (this.worker.isConnected()) this.worker.send(message);
  }

  /** Its answer to a question, or undefined if it does not answer in time (or is gone). */
  ask<T extends 'stats' | 'metrics'>(type: T): Promise<Extract<FromWorker, { type: T }> | undefined> {
    if (!this.worker.isConnected()) return Promise.resolve(undefined);
    const id = this.#nextId++;
    return new Promise((resolve) => {
      const timer = setTimeout(() => this.answered(id, undefined), ASK_TIMEOUT_MS);
      this.#pending.set(id, (message) => {
        clearTimeout(timer);
        resolve(message as Extract<FromWorker, { type: T }> | undefined);
      });
      this.worker.send({ type, id } satisfies ToWorker);
    });
  }

  answered(id: number, message: FromWorker | undefined): void {
    const settle = this.#pending.get(id);
    this.#pending.delete(id);
    settle?.(message);
  }

  gone(): void {
    this.state = 'gone';
    for (const id of [...this.#pending.keys()]) this.answered(id, undefined);
  }
}

/** The worker as `/stats` lists it, with its counters when it answered. */
export function summary(handle: WorkerHandle, stats: WorkerSnapshot | undefined): WorkerSummary {
  return {
    pid: handle.pid,
    generation: handle.generation,
    state: handle.state,
    startedAt: handle.startedAt.toISOString(),
    ...(stats === undefined
      ? {}
      : { requests: stats.requests, inFlight: stats.inFlight, rssMiB: Math.round(stats.rssBytes / 1_048_576) }),
  };
}
