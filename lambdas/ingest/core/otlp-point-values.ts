import type { DistributionSummary, RollupAccumulator, SeriesKey } from '../../metrics/core/rollup.js';

/*
 * The additive values of OTLP data points (sums, histograms, exponential histograms), whether they arrived
 * as deltas or were made deltas from cumulative points, and how each goes into a rollup.
 *
 * Accuracy: a histogram only says how many values fell in each bucket, so every value in a bucket enters
 * the quantile sketch as one representative value. A quantile read back is therefore only as good as the
 * bucket width: with explicit bounds [100, 250], a p95 that falls in that bucket is reported near 175
 * whatever the true value in (100, 250] was. Exponential histograms bound the error relatively (at scale s,
 * within a factor 2^(2^-s / 2) of the true value, e.g. ±4.4 % at scale 3), then the sketch adds its 1 %.
 * Count, sum, min and max are exact whenever the exporter sends them.
 */

/** A sum point's value (a counter's increase, or an up-down counter's change, when a delta). */
export interface SumValue {
  readonly kind: 'sum';
  readonly value: number;
}

/** An explicit-bounds histogram: `bucketCounts[i]` counts values in (bounds[i-1], bounds[i]]. */
export interface HistogramValue {
  readonly kind: 'histogram';
  readonly count: number;
  /** Absent when the exporter left it out (allowed when values can be negative). */
  readonly sum?: number;
  readonly min?: number;
  readonly max?: number;
  readonly explicitBounds: readonly number[];
  /** Empty (no buckets) or one longer than `explicitBounds`. */
  readonly bucketCounts: readonly number[];
}

/** One side (positive or negative) of an exponential histogram: `bucketCounts[i]` is bucket `offset + i`. */
export interface ExponentialBuckets {
  readonly offset: number;
  readonly bucketCounts: readonly number[];
}

/** An exponential histogram: bucket `i` holds magnitudes from base^i to base^(i+1), base 2^(2^-scale). */
export interface ExponentialHistogramValue {
  readonly kind: 'exponentialHistogram';
  readonly count: number;
  readonly sum?: number;
  readonly min?: number;
  readonly max?: number;
  readonly scale: number;
  readonly zeroCount: number;
  readonly positive: ExponentialBuckets;
  readonly negative: ExponentialBuckets;
}

/** A value that adds up over time: what cumulative points are turned into deltas of. */
export type AdditiveValue = SumValue | HistogramValue | ExponentialHistogramValue;

/**
 * One representative value for a bucket (lower, upper]: the midpoint (arithmetic, or geometric for
 * exponential buckets) of the bucket narrowed to [min, max] when those are known; for a bucket open on one
 * side, its finite edge.
 */
function representative(
  lower: number,
  upper: number,
  min: number | undefined,
  max: number | undefined,
  geometric: boolean,
): number {
  let low = min !== undefined && min > lower ? min : lower;
  let high = max !== undefined && max < upper ? max : upper;
  if (low > high) [low, high] = [lower, upper]; // min/max disagree with the buckets: trust the buckets
  if (!Number.isFinite(low)) return high;
  if (!Number.isFinite(high)) return low;
  if (geometric && low > 0) return Math.sqrt(low * high);
  if (geometric && high < 0) return -Math.sqrt(low * high);
  return (low + high) / 2;
}

function summaryOf(
  value: { readonly count: number; readonly sum?: number; readonly min?: number; readonly max?: number },
  weightedValues: ReadonlyArray<readonly [number, number]>,
): DistributionSummary {
  const placed = weightedValues.filter(([, weight]) => weight > 0);
  const representatives = placed.map(([at]) => at);
  return {
    count: value.count,
    sum: value.sum ?? placed.reduce((total, [at, weight]) => total + at * weight, 0),
    min: value.min ?? Math.min(...representatives),
    max: value.max ?? Math.max(...representatives),
    weightedValues: placed,
  };
}

/** A histogram as a rollup distribution: exact count (sum, min, max when sent), buckets as weighted values. */
export function histogramDistribution(histogram: HistogramValue): DistributionSummary {
  const { explicitBounds: bounds, bucketCounts, min, max } = histogram;
  if (bounds.length === 0) {
    // No buckets, or the single bucket (-inf, +inf): the mean is the only place the values can be put.
    const mean =
      histogram.sum !== undefined && histogram.count > 0
        ? histogram.sum / histogram.count
        : (min ?? max ?? 0);
    return summaryOf(histogram, [[mean, histogram.count]]);
  }
  const weighted = bucketCounts.map((count, i): [number, number] => {
    const lower = i === 0 ? Number.NEGATIVE_INFINITY : bounds[i - 1]!;
    const upper = i === bounds.length ? Number.POSITIVE_INFINITY : bounds[i]!;
    return [representative(lower, upper, min, max, false), count];
  });
  return summaryOf(histogram, weighted);
}

/** The lower boundary base^index of an exponential bucket at `scale`. */
export function exponentialLowerBound(index: number, scale: number): number {
  return 2 ** (index * 2 ** -scale);
}

/** An exponential histogram as a rollup distribution: buckets at their geometric midpoints, zeros at 0. */
export function exponentialHistogramDistribution(histogram: ExponentialHistogramValue): DistributionSummary {
  const { scale, min, max } = histogram;
  const weighted: Array<[number, number]> = [];
  if (histogram.zeroCount > 0) weighted.push([0, histogram.zeroCount]);
  for (const [i, count] of histogram.positive.bucketCounts.entries()) {
    const index = histogram.positive.offset + i;
    const lower = exponentialLowerBound(index, scale);
    const upper = exponentialLowerBound(index + 1, scale);
    weighted.push([representative(lower, upper, min, max, true), count]);
  }
  for (const [i, count] of histogram.negative.bucketCounts.entries()) {
    const index = histogram.negative.offset + i;
    const lower = -exponentialLowerBound(index + 1, scale);
    const upper = -exponentialLowerBound(index, scale);
    weighted.push([representative(lower, upper, min, max, true), count]);
  }
  // Buckets beyond the double range (possible at extreme offsets) cannot enter the sketch.
  return summaryOf(
    histogram,
    weighted.filter(([at]) => Number.isFinite(at)),
  );
}

/** Adds an additive value (a delta) to the rollup of `series` at `timestamp`. */
export function observeAdditive(
  accumulator: RollupAccumulator,
  series: SeriesKey,
  timestamp: number,
  value: AdditiveValue,
): void {
  switch (value.kind) {
    case 'sum':
      accumulator.observe(series, timestamp, value.value);
      return;
    case 'histogram':
      accumulator.observeDistribution(series, timestamp, histogramDistribution(value));
      return;
    case 'exponentialHistogram':
      accumulator.observeDistribution(series, timestamp, exponentialHistogramDistribution(value));
      return;
  }
}
