import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, describe, expect, it } from 'vitest';
import { startLoad, startStack, vegetaPath, type Stack } from '@mono/testing';
import { demoCopy, NEW_TEXT, OLD_TEXT, RELOADED, rewrite, untilServed } from './reload-fixtures';

// Alone, after every other file of the suite (vitest.config.mts): it bounds how long a reload takes, and the
// machine has 2 cores. The one load test of the suite: vegeta, an open-loop load generator, built by
// tools/load/ensure-vegeta.sh; without it the test is reported skipped.

let stack: Stack | undefined;
afterAll(async () => {
  await stack?.stop();
});

describe('reloading the framework under load', () => {
  it.skipIf(vegetaPath() === undefined)(
    'should fail no request under ~200 req/s when SIGHUP reloads a changed /hello, and serve the new text within 2 s',
    async () => {
      const app = demoCopy();
      stack = await startStack({ framework: { FRAMEWORK_APP: app } });
      const running = stack;
      const load = startLoad({ url: `${running.url}/hello`, rate: 200, durationMs: 8_000, timeoutMs: 10_000 });
      // A second of steady load first: the reload happens under it, not before it.
      while (load.seen < 200) await sleep(10);
      rewrite(app, OLD_TEXT, NEW_TEXT);
      running.framework.signal('SIGHUP');
      const ms = await untilServed(running, NEW_TEXT, 2_000);
      const reloaded = await running.framework.waitForLog((line) => line['msg'] === RELOADED);
      const result = await load.done;
      console.info(
        `reload under load: new worker serving after ${String(reloaded['ms'])} ms, new text after ${Math.round(ms)} ms; ${result.total} requests, ${JSON.stringify(result.byStatus)}, p99 ${result.latencyMs.p99.toFixed(1)} ms, max ${result.latencyMs.max.toFixed(1)} ms`,
      );
      expect(result.failures).toEqual([]);
      expect(result.total).toBeGreaterThanOrEqual(1_500);
      expect(ms).toBeLessThan(2_000);
      await running.framework.waitForLog((line) => line['msg'] === 'worker retiring: a new one serves');
    },
  );
});
