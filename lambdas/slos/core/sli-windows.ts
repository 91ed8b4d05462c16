import { minuteOf } from '../../metrics/core/rollup.js';
import { parseDuration } from '../../shared/time.js';
import { NO_COUNTS, type SliWindowCounts } from './error-budget.js';
import { burnRateAlertWindows, type Slo, sloWindowMs } from './slo.js';

/*
 * The windows an SLO evaluation reads, and where their counts come from. Every window ends at the start
 * of the evaluation's minute: SLI counts are kept per minute, and the minute in progress is still being
 * ingested, so counting it would understate the newest errors' share (and half a minute of data would
 * read as a full one).
 *
 * An evaluation needs only sums: good and total over each distinct window (the SLO window, the projection
 * window and every alert pair's long and short window: six for the defaults), never the minutes one by one.
 * In the cloud each is one sum query of `slo_good` and `slo_total` over [from, to) for the SLO's `slo`
 * dimension; the job reads them (in parallel) into the map `evaluateSlo` takes:
 *
 *   const counts = new Map(await Promise.all(sloCountWindows(slo, at).map(async (window) =>
 *     [window.windowMs, await store.sliCounts(slo.name, window.from, window.to)] as const)));
 *
 * `BucketSliCounts` answers the same from per-minute buckets in memory (tests, backtests, the bench).
 */

/** One window an evaluation reads: [from, to), `windowMs` long. */
export interface CountWindow {
  readonly windowMs: number;
  readonly from: number;
  readonly to: number;
}

/** Counts of each window an evaluation reads, by the window's length in ms. */
export type SloWindowCounts = ReadonlyMap<number, SliWindowCounts>;

/** Sums of an SLI's good and total events over a time range. */
export interface SliCountsSource {
  /** Good and total over [from, to) (epoch ms): the sum of the minutes starting in it. */
  counts(from: number, to: number): SliWindowCounts;
}

/** The end of every window read by an evaluation at `at`: the start of its minute. */
export function windowEnd(at: number): number {
  return minuteOf(at);
}

/** The distinct windows an evaluation of the SLO at `at` reads, longest first. */
export function sloCountWindows(slo: Slo, at: number): CountWindow[] {
  const lengths = new Set<number>([sloWindowMs(slo), parseDuration(slo.projectionWindow)]);
  for (const pair of burnRateAlertWindows(slo)) {
    lengths.add(pair.longWindowMs);
    lengths.add(pair.shortWindowMs);
  }
  const to = windowEnd(at);
  return [...lengths].sort((a, b) => b - a).map((windowMs) => ({ windowMs, from: to - windowMs, to }));
}

/** Reads every window an evaluation at `at` needs from a source. */
export function readWindowCounts(
  slo: Slo,
  source: SliCountsSource,
  at: number,
): Map<number, SliWindowCounts> {
  return new Map(
    sloCountWindows(slo, at).map((window) => [window.windowMs, source.counts(window.from, window.to)]),
  );
}

/** One minute of an SLI's counts. */
export interface SliBucket {
  /** Any time in the minute, epoch ms; buckets of the same minute add up. */
  readonly minute: number;
  readonly good: number;
  readonly total: number;
}

/** Per-minute buckets in memory, answering window sums by prefix sums in O(log n). */
export class BucketSliCounts implements SliCountsSource {
  private readonly minutes: number[];
  /** Sums of the buckets before each index: prefixGood[i] = good of minutes[0..i). */
  private readonly prefixGood: Float64Array;
  private readonly prefixTotal: Float64Array;

  constructor(buckets: Iterable<SliBucket>) {
    const byMinute = new Map<number, { good: number; total: number }>();
    for (const bucket of buckets) {
      const minute = minuteOf(bucket.minute);
      const sums = byMinute.get(minute) ?? { good: 0, total: 0 };
      sums.good += bucket.good;
      sums.total += bucket.total;
      byMinute.set(minute, sums);
    }
    this.minutes = [...byMinute.keys()].sort((a, b) => a - b);
    this.prefixGood = new Float64Array(this.minutes.length + 1);
    this.prefixTotal = new Float64Array(this.minutes.length + 1);
    this.minutes.forEach((minute, index) => {
      const sums = byMinute.get(minute)!;
      this.prefixGood[index + 1] = this.prefixGood[index]! + sums.good;
      this.prefixTotal[index + 1] = this.prefixTotal[index]! + sums.total;
    });
  }

  /** The first and last minute with a bucket; undefined when there are none. */
  get range(): { readonly first: number; readonly last: number } | undefined {
    if (this.minutes.length === 0) return undefined;
    return { first: this.minutes[0]!, last: this.minutes.at(-1)! };
  }

  counts(from: number, to: number): SliWindowCounts {
    if (to <= from) return NO_COUNTS;
    const start = this.indexAtOrAfter(from);
    const end = this.indexAtOrAfter(to);
    if (end <= start) return NO_COUNTS;
    return {
      good: this.prefixGood[end]! - this.prefixGood[start]!,
      total: this.prefixTotal[end]! - this.prefixTotal[start]!,
    };
  }

  /** The index of the first minute at or after `time`. */
  private indexAtOrAfter(time: number): number {
    let low = 0;
    let high = this.minutes.length;
    while (low < high) {
      const middle = (low + high) >>> 1;
      if (this.minutes[middle]! < time) low = middle + 1;
      else high = middle;
    }
    return low;
  }
}
