import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROOT, send, startStack, type Stack } from '@mono/testing';

const fixtures = join(ROOT, 'apps', 'stack-e2e', 'src', 'fixtures');

async function environ(url: string): Promise<Record<string, unknown>> {
  const res = await send(url);
  expect(res.status, url).toBe(200);
  return JSON.parse(res.body.toString()) as Record<string, unknown>;
}

describe('the shipped configuration: three applications behind one framework', () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack();
  });
  afterAll(async () => {
    await stack?.stop();
  });

  it('should route /, /fetch and /plain to their applications, each seeing its mount as SCRIPT_NAME', async () => {
    for (const [prefix, scriptName] of [
      ['', ''],
      ['/fetch', '/fetch'],
      ['/plain', '/plain'],
    ] as const) {
      expect(await environ(`${stack.url}${prefix}/environ`), prefix || '/').toMatchObject({
        SCRIPT_NAME: scriptName,
        PATH_INFO: '/environ',
        REQUEST_URI: `${prefix}/environ`,
      });
    }
    // Each answers /hello itself: the Express app, the fetch handler and the plain function.
    for (const prefix of ['', '/fetch', '/plain']) {
      expect((await send(`${stack.url}${prefix}/hello`)).body.toString(), prefix || '/').toBe('Hello World!');
    }
  });

  it('should not route /fetchx to /fetch: the default application answers it', async () => {
    const res = await send(`${stack.url}/fetchx/environ`);
    // Express's own 404 (the fetch handler's would be "Not Found"), for the path below the root mount.
    expect(res.status).toBe(404);
    expect(res.body.toString()).toContain('Cannot GET /fetchx/environ');
  });
});

describe('applications with their own variables, and a mount naming an application nobody hosts', () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack({
      framework: { FRAMEWORK_CONFIG: join(fixtures, 'applications-framework.yaml') },
      gateway: { GATEWAY_CONFIG: join(fixtures, 'applications-gateway.yaml') },
    });
  });
  afterAll(async () => {
    await stack?.stop();
  });

  it("should give each application its own variables as it loads and in its environ, never another's", async () => {
    expect(JSON.parse((await send(`${stack.url}/hi/`)).body.toString())).toEqual({
      atLoad: 'hi',
      inEnviron: 'hi',
      perRequest: '(unset)',
    });
    // The same module under another name: one instance (Node caches modules), its own environ.
    expect(JSON.parse((await send(`${stack.url}/hello/`)).body.toString())).toEqual({
      atLoad: 'hi',
      inEnviron: 'hello',
      perRequest: '(unset)',
    });
    expect(await environ(`${stack.url}/environ`)).not.toHaveProperty('GREETING');
  });

  it('should answer a mount whose application is not hosted with 404 FW_ERR_NO_APPLICATION, and log it once', async () => {
    for (let i = 0; i < 2; i += 1) {
      const res = await send(`${stack.url}/ghost/x`);
      expect(res.status).toBe(404);
      expect(res.headers['content-type']).toBe('application/problem+json');
      expect(JSON.parse(res.body.toString())).toMatchObject({ status: 404, code: 'FW_ERR_NO_APPLICATION' });
    }
    const logged = stack.framework.logs.filter(
      (line) => line['msg'] === 'a request names an application that is not hosted here',
    );
    expect(logged).toEqual([expect.objectContaining({ application: 'ghost', level: 'error' })]);
  });
});
