import type { MetricQuery, MetricReader, RollupSource, Series, Stat } from '../ports/metric-store.js';
import { type Dimensions, dimensionsKey, type MetricRollup } from './rollup.js';
import { newSketch, type QuantileSketch } from './sketch.js';

const QUANTILES: Partial<Record<Stat, number>> = { p50: 0.5, p90: 0.9, p95: 0.95, p99: 0.99 };

interface Bucket {
  count: number;
  sum: number;
  min: number;
  max: number;
  sketch?: QuantileSketch;
}

/** Picks the grouped dimensions out of a series' dimensions. */
export function labelsOf(dimensions: Dimensions, groupBy: readonly string[]): Dimensions {
  const labels: Record<string, string> = {};
  for (const name of groupBy) {
    const value = dimensions[name];
    if (value !== undefined) labels[name] = value;
  }
  return labels;
}

/** The value of `stat` over one bucket, or undefined when the bucket cannot answer it. */
function statValue(bucket: Bucket, stat: Stat, widthMs: number): number | undefined {
  switch (stat) {
    case 'count':
      return bucket.count;
    case 'sum':
      return bucket.sum;
    case 'avg':
      return bucket.count === 0 ? undefined : bucket.sum / bucket.count;
    case 'min':
      return bucket.min;
    case 'max':
      return bucket.max;
    case 'rate':
      return bucket.sum / (widthMs / 1000);
    default: {
      const quantile = QUANTILES[stat];
      if (quantile === undefined || !bucket.sketch || bucket.sketch.count === 0) return undefined;
      // The sketch's answer is within 1 % of a stored value; clamp it into the exact range seen.
      return Math.min(bucket.max, Math.max(bucket.min, bucket.sketch.getValueAtQuantile(quantile)));
    }
  }
}

/**
 * Answers a metric query from per-minute rollups: filters, groups the series by `groupBy`, buckets the
 * minutes by `stepMs` (or one bucket for the whole range), merges counts, sums and sketches per bucket
 * and reads the statistic. Points are `[bucket start, value]`, oldest first; empty buckets are left out.
 */
export function aggregateRollups(rollups: Iterable<MetricRollup>, query: MetricQuery): Series[] {
  const widthMs = query.stepMs ?? query.to - query.from;
  const seriesByLabels = new Map<string, { labels: Dimensions; buckets: Map<number, Bucket> }>();
  for (const rollup of rollups) {
    if (rollup.metric !== query.metric || rollup.minute < query.from || rollup.minute >= query.to) continue;
    if (!Object.entries(query.filters).every(([name, value]) => rollup.dimensions[name] === value)) continue;
    const labels = labelsOf(rollup.dimensions, query.groupBy);
    const key = dimensionsKey(labels);
    let series = seriesByLabels.get(key);
    if (!series) {
      series = { labels, buckets: new Map() };
      seriesByLabels.set(key, series);
    }
    const start = query.from + Math.floor((rollup.minute - query.from) / widthMs) * widthMs;
    let bucket = series.buckets.get(start);
    if (!bucket) {
      bucket = { count: 0, sum: 0, min: Number.POSITIVE_INFINITY, max: Number.NEGATIVE_INFINITY };
      series.buckets.set(start, bucket);
    }
    bucket.count += rollup.count;
    bucket.sum += rollup.sum;
    bucket.min = Math.min(bucket.min, rollup.min);
    bucket.max = Math.max(bucket.max, rollup.max);
    if (rollup.sketch) {
      bucket.sketch ??= newSketch();
      bucket.sketch.merge(rollup.sketch);
    }
  }
  return [...seriesByLabels.entries()]
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([, { labels, buckets }]) => ({
      labels,
      points: [...buckets.entries()]
        .sort(([a], [b]) => a - b)
        .flatMap(([start, bucket]) => {
          const value = statValue(bucket, query.stat, widthMs);
          return value === undefined ? [] : [[start, value] as const];
        }),
    }));
}

/** A metric reader for stores that keep whole rollups: read them back, then aggregate here. */
export class RollupMetricReader implements MetricReader {
  constructor(private readonly source: RollupSource) {}

  async query(query: MetricQuery): Promise<Series[]> {
    const rollups = await this.source.readRollups(query.metric, query.filters, query.from, query.to);
    return aggregateRollups(rollups, query);
  }
}
