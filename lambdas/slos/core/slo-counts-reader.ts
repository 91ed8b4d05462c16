import type { MetricReader, Series } from '../../metrics/ports/metric-store.js';
import type { SliWindowCounts } from './error-budget.js';
import { SLO_DIMENSION, SLO_GOOD_METRIC, SLO_TOTAL_METRIC } from './sli-counts.js';
import { type SloWindowCounts, sloCountWindows } from './sli-windows.js';
import type { Slo } from './slo.js';

/*
 * Reads the good and total counts every SLO's evaluation needs from the metric store, in as few queries as
 * the SLOs' windows allow: all windows end at the same minute, so one `sum` per distinct window length and
 * metric, split by the `slo` dimension, answers every SLO at once. With the Workbook's defaults that is 12
 * queries for any number of SLOs, not 12 per SLO.
 */

const NO_COUNTS: SliWindowCounts = { good: 0, total: 0 };

function sumsBySlo(series: readonly Series[]): Map<string, number> {
  return new Map(
    series.map((entry) => [
      entry.labels[SLO_DIMENSION] ?? '',
      entry.points.reduce((sum, [, value]) => sum + value, 0),
    ]),
  );
}

/** Every SLO's counts over each window its evaluation at `at` reads, by SLO name. */
export async function readSloCounts(
  slos: readonly Slo[],
  reader: MetricReader,
  at: number,
): Promise<Map<string, SloWindowCounts>> {
  const windowsBySlo = new Map(slos.map((slo) => [slo.name, sloCountWindows(slo, at)]));
  const ranges = new Map<number, { from: number; to: number }>();
  for (const windows of windowsBySlo.values()) {
    for (const window of windows) ranges.set(window.windowMs, { from: window.from, to: window.to });
  }
  const sums = new Map<number, { good: Map<string, number>; total: Map<string, number> }>();
  await Promise.all(
    [...ranges].map(async ([windowMs, { from, to }]) => {
      const query = (metric: string) =>
        reader.query({ metric, filters: {}, groupBy: [SLO_DIMENSION], stat: 'sum', from, to });
      const [good, total] = await Promise.all([query(SLO_GOOD_METRIC), query(SLO_TOTAL_METRIC)]);
      sums.set(windowMs, { good: sumsBySlo(good), total: sumsBySlo(total) });
    }),
  );
  return new Map(
    [...windowsBySlo].map(([name, windows]) => [
      name,
      new Map(
        windows.map((window) => {
          const sum = sums.get(window.windowMs);
          if (!sum) return [window.windowMs, NO_COUNTS];
          return [window.windowMs, { good: sum.good.get(name) ?? 0, total: sum.total.get(name) ?? 0 }];
        }),
      ),
    ]),
  );
}

/** Every SLO's counts over [from, to), by SLO name (for reports). */
export async function readSloRangeCounts(
  reader: MetricReader,
  from: number,
  to: number,
): Promise<Map<string, SliWindowCounts>> {
  const query = (metric: string) =>
    reader.query({ metric, filters: {}, groupBy: [SLO_DIMENSION], stat: 'sum', from, to });
  const [good, total] = await Promise.all([query(SLO_GOOD_METRIC), query(SLO_TOTAL_METRIC)]);
  const goods = sumsBySlo(good);
  const totals = sumsBySlo(total);
  const names = new Set([...goods.keys(), ...totals.keys()]);
  return new Map(
    [...names].map((name) => [name, { good: goods.get(name) ?? 0, total: totals.get(name) ?? 0 }]),
  );
}
