import { lstatSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runFailing, send, startStack, type Stack } from '@mono/testing';

// The shipped files put the gateway and the framework on Unix sockets (docs/adr/0018-unix-sockets.md); here they
// listen in a directory of the test's own, so that a stack started by `serve` may run beside it.
const dir = mkdtempSync(join(tmpdir(), 'mono-sockets-'));
const gatewaySocket = join(dir, 'gateway.sock');
const frameworkSocket = join(dir, 'framework.sock');
let stack: Stack;

beforeAll(async () => {
  stack = await startStack({ sockets: dir });
});
afterAll(async () => {
  await stack?.stop();
  rmSync(dir, { recursive: true, force: true });
});

const isSocket = (path: string) => {
  try {
    return lstatSync(path).isSocket();
  } catch {
    return false;
  }
};

describe('gateway and framework on Unix sockets', () => {
  it('should serve through them: each listens only on its socket, and the edge and the gateway dial those', async () => {
    expect(stack.gateway.address).toBe(`unix:${gatewaySocket}`);
    expect(stack.framework.address).toBe(`unix:${frameworkSocket}`);
    expect(isSocket(gatewaySocket) && isSocket(frameworkSocket)).toBe(true);
    const res = await send(`${stack.url}/hello`);
    expect(res.status).toBe(200);
    expect(res.body.toString()).toBe('Hello World!');
  });

  it('should refuse to start a second framework on a socket another one listens on, and leave that one serving', async () => {
    const second = await runFailing('framework', {
      FRAMEWORK_LISTEN: `unix:${frameworkSocket}`,
      FRAMEWORK_ADMIN: '127.0.0.1:0',
    });
    expect(second.code).toBe(1);
    expect(second.stderr).toContain(
      `framework: cannot listen on unix:${frameworkSocket}: another process listens on it`,
    );
    expect((await send(`${stack.url}/hello`)).status).toBe(200);
  });

  it('should take over the socket file a killed framework left, and serve again', async () => {
    stack.framework.signal('SIGKILL');
    await stack.framework.exited;
    expect(isSocket(frameworkSocket)).toBe(true);
    expect((await send(`${stack.url}/hello`)).status).toBe(502);

    await stack.restartFramework();
    // The gateway's channel reconnects on gRPC's backoff (100 ms to 1 s): a poll, as in stack.e2e.test.ts.
    let status = 0;
    for (const started = performance.now(); performance.now() - started < 3_000; await sleep(25)) {
      status = (await send(`${stack.url}/hello`)).status;
      if (status === 200) break;
    }
    expect(status).toBe(200);
  });

  it('should remove its socket file when it stops', async () => {
    await stack.gateway.stop();
    expect(isSocket(gatewaySocket)).toBe(false);
    await stack.framework.stop();
    expect(isSocket(frameworkSocket)).toBe(false);
  });
});
