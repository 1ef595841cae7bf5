import { fork, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { get } from 'node:http';
import { createServer, type AddressInfo } from 'node:net';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { sendListeners } from './handover';

const FIXTURE = join(__dirname, 'fixtures', 'receive-listeners.mjs');

const children: ChildProcess[] = [];
afterEach(() => {
  for (const child of children.splice(0)) child.kill('SIGKILL');
});

/** The child's next message of `type`, or an error naming it after `timeoutMs`. */
function message(child: ChildProcess, type: string, timeoutMs = 5_000): Promise<void> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no "${type}" from the child within ${timeoutMs} ms`)), timeoutMs);
    const onMessage = (received: { type: string }) => {
      if (received.type !== type) return;
      clearTimeout(timer);
      child.off('message', onMessage);
      resolve();
    };
    child.on('message', onMessage);
  });
}

function body(port: number): Promise<string> {
  return new Promise((resolve, reject) => {
    get({ port, host: '127.0.0.1', agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => resolve(Buffer.concat(chunks).toString()));
    }).on('error', reject);
  });
}

describe('receiveListeners', () => {
  it('should hand its server a connection accepted before the server took the listening socket over', async () => {
    const child = fork(FIXTURE, { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    children.push(child);
    const listener = createServer();
    listener.listen(0, '127.0.0.1');
    await once(listener, 'listening');
    const { port } = listener.address() as AddressInfo;
    await message(child, 'serving');
    sendListeners(child, [listener]);
    await message(child, 'received');
    // From here only the child accepts, with the server Node made of the handle it received.
    listener.close();
    const answer = body(port);
    await message(child, 'connection');
    child.send({ type: 'listen' });
    await message(child, 'listening');
    expect(await answer).toBe('taken');
  });
});
