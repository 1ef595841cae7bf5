/** One metric family of a Prometheus text exposition: its comment lines and its series by `name{labels}`. */
export interface MetricFamily {
  type: string;
  comments: string[];
  series: Map<string, number>;
}

export type Exposition = Map<string, MetricFamily>;

/** Families whose values add up across processes and over time: what a finished worker served still counts. */
const CUMULATIVE = new Set(['counter', 'histogram', 'summary']);

/**
 * Reads the Prometheus text format as the OpenTelemetry exporter writes it: `# HELP`, `# UNIT` and `# TYPE` lines
 * open a family, the series under them belong to it, each `name{labels} value` (no timestamps).
 */
export function parseExposition(text: string): Exposition {
  const families: Exposition = new Map();
  let current: MetricFamily | undefined;
  for (const line of text.split('\n')) {
    if (line === '') continue;
    if (line.startsWith('#')) {
      const [, kind, name, rest = ''] = /^#\s+(\S+)\s+(\S+)\s*(.*)$/.exec(line) ?? [];
      if (name === undefined) continue;
      current = families.get(name);
      if (current === undefined) {
        current = { type: 'untyped', comments: [], series: new Map() };
        families.set(name, current);
      }
      if (kind === 'TYPE') current.type = rest;
      current.comments.push(line);
      continue;
    }
    const at = line.lastIndexOf(' ');
    if (at === -1 || current === undefined) continue;
    current.series.set(line.slice(0, at), Number(line.slice(at + 1)));
  }
  return families;
}

/**
 * The metrics of a service whose requests several processes serve, one after another (its workers, across reloads)
 * and at once (during one): counters and histograms summed over the live workers and what finished ones served
 * (`retired`), gauges summed over the live workers only, `target_info` (the resource) from the newest. The same
 * answer as a single process that never restarted would give; prometheus_client's multiprocess mode does the same.
 * `live` is oldest first.
 */
export function mergeExpositions(live: readonly Exposition[], retired: Exposition): string {
  const merged: Exposition = new Map();
  for (const [name, family] of retired) add(merged, name, family, true);
  for (const exposition of live) {
    for (const [name, family] of exposition) add(merged, name, family, false);
  }
  let text = '';
  for (const family of merged.values()) {
    text += `${family.comments.join('\n')}\n`;
    for (const [series, value] of family.series) text += `${series} ${value}\n`;
  }
  return text;
}

/** Adds what a finished worker served to the totals kept for it: its cumulative families only. */
export function retire(retired: Exposition, final: Exposition): void {
  for (const [name, family] of final) if (CUMULATIVE.has(family.type)) add(retired, name, family, true);
}

function add(into: Exposition, name: string, family: MetricFamily, cumulativeOnly: boolean): void {
  if (cumulativeOnly && !CUMULATIVE.has(family.type)) return;
  let target = into.get(name);
  if (target === undefined) {
    target = { type: family.type, comments: [...family.comments], series: new Map() };
    into.set(name, target);
  }
  if (name === 'target_info') {
    target.series = new Map(family.series);
    return;
  }
  for (const [series, value] of family.series) target.series.set(series, (target.series.get(series) ?? 0) + value);
}
