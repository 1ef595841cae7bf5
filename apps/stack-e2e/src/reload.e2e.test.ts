import { writeFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterEach, describe, expect, it } from 'vitest';
import { send, startStack, type Stack } from '@mono/testing';
import { demoCopy, hello, NEW_TEXT, OLD_TEXT, RELOADED, rewrite } from './reload-fixtures';

async function admin(stack: Stack, path: string): Promise<string> {
  const res = await send(`http://127.0.0.1:${stack.framework.adminPort}${path}`);
  expect(res.status, path).toBe(200);
  return res.body.toString();
}

interface Stats {
  requests: number;
  byStatus: Record<string, number>;
  applications: Record<string, { requests: number; byStatus: Record<string, number> }>;
  workers: Array<{ pid: number; generation: number; state: string }>;
  reloads: { done: number; failed: number };
  respawns: number;
}

let stack: Stack | undefined;
afterEach(async () => {
  await stack?.stop();
  stack = undefined;
});

describe('reloading the framework', () => {
  it('should reload on SIGHUP, and count what every worker served in /stats and /metrics', async () => {
    const app = demoCopy();
    stack = await startStack({ framework: { FRAMEWORK_APP: app } });
    for (let i = 0; i < 5; i += 1) expect(await hello(stack)).toBe(OLD_TEXT);
    const before = JSON.parse(await admin(stack, '/stats')) as Stats;
    expect(before.workers).toEqual([expect.objectContaining({ generation: 1, state: 'serving' })]);
    rewrite(app, OLD_TEXT, NEW_TEXT);
    stack.framework.signal('SIGHUP');
    await stack.framework.waitForLog((line) => line['msg'] === RELOADED);
    // Once the old worker is gone every request reaches the new one; its requests still count.
    const old = before.workers[0]?.pid;
    await stack.framework.waitForLog((line) => line['msg'] === 'worker exited' && line['pid'] === old);
    expect(await hello(stack)).toBe(NEW_TEXT);
    const stats = JSON.parse(await admin(stack, '/stats')) as Stats;
    expect(stats).toMatchObject({
      requests: 6,
      byStatus: { '200': 6 },
      applications: { default: { requests: 6, byStatus: { '200': 6 } } },
      reloads: { done: 1, failed: 0 },
      respawns: 0,
    });
    expect(stats.workers).toEqual([expect.objectContaining({ generation: 2, state: 'serving' })]);
    const metrics = await admin(stack, '/metrics');
    const count = /^rpc_server_call_duration_count\{([^}]*)\} (\d+)$/m.exec(metrics);
    expect(count?.[1]).toContain('mono_framework_application="default"');
    expect(count?.[1]).toContain('http_response_status_code="200"');
    expect(Number(count?.[2])).toBe(6);
  });

  it('should keep the old code serving when the new one fails to load, and log why', async () => {
    const app = demoCopy();
    stack = await startStack({ framework: { FRAMEWORK_APP: app } });
    const pid = Number(stack.framework.logs.find((line) => line['msg'] === 'framework listening')?.['pid']);
    writeFileSync(app, "throw new Error('a syntax the new code broke');\n");
    stack.framework.signal('SIGHUP');
    const failed = await stack.framework.waitForLog(
      (line) => line['msg'] === 'reload failed: the old worker serves on',
    );
    expect(String(failed['why'])).toContain('a syntax the new code broke');
    expect(await hello(stack)).toBe(OLD_TEXT);
    const stats = JSON.parse(await admin(stack, '/stats')) as Stats;
    expect(stats.workers).toEqual([expect.objectContaining({ pid, state: 'serving' })]);
    expect(stats.reloads).toMatchObject({ done: 0, failed: 1 });
  });

  it('should replace the worker after FRAMEWORK_MAX_REQUESTS requests, failing none', async () => {
    stack = await startStack({ framework: { FRAMEWORK_MAX_REQUESTS: '20' } });
    for (let i = 0; i < 20; i += 1) expect(await hello(stack)).toBe(OLD_TEXT);
    const reloaded = await stack.framework.waitForLog((line) => line['msg'] === RELOADED);
    expect(reloaded['reason']).toBe('recycle: served 20 requests (max 20)');
    for (let i = 0; i < 5; i += 1) expect(await hello(stack)).toBe(OLD_TEXT);
  });

  it('should reload when a file an application loaded changes, with FRAMEWORK_WATCH', async () => {
    const app = demoCopy();
    stack = await startStack({ framework: { FRAMEWORK_APP: app, FRAMEWORK_WATCH: 'true' } });
    const old = stack.framework.logs.find((line) => line['msg'] === 'framework listening')?.['pid'];
    expect(await hello(stack)).toBe(OLD_TEXT);
    rewrite(app, OLD_TEXT, NEW_TEXT);
    const reloaded = await stack.framework.waitForLog((line) => line['msg'] === RELOADED);
    expect(reloaded['reason']).toBe(`${app} changed`);
    // Once the old worker is gone every request reaches the new one.
    await stack.framework.waitForLog((line) => line['msg'] === 'worker exited' && line['pid'] === old);
    expect(await hello(stack)).toBe(NEW_TEXT);
  });

  it('should replace a worker that dies, on the same port', async () => {
    stack = await startStack();
    const first = stack.framework.logs.find((line) => line['msg'] === 'framework listening');
    process.kill(Number(first?.['pid']), 'SIGKILL');
    await stack.framework.waitForLog((line) => line['msg'] === 'worker gone: starting another');
    const second = await stack.framework.waitForLog(
      (line) => line['msg'] === 'framework listening' && line['pid'] !== first?.['pid'],
    );
    expect(second['address']).toBe(first?.['address']);
    // The gateway reconnects on gRPC's backoff: a poll, as in the stack suite's restart test.
    const back = performance.now();
    let status = 0;
    while (performance.now() - back < 3_000) {
      status = (await send(`${stack.url}/hello`)).status;
      if (status === 200) break;
      await sleep(25);
    }
    expect(status).toBe(200);
    expect((JSON.parse(await admin(stack, '/stats')) as Stats).respawns).toBe(1);
  });
});
