import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { freePort } from './free-port';

const servers: Server[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => new Promise((resolve) => s.close(resolve))));
});

function listen(port: number): Promise<Server> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolve(server));
    servers.push(server);
  });
}

describe('freePort', () => {
  it('should give a port below the kernel ephemeral range that a server can listen on', async () => {
    const [low] = readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8').trim().split(/\s+/).map(Number);
    const port = await freePort();
    expect(port).toBeGreaterThanOrEqual(20_000);
    expect(port).toBeLessThan(low as number);
    await expect(listen(port)).resolves.toBeDefined();
  });

  it('should never give the same port twice, nor one something listens on', async () => {
    const ports = new Set<number>();
    for (let i = 0; i < 50; i += 1) {
      const port = await freePort();
      expect(ports.has(port)).toBe(false);
      ports.add(port);
      await listen(port);
    }
  });
});
