import { lstat, unlink } from 'node:fs/promises';
import { connect } from 'node:net';
import { isUnix } from '@mono/config';

/**
 * Makes way for `name`'s server about to listen on `address`. For `unix:/path`, a socket file that nothing accepts on
 * any more (left by a process that was killed) is removed; a live one, or a file that is not a socket, is an error that
 * says so. Nothing happens when the path is free, nor for a TCP address.
 *
 * @example
 * await clearStaleSocket('unix:/tmp/mono-gateway.sock', 'gateway');
 */
export async function clearStaleSocket(address: string, name: string): Promise<void> {
  if (!isUnix(address)) return;
  const path = address.slice('unix:'.length);
  const refuse = (why: string) => new Error(`${name}: cannot listen on unix:${path}: ${why}`);
  const stat = await lstat(path).catch((err: NodeJS.ErrnoException) => {
    if (err.code === 'ENOENT') return undefined;
    throw err;
  });
  if (stat === undefined) return;
  if (!stat.isSocket()) throw refuse('a file that is not a socket is in the way');
  if (await accepts(path)) throw refuse('another process listens on it');
  await unlink(path).catch((err: NodeJS.ErrnoException) => {
    if (err.code !== 'ENOENT') throw err;
  });
}

function accepts(path: string): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ path });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}
