import type { Dimensions, MetricRollup } from '../core/rollup.js';

/** Why the store refused one rollup; the others in the same write are kept. */
export interface RejectedRollup {
  readonly rollup: MetricRollup;
  readonly reason: string;
}

/** What a write did: how many rollups were stored and which were refused, with the store's reason. */
export interface WriteOutcome {
  readonly written: number;
  readonly rejected: readonly RejectedRollup[];
  /** Rollups that the store could not take now and that wait in the retry queue for the replay function. */
  readonly spilled?: number;
}

/** How one write is made. */
export interface WriteOptions {
  /**
   * One stable id per rollup, in the same order. A rollup keeps its id across retries and the replay of a
   * spilled batch, so a store that already holds it (a write that timed out but landed) can tell it apart
   * from a new rollup of the same series and minute, and does not count it twice.
   */
  readonly rollupIds?: readonly string[];
}

/** Writes per-minute rollups to a metric store (Timestream, CloudWatch, DuckDB, EMF). */
export interface MetricWriter {
  write(rollups: readonly MetricRollup[], options?: WriteOptions): Promise<WriteOutcome>;
}

/** The statistics `GET /api/v1/query` offers. */
export const STATS = ['avg', 'sum', 'count', 'min', 'max', 'p50', 'p90', 'p95', 'p99', 'rate'] as const;

/** A statistic over the values of a series in one step. */
export type Stat = (typeof STATS)[number];

/** A question to the metric store: one metric, filtered and grouped by dimensions, over a time range. */
export interface MetricQuery {
  readonly metric: string;
  /** Only series whose dimensions have these values. */
  readonly filters: Dimensions;
  /** Dimensions that split the answer into series; series that differ only in others are merged. */
  readonly groupBy: readonly string[];
  readonly stat: Stat;
  /** Start of the range, epoch ms, inclusive. */
  readonly from: number;
  /** End of the range, epoch ms, exclusive. */
  readonly to: number;
  /** Width of a point in ms; without it, one point for the whole range. */
  readonly stepMs?: number;
}

/** One answer series: its labels (the grouped dimensions) and `[epochMs, value]` points. */
export interface Series {
  readonly labels: Dimensions;
  readonly points: ReadonlyArray<readonly [number, number]>;
}

/** Answers metric queries. */
export interface MetricReader {
  query(query: MetricQuery): Promise<Series[]>;
}

/** Reads stored rollups back, for stores that keep them whole (Timestream, DuckDB). */
export interface RollupSource {
  /** The rollups of `metric` whose dimensions match `filters`, with minutes in [from, to). */
  readRollups(metric: string, filters: Dimensions, from: number, to: number): Promise<MetricRollup[]>;
}
