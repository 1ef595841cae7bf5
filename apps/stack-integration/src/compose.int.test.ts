import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { promisify } from 'node:util';
import { composeEnv, freePort, jaegerApi, ROOT, send } from '@mono/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const run = promisify(execFile);
const FILES = [
  '-f',
  join(ROOT, 'infra/compose/compose.yaml'),
  '-f',
  join(ROOT, 'infra/compose/compose.observability.yaml'),
];
/** The project name compose labels everything with; tools/docker/cleanup.sh removes leftovers by this prefix. */
const project = `mono-it-${randomBytes(4).toString('hex')}`;
let env: NodeJS.ProcessEnv;
let edgeUrl: string;
let jaegerUrl: string;

/** Debian's docker-compose 1.29, or the `docker compose` v2 plugin where that is what the machine has. */
async function compose(...args: string[]): Promise<string> {
  const v1 = await run('docker-compose', ['version'], { env }).then(
    () => true,
    () => false,
  );
  const [command, prefix] = v1 ? ['docker-compose', []] : ['docker', ['compose']];
  const { stdout } = await run(command, [...prefix, '-p', project, ...FILES, ...args], { env, maxBuffer: 16 << 20 });
  return stdout;
}

beforeAll(async () => {
  const [edgePort, jaegerPort] = await Promise.all([freePort(), freePort()]);
  env = { ...process.env, ...composeEnv(), HOST_PORT_EDGE: String(edgePort), JAEGER_UI_PORT: String(jaegerPort) };
  edgeUrl = `http://127.0.0.1:${edgePort}`;
  jaegerUrl = `http://127.0.0.1:${jaegerPort}`;
  await compose('up', '-d');
}, 180_000);
afterAll(async () => {
  await compose('down', '--volumes', '--remove-orphans', '--timeout', '5');
}, 60_000);

describe('docker compose up with the repo images', () => {
  it('should serve /hello on the published port once the health-gated start is done, and trace it in Jaeger', async () => {
    let status = 0;
    const deadline = Date.now() + 90_000;
    while (status !== 200 && Date.now() < deadline) {
      status = (await send(`${edgeUrl}/hello`).catch(() => ({ status: 0 }))).status;
      if (status !== 200) await sleep(250);
    }
    const res = await send(`${edgeUrl}/hello`);
    expect(res.body.toString()).toBe('Hello World!');
    const trace = await jaegerApi(jaegerUrl).completeTrace(String(res.headers['x-trace-id']), 7);
    expect(new Set(trace.spans.map((s) => trace.processes[s.processID]?.serviceName))).toEqual(
      new Set(['edge', 'gateway', 'framework']),
    );
    // The edge started only once the gateway was healthy, which started only once the framework and Jaeger were.
    let states = await compose('ps');
    for (const service of ['gateway', 'framework', 'jaeger'])
      expect(states).toMatch(new RegExp(`${service}.*Up.*\\(healthy\\)`));
    for (let i = 0; i < 60 && !/edge.*Up.*\(healthy\)/.test(states); i += 1) {
      await sleep(250);
      states = await compose('ps');
    }
    expect(states).toMatch(/edge.*Up.*\(healthy\)/);
  });
});
