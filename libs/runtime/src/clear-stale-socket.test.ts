import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { lstat, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { clearStaleSocket } from './clear-stale-socket';

describe('clearStaleSocket', () => {
  let dir: string;
  const servers: Server[] = [];

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'stale-socket-'));
  });

  afterEach(async () => {
    for (const server of servers.splice(0)) await new Promise((resolve) => server.close(resolve));
    await rm(dir, { recursive: true, force: true });
  });

  const listen = async (path: string): Promise<Server> => {
    const server = createServer();
    servers.push(server);
    server.listen(path);
    await once(server, 'listening');
    return server;
  };

  /** What a SIGKILLed server leaves: its socket file, nothing accepting on it. */
  const leftover = async (path: string): Promise<void> => {
    const child = spawn(
      process.execPath,
      ['-e', `require('node:net').createServer().listen(${JSON.stringify(path)}, () => console.log('listening'))`],
      { stdio: ['ignore', 'pipe', 'inherit'] },
    );
    await once(child.stdout, 'data');
    child.kill('SIGKILL');
    await once(child, 'exit');
  };

  it('should do nothing where the path is free', async () => {
    await expect(clearStaleSocket(`unix:${join(dir, 'free.sock')}`, 'test')).resolves.toBeUndefined();
  });

  it('should remove the socket a killed server left, so that a new server can listen there', async () => {
    const path = join(dir, 'stale.sock');
    await leftover(path);
    expect((await lstat(path)).isSocket()).toBe(true);
    await expect(listen(path)).rejects.toMatchObject({ code: 'EADDRINUSE' });
    await clearStaleSocket(`unix:${path}`, 'test');
    await expect(lstat(path)).rejects.toMatchObject({ code: 'ENOENT' });
    await expect(listen(path)).resolves.toBeDefined();
  });

  it('should refuse a socket another process accepts on, and leave it', async () => {
    const path = join(dir, 'live.sock');
    await listen(path);
    await expect(clearStaleSocket(`unix:${path}`, 'test')).rejects.toThrow(
      `test: cannot listen on unix:${path}: another process listens on it`,
    );
    expect((await lstat(path)).isSocket()).toBe(true);
  });

  it('should refuse a file that is not a socket, and leave it', async () => {
    const path = join(dir, 'file.sock');
    await writeFile(path, 'data');
    await expect(clearStaleSocket(`unix:${path}`, 'test')).rejects.toThrow(
      `test: cannot listen on unix:${path}: a file that is not a socket is in the way`,
    );
    expect((await lstat(path)).isFile()).toBe(true);
  });
});
