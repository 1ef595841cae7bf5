import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { promisify } from 'node:util';
import { composeEnv, freePort, ROOT, send, startLoad, vegetaPath, type LoadResult } from '@mono/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const run = promisify(execFile);
const FILES = ['-f', join(ROOT, 'infra/compose/compose.yaml')];
/** The project name compose labels everything with; tools/docker/cleanup.sh removes leftovers by this prefix. */
const project = `mono-it-${randomBytes(4).toString('hex')}`;
/** Every service's admin listener, inside its container (on loopback there, as shipped). */
const ADMIN = { gateway: 9051, framework: 9061 } as const;
/** How often the edge and the gateways look their upstreams' names up again (the shipped files' resolveEvery). */
const RESOLVE_EVERY_MS = 5_000;
let env: NodeJS.ProcessEnv;
let edgeUrl: string;

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

/** The containers of one service, by id. */
async function containers(service: 'gateway' | 'framework'): Promise<string[]> {
  return (await compose('ps', '-q', service)).split('\n').filter(Boolean);
}

/** A container's `/stats`, asked from inside it (the admin listener stays on the container's loopback). */
async function stats(id: string, service: keyof typeof ADMIN): Promise<{ requests: number }> {
  const script = `fetch('http://127.0.0.1:${ADMIN[service]}/stats').then((r) => r.text()).then((t) => process.stdout.write(t))`;
  const { stdout } = await run('docker', ['exec', id, 'node', '-e', script], { env });
  return JSON.parse(stdout) as { requests: number };
}

async function requestsBy(service: keyof typeof ADMIN): Promise<Map<string, number>> {
  const ids = await containers(service);
  return new Map(await Promise.all(ids.map(async (id) => [id, (await stats(id, service)).requests] as const)));
}

function describeFailures(result: LoadResult): string {
  return JSON.stringify({ byStatus: result.byStatus, errors: result.errors, first: result.failures.slice(0, 5) });
}

/** Runs `action` `afterMs` into a load, on the load's clock. */
function after(afterMs: number, action: () => Promise<unknown>): Promise<unknown> {
  return new Promise((resolve, reject) => setTimeout(() => action().then(resolve, reject), afterMs));
}

const withVegeta = vegetaPath() === undefined ? describe.skip : describe;

beforeAll(async () => {
  const edgePort = await freePort();
  env = { ...process.env, ...composeEnv(), HOST_PORT_EDGE: String(edgePort) };
  edgeUrl = `http://127.0.0.1:${edgePort}`;
  await compose('up', '-d', '--scale', 'gateway=3', '--scale', 'framework=3');
  const deadline = Date.now() + 120_000;
  let status = 0;
  while (status !== 200 && Date.now() < deadline) {
    status = (await send(`${edgeUrl}/hello`).catch(() => ({ status: 0 }))).status;
    if (status !== 200) await sleep(250);
  }
  expect(status).toBe(200);
}, 180_000);
afterAll(async () => {
  await compose('down', '--volumes', '--remove-orphans', '--timeout', '5');
}, 60_000);

withVegeta('docker compose up --scale gateway=3 --scale framework=3', () => {
  it('should spread the load over all six inner instances, found through their service names', async () => {
    const before = { gateway: await requestsBy('gateway'), framework: await requestsBy('framework') };
    expect(before.gateway.size).toBe(3);
    expect(before.framework.size).toBe(3);
    const result = await startLoad({ url: `${edgeUrl}/hello`, rate: 200, durationMs: 5_000 }).done;
    expect(result.failed, describeFailures(result)).toBe(0);
    for (const service of ['gateway', 'framework'] as const) {
      const now = await requestsBy(service);
      for (const [id, requests] of now) {
        expect(requests - (before[service].get(id) ?? 0), `${service} ${id.slice(0, 12)}`).toBeGreaterThan(50);
      }
    }
  });

  it('should fail no request when one gateway and one framework are stopped under load', async () => {
    const [gateway] = await containers('gateway');
    const [framework] = await containers('framework');
    const load = startLoad({ url: `${edgeUrl}/hello`, rate: 200, durationMs: 10_000 });
    await after(2_000, () => run('docker', ['stop', '-t', '30', gateway as string], { env }));
    await after(1_000, () => run('docker', ['stop', '-t', '30', framework as string], { env }));
    const result = await load.done;
    expect(result.failed, describeFailures(result)).toBe(0);
    await compose('up', '-d', '--scale', 'gateway=3', '--scale', 'framework=3');
  });

  it('should send requests to an instance added under load within the re-resolve interval', async () => {
    const before = new Set(await containers('gateway'));
    const load = startLoad({ url: `${edgeUrl}/hello`, rate: 200, durationMs: 20_000 });
    let added = '';
    let addedAt = 0;
    await after(2_000, async () => {
      await compose('up', '-d', '--no-recreate', '--scale', 'gateway=4', '--scale', 'framework=3');
      added = (await containers('gateway')).find((id) => !before.has(id)) ?? '';
      addedAt = Date.now();
    });
    expect(added).not.toBe('');
    let served = 0;
    while (served === 0 && Date.now() - addedAt < 3 * RESOLVE_EVERY_MS) {
      served = (await stats(added, 'gateway')).requests;
      if (served === 0) await sleep(200);
    }
    const waited = Date.now() - addedAt;
    const result = await load.done;
    expect(result.failed, describeFailures(result)).toBe(0);
    expect(served).toBeGreaterThan(0);
    // Its health gates it: ready once its own framework pool served (the image's start), then the edge's next lookup.
    expect(waited).toBeLessThan(RESOLVE_EVERY_MS + 5_000);
  });
});
