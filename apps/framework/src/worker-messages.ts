import type { FrameworkSnapshot } from './framework-stats';

/** What a worker reports of itself: its counters and its memory. */
export type WorkerSnapshot = FrameworkSnapshot & { rssBytes: number };

/** The master's messages to a worker (docs/adr/0010-applications-and-reloads.md). */
export type ToWorker =
  | { type: 'stats'; id: number }
  | { type: 'metrics'; id: number }
  /** A new worker serves: stop listening, serve what reaches this one still, finish, exit. */
  | { type: 'retire' }
  /** The service stops: NOT_SERVING, refuse new requests, finish within the grace period, exit. */
  | { type: 'stop' };

/** A worker's messages to the master. */
export type FromWorker =
  /** It listens and serves; `files` are the modules its applications loaded (for FRAMEWORK_WATCH). */
  | { type: 'ready'; port: number; files: string[] }
  /** It could not start (a module that fails to load, a configuration that no longer validates); it exits. */
  | { type: 'failed'; reason: string }
  | { type: 'stats'; id: number; stats: WorkerSnapshot }
  | { type: 'metrics'; id: number; text: string | undefined }
  /** It passed FRAMEWORK_MAX_REQUESTS or FRAMEWORK_RELOAD_ON_RSS: the master replaces it. */
  | { type: 'recycle'; reason: string }
  /** It got SIGTERM or SIGINT itself (a process-tree kill): the service stops. */
  | { type: 'signalled'; signal: string }
  /** Its last counters, sent as it exits, so that the master's totals keep what it served. */
  | { type: 'final'; stats: WorkerSnapshot; text: string | undefined };
