import { newSketch, type QuantileSketch } from './sketch.js';

/** Milliseconds in the rollup period: every metric is kept per series and minute. */
export const ROLLUP_PERIOD_MS = 60_000;

/** Dimension names and values that identify a series beside its metric name. */
export type Dimensions = Readonly<Record<string, string>>;

/** One metric series: a metric name and its dimensions (`model`, `modelVersion`, `errorType`, ...). */
export interface SeriesKey {
  readonly metric: string;
  readonly dimensions: Dimensions;
}

/** The per-minute aggregate of one series, as the metric store keeps it. */
export interface MetricRollup extends SeriesKey {
  /** Start of the minute, epoch milliseconds. */
  readonly minute: number;
  readonly count: number;
  readonly sum: number;
  readonly min: number;
  readonly max: number;
  /** Quantile sketch of the values, for distributions (latency, confidence, gauges, histograms). */
  readonly sketch?: QuantileSketch;
}

/** A pre-aggregated distribution, such as an OTLP histogram data point. */
export interface DistributionSummary {
  readonly count: number;
  readonly sum: number;
  readonly min: number;
  readonly max: number;
  /** Representative values and their weights, fed into the sketch (for example histogram bucket midpoints). */
  readonly weightedValues?: ReadonlyArray<readonly [value: number, weight: number]>;
}

/** Start of the minute that holds `timestamp` (epoch ms). */
export function minuteOf(timestamp: number): number {
  return Math.floor(timestamp / ROLLUP_PERIOD_MS) * ROLLUP_PERIOD_MS;
}

/** A canonical string for a dimension set: the same dimensions in any order give the same key. */
export function dimensionsKey(dimensions: Dimensions): string {
  return JSON.stringify(Object.entries(dimensions).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}

interface MutableRollup {
  metric: string;
  dimensions: Dimensions;
  minute: number;
  count: number;
  sum: number;
  min: number;
  max: number;
  sketch?: QuantileSketch;
}

/**
 * Collects observations into per-series, per-minute rollups.
 *
 * One accumulator serves one request: the ingest handler feeds it every accepted item and writes
 * `rollups()` to the metric store in one call, so a request of 10,000 predictions becomes a few dozen
 * records instead of 10,000.
 */
export class RollupAccumulator {
  private readonly rollupsByKey = new Map<string, MutableRollup>();
  // Callers pass the same dimensions object for every metric of an item; keying it once saves a sort and
  // a stringify per observation on the ingest hot path.
  private readonly keysByDimensions = new WeakMap<Dimensions, string>();

  /** Adds one value. With `distribution`, the value also goes into the series' quantile sketch. */
  observe(
    series: SeriesKey,
    timestamp: number,
    value: number,
    options: { distribution?: boolean } = {},
  ): void {
    const rollup = this.rollupFor(series, timestamp, options.distribution ?? false);
    rollup.count += 1;
    rollup.sum += value;
    rollup.min = Math.min(rollup.min, value);
    rollup.max = Math.max(rollup.max, value);
    rollup.sketch?.accept(value);
  }

  /** Adds a pre-aggregated distribution (count, sum, min, max and, for the sketch, weighted values). */
  observeDistribution(series: SeriesKey, timestamp: number, summary: DistributionSummary): void {
    if (summary.count <= 0) return;
    const rollup = this.rollupFor(series, timestamp, summary.weightedValues !== undefined);
    rollup.count += summary.count;
    rollup.sum += summary.sum;
    rollup.min = Math.min(rollup.min, summary.min);
    rollup.max = Math.max(rollup.max, summary.max);
    for (const [value, weight] of summary.weightedValues ?? []) {
      if (weight > 0) rollup.sketch?.accept(value, weight);
    }
  }

  /** The rollups collected so far, one per series and minute. */
  rollups(): MetricRollup[] {
    return [...this.rollupsByKey.values()];
  }

  private rollupFor(series: SeriesKey, timestamp: number, distribution: boolean): MutableRollup {
    const minute = minuteOf(timestamp);
    let dimensions = this.keysByDimensions.get(series.dimensions);
    if (dimensions === undefined) {
      dimensions = dimensionsKey(series.dimensions);
      this.keysByDimensions.set(series.dimensions, dimensions);
    }
    const key = `${series.metric}\u0000${dimensions}\u0000${minute}`;
    let rollup = this.rollupsByKey.get(key);
    if (!rollup) {
      rollup = {
        metric: series.metric,
        dimensions: series.dimensions,
        minute,
        count: 0,
        sum: 0,
        min: Number.POSITIVE_INFINITY,
        max: Number.NEGATIVE_INFINITY,
      };
      this.rollupsByKey.set(key, rollup);
    }
    if (distribution && !rollup.sketch) rollup.sketch = newSketch();
    return rollup;
  }
}
