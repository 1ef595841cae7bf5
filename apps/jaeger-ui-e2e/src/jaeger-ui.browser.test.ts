import { spawnSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT, send, startJaeger, startStack, type Jaeger, type Stack } from '@mono/testing';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chromiumMissing, launchChromium } from './chromium';
import { headerFigures, timelineRows, type TimelineRow } from './trace-page';

/** Screenshots go with the test results (the test command's report directory), else to tmp/. */
const SHOTS = join(process.env['MONO_TEST_REPORT_DIR'] ?? join(ROOT, 'tmp'), 'jaeger-ui');
const SPANS_PER_REQUEST = 7;

/** Why this suite cannot run here (no browser, no UI assets), or undefined; it then reports itself skipped by name. */
function skipReason(): string | undefined {
  const browser = chromiumMissing();
  if (browser) return browser;
  const ui = spawnSync('bash', [join(ROOT, 'tools', 'jaeger', 'ensure-ui.sh')], { encoding: 'utf8' });
  if (ui.status !== 0)
    return `no Jaeger UI assets (${ui.stderr.trim().split('\n')[0] ?? 'tools/jaeger/ensure-ui.sh failed'})`;
  return undefined;
}

const skip = skipReason();
if (skip) console.warn(`jaeger-ui-e2e: SKIPPED: ${skip}`);

let jaeger: Jaeger;
let stack: Stack;
let browser: Browser;

/** The hops of every request, top to bottom, each one level below the one before; last, Express's route handler. */
function hops(method: string): Array<[string, string | RegExp]> {
  return [
    ['edge', method],
    ['edge', 'mono.gateway.v1.GatewayService/Exchange'],
    ['gateway', 'mono.gateway.v1.GatewayService/Exchange'],
    ['gateway', 'gateway invoke'],
    ['gateway', 'mono.framework.v1.FrameworkService/Exchange'],
    ['framework', 'mono.framework.v1.FrameworkService/Exchange'],
    ['framework', /^request handler/],
  ];
}

function expectHops(rows: TimelineRow[], method: string): void {
  const expected = hops(method);
  expect(rows.map((row) => row.service)).toEqual(expected.map(([service]) => service));
  rows.forEach((row, i) => expect(row.operation).toMatch(expected[i]?.[1] ?? ''));
}

/** Opens the UI's page for the trace the response names, as a person following X-Trace-Id would, and screenshots it. */
async function openTrace(traceId: string, name: string): Promise<{ page: Page; rows: TimelineRow[] }> {
  await jaeger.completeTrace(traceId, SPANS_PER_REQUEST);
  const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
  await page.goto(`${jaeger.queryUrl}/trace/${traceId}`);
  await expect.poll(async () => (await timelineRows(page)).length, { timeout: 20_000 }).toBe(SPANS_PER_REQUEST);
  mkdirSync(SHOTS, { recursive: true });
  await page.screenshot({ path: join(SHOTS, `${name}.png`), fullPage: true });
  return { page, rows: await timelineRows(page) };
}

/** Each row one level below the one above it, and its parent the row above: the chain of hops, parent → child. */
function expectChain(rows: TimelineRow[]): void {
  rows.forEach((row, i) => {
    expect(row.depth, `${row.service} ${row.operation}`).toBe(i + 1);
    if (i > 0) expect(row.ancestors.at(-1), `${row.service} ${row.operation}`).toBe(rows[i - 1]?.spanId);
  });
}

describe.skipIf(skip !== undefined)(`the Jaeger UI in headless Chromium${skip ? ` (skipped: ${skip})` : ''}`, () => {
  beforeAll(async () => {
    jaeger = await startJaeger();
    expect(jaeger.ui, 'Jaeger serves the UI, not its placeholder').toBe(true);
    stack = await startStack({
      common: {
        OTEL_TRACES_EXPORTER: 'otlp',
        OTEL_EXPORTER_OTLP_ENDPOINT: jaeger.otlpHttp,
        OTEL_BSP_SCHEDULE_DELAY: '100',
      },
    });
    browser = await launchChromium();
  }, 120_000);
  afterAll(async () => {
    await browser?.close();
    await stack?.stop();
    await jaeger?.stop();
  });

  it('should show a /hello trace: three services, the hops parent to child, no error', async () => {
    const res = await send(`${stack.url}/hello`);
    const { page, rows } = await openTrace(String(res.headers['x-trace-id']), 'hello');
    await expect.poll(() => page.locator('.TracePageHeader--title').textContent()).toContain('edge: GET');
    expect(await headerFigures(page)).toMatchObject({ Services: '3', 'Total Spans': String(SPANS_PER_REQUEST) });
    expectHops(rows, 'GET');
    expectChain(rows);
    expect(rows.filter((row) => row.error)).toEqual([]);
    await page.close();
  });

  it('should mark /boom failed where the app threw and at the edge, and nowhere between', async () => {
    const res = await send(`${stack.url}/boom`);
    expect(res.status).toBe(500);
    const { page, rows } = await openTrace(String(res.headers['x-trace-id']), 'boom');
    expectHops(rows, 'GET');
    expectChain(rows);
    const failed = rows.filter((row) => row.error);
    expect(failed.map((row) => row.service)).toEqual(['edge', 'framework']);
    expect(failed.map((row) => row.operation)).toEqual(['GET', expect.stringMatching(/^request handler/)]);
    await page.close();
  });

  it('should show a POST /echo trace with its hops', async () => {
    const res = await send(`${stack.url}/echo`, {
      method: 'POST',
      headers: { 'content-type': 'text/plain' },
      body: Buffer.from('seen in a browser'),
    });
    expect(res.body.toString()).toBe('seen in a browser');
    const { page, rows } = await openTrace(String(res.headers['x-trace-id']), 'echo');
    expect(await headerFigures(page)).toMatchObject({ Services: '3' });
    expectHops(rows, 'POST');
    expectChain(rows);
    await page.close();
  });

  it('should name the Jaeger release it runs under About Jaeger', async () => {
    const page = await browser.newPage();
    await page.goto(`${jaeger.queryUrl}/search`);
    await page.getByText('About Jaeger').hover();
    await expect.poll(() => page.getByText(/v2\.\d+\.\d+/).count(), { timeout: 10_000 }).toBeGreaterThan(0);
    await page.close();
  });
});
