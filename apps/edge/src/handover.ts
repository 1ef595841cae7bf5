import { spawn, type ChildProcess } from 'node:child_process';
import type { Server, Socket } from 'node:net';

/** Set in the environment of an edge started to take over a listening socket (never by a person). */
export const TAKEOVER_VARIABLE = 'MONO_EDGE_TAKEOVER';

export type HandoverMessage =
  | { type: 'serving' }
  | { type: 'listener'; index: number }
  | { type: 'listeners'; count: number }
  | { type: 'ready'; pid: number };

/**
 * Starts a new edge process with this process's command line and environment (so it reads its configuration file
 * and certificates afresh), hands it the listening sockets over IPC (plain, then HTTPS) once its gateway pools serve,
 * and resolves with its pid once it reports it accepts — or rejects if it exits first or is not ready in time (a
 * configuration that fails to load, or gateways the new edge cannot reach, leave this edge serving). Until the new
 * edge's pools serve, only this edge accepts, so no request meets a new edge that would answer 503; then both accept
 * from the same sockets, so no connection waiting in a backlog is lost, which closing one of two SO_REUSEPORT sockets
 * would do; the caller then stops accepting and drains (docs/adr/0006-resilience.md).
 *
 * @example
 * process.on('SIGHUP', () => handOver(edge.listeners, process.env).then(() => edge.shutdown()));
 */
export function handOver(
  listeners: readonly Server[],
  env: NodeJS.ProcessEnv,
  readyTimeoutMs = 30_000,
): Promise<number> {
  const successor = spawn(process.execPath, [...process.execArgv, ...process.argv.slice(1)], {
    env: { ...env, [TAKEOVER_VARIABLE]: '1' },
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  return new Promise((resolve, reject) => {
    const fail = (err: Error) => {
      clearTimeout(timer);
      successor.off('exit', onExit);
      if (successor.exitCode === null) successor.kill('SIGKILL');
      reject(err);
    };
    const onExit = (code: number | null) => fail(new Error(`the new edge exited (code ${code}) before it was ready`));
    const timer = setTimeout(
      () => fail(new Error(`the new edge was not ready within ${readyTimeoutMs} ms`)),
      readyTimeoutMs,
    );
    successor.once('exit', onExit);
    successor.on('message', (message: HandoverMessage) => {
      if (message.type === 'serving') sendListeners(successor, listeners);
      if (message.type !== 'ready') return;
      clearTimeout(timer);
      successor.off('exit', onExit);
      successor.disconnect();
      successor.unref();
      resolve(message.pid);
    });
  });
}

/** Hands the listening sockets to an edge that asked for them (`receiveListeners`), in order. */
export function sendListeners(to: ChildProcess, listeners: readonly Server[]): void {
  listeners.forEach((server, index) => to.send({ type: 'listener', index } satisfies HandoverMessage, server));
  to.send({ type: 'listeners', count: listeners.length } satisfies HandoverMessage);
}

/**
 * In an edge that `handOver` or a primary's `EdgeWorkers` started, once its pools serve: asks for the listening
 * sockets, in the order of the edge that holds them, and resolves with them for `targets` to listen on.
 * Node makes each handle it receives a listening server of its own, which accepts from the first turn of the event
 * loop on; until a target takes its handle over (`target.listen(handle)`), what it accepts goes to that target, so
 * that no connection is accepted by a server nobody listens to.
 */
export function receiveListeners(targets: readonly Server[]): Promise<Server[]> {
  return new Promise((resolve, reject) => {
    if (process.send === undefined) {
      reject(new Error('this edge was started to share listening sockets but has no parent to take them from'));
      return;
    }
    const handles: Server[] = [];
    const onMessage = (message: HandoverMessage, handle: Server | undefined) => {
      if (message.type === 'listener' && handle !== undefined) {
        const target = targets[message.index];
        if (target !== undefined) handle.on('connection', (socket: Socket) => target.emit('connection', socket));
        handles[message.index] = handle;
      }
      if (message.type !== 'listeners') return;
      process.off('message', onMessage);
      resolve(handles);
    };
    process.on('message', onMessage);
    process.send({ type: 'serving' } satisfies HandoverMessage);
  });
}

/** Tells the predecessor that this edge serves: it stops accepting and drains. */
export function reportTakeover(): void {
  process.send?.({ type: 'ready', pid: process.pid } satisfies HandoverMessage, () => process.disconnect());
}
