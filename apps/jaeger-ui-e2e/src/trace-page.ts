import type { Page } from 'playwright-core';

/** One row of the trace timeline as a person reads it: the service, the operation, how deep, and an error mark. */
export interface TimelineRow {
  spanId: string;
  service: string;
  operation: string;
  /** 1 for the root; each level of nesting adds one (the tree's indent guides). */
  depth: number;
  /** The span ids of the row's ancestors, root first, as the indent guides name them. */
  ancestors: string[];
  error: boolean;
}

/** The figures in the trace page's header ("Services 3", "Total Spans 7", …), by label. */
export async function headerFigures(page: Page): Promise<Record<string, string>> {
  const pairs = await page
    .locator('.TracePageHeader .LabeledList--item:has(.LabeledList--label)')
    .evaluateAll((items) =>
      items.map((item) => [
        item.querySelector('.LabeledList--label')?.textContent?.trim() ?? '',
        item.querySelector('strong')?.textContent?.trim() ?? '',
      ]),
    );
  return Object.fromEntries(pairs);
}

/** The rows of the Jaeger UI's trace timeline, top to bottom, as rendered. */
export async function timelineRows(page: Page): Promise<TimelineRow[]> {
  const rows = page.locator('.VirtualizedTraceView--row:has(.span-row)');
  const result: Array<TimelineRow & { top: number }> = [];
  for (const row of await rows.all()) {
    const key = (await row.getAttribute('data-item-key')) ?? '';
    const guides = row.locator('.SpanTreeOffset--indentGuide');
    const ancestors = await guides.evaluateAll((nodes) =>
      nodes.map((node) => node.getAttribute('data-ancestor-id') ?? ''),
    );
    result.push({
      top: await row.evaluate((node) => node.getBoundingClientRect().top),
      spanId: key.replace(/--bar$/, ''),
      service: ((await row.locator('.span-svc-name').textContent()) ?? '').trim(),
      operation: ((await row.locator('.endpoint-name').textContent()) ?? '').trim(),
      depth: ancestors.length,
      ancestors,
      error: (await row.locator('.SpanBarRow--errorIcon').count()) > 0,
    });
  }
  return result.sort((a, b) => a.top - b.top).map(({ top: _top, ...row }) => row);
}
