import { createServer } from 'node:net';
import { describe, expect, it, onTestFinished } from 'vitest';
import { startAdminServer } from './admin-server';

async function start(ready = true) {
  const admin = await startAdminServer({
    name: 'svc',
    address: '127.0.0.1:0',
    ready: () => ready,
    stats: () => ({ inFlight: 3 }),
  });
  onTestFinished(() => admin.close());
  return `http://127.0.0.1:${admin.port}`;
}

describe('startAdminServer', () => {
  it('should answer /healthz, /readyz and /stats', async () => {
    const url = await start();
    expect((await fetch(`${url}/healthz`)).status).toBe(200);
    expect(await (await fetch(`${url}/readyz`)).json()).toEqual({ status: 'ready' });
    expect(await (await fetch(`${url}/stats`)).json()).toEqual({ inFlight: 3 });
  });

  it('should answer /readyz 503 while the service is not ready', async () => {
    const url = await start(false);
    expect((await fetch(`${url}/readyz`)).status).toBe(503);
    expect((await fetch(`${url}/healthz`)).status).toBe(200);
  });

  it('should say where metrics are when they are not served as Prometheus text', async () => {
    const res = await fetch(`${await start()}/metrics`);
    expect(res.status).toBe(404);
    expect(await res.text()).toContain('OTEL_METRICS_EXPORTER');
  });

  it('should serve stats and metrics a service gathers itself, as they arrive', async () => {
    const admin = await startAdminServer({
      name: 'svc',
      address: '127.0.0.1:0',
      ready: () => true,
      stats: () => Promise.resolve({ workers: 2 }),
      metrics: () => Promise.resolve('# TYPE up gauge\nup 1\n'),
    });
    onTestFinished(() => admin.close());
    const url = `http://127.0.0.1:${admin.port}`;
    expect(await (await fetch(`${url}/stats`)).json()).toEqual({ workers: 2 });
    const metrics = await fetch(`${url}/metrics`);
    expect(metrics.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
    expect(await metrics.text()).toBe('# TYPE up gauge\nup 1\n');
  });

  it('should refuse other paths and methods', async () => {
    const url = await start();
    expect((await fetch(`${url}/nope`)).status).toBe(404);
    expect((await fetch(`${url}/stats`, { method: 'POST' })).status).toBe(405);
  });

  it('should fail to start on a taken port, naming the address', async () => {
    const blocker = createServer();
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
    onTestFinished(() => void blocker.close());
    const address = `127.0.0.1:${(blocker.address() as { port: number }).port}`;
    await expect(startAdminServer({ name: 'svc', address, ready: () => true, stats: () => ({}) })).rejects.toThrow(
      `svc: cannot listen (admin) on ${address}: the address is already in use`,
    );
  });
});
