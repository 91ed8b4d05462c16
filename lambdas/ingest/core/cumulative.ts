import type {
  AdditiveValue,
  ExponentialBuckets,
  ExponentialHistogramValue,
  HistogramValue,
} from './otlp-point-values.js';

/*
 * Cumulative to delta, per stream (OTel metrics data model, "Temporality" and "Resets and Gaps").
 * A cumulative point covers (start, time] and repeats its stream's start time until the stream resets;
 * Vigil stores per-minute deltas, so each point contributes what it adds to the last point seen:
 *
 * - first point of a stream whose start time is known (start < time): everything since the start counts;
 * - first point with an unknown start (start missing, or equal to time): it only sets the baseline, since
 *   an earlier sequence may already have reported the same total (the spec's "unknown start time" rule);
 * - a point at or before the last time seen: a duplicate (an exporter retry, a second export of the same
 *   data) or out of order; it contributes nothing;
 * - a point from an older sequence (earlier start): stale, contributes nothing;
 * - a new, later start time, or a monotonic value that went down: a reset; the point counts whole, as the
 *   increase since its new start;
 * - otherwise the difference to the last point.
 */

/** What Vigil remembers of one cumulative stream between requests. */
export interface StreamState {
  /** Hash of the stream's identity (resource, scope, metric, point attributes). */
  readonly streamId: string;
  /** Optimistic-concurrency version: 1 for a new stream, higher after every change. */
  readonly version: number;
  /** Start of the stream's current unbroken sequence, nanoseconds since the epoch, as a decimal string. */
  readonly startTimeUnixNano: string;
  /** Time of the last point taken into account, nanoseconds since the epoch, as a decimal string. */
  readonly timeUnixNano: string;
  /** The cumulative value at that point (without min and max, which do not subtract). */
  readonly value: AdditiveValue;
}

/** A cumulative data point of one stream, ready to be turned into a delta. */
export interface CumulativePoint {
  readonly streamId: string;
  /** 0n when the exporter did not send one. */
  readonly startTimeUnixNano: bigint;
  readonly timeUnixNano: bigint;
  /** Whether a decrease means a reset (counters, histograms) or is a real change (up-down counters). */
  readonly monotonic: boolean;
  readonly value: AdditiveValue;
}

/** How a point related to its stream's previous state. */
export type DeltaOutcome = 'first' | 'baseline' | 'increase' | 'reset' | 'duplicate' | 'stale' | 'rebaseline';

/** The delta a point contributes (undefined when it contributes nothing) and the stream's state after it. */
export interface DeltaResult {
  readonly delta: AdditiveValue | undefined;
  /** The state after the point; the same object as `previous` when the point changed nothing. */
  readonly next: StreamState;
  readonly outcome: DeltaOutcome;
}

/** Options of `toDelta`. */
export interface DeltaOptions {
  /**
   * Stream state is kept at least since this time (now minus the state's retention), in nanoseconds. A
   * stream that started earlier and has no state may have been seen and forgotten, so its first point only
   * sets a baseline instead of counting everything since its start a second time.
   * @default 0n (state is never forgotten)
   */
  readonly rememberedSinceUnixNano?: bigint;
}

function stored(value: AdditiveValue): AdditiveValue {
  if (value.kind === 'sum') return value;
  const { min: _min, max: _max, ...withoutExtremes } = value;
  return withoutExtremes;
}

function stateAfter(previous: StreamState | undefined, point: CumulativePoint): StreamState {
  return {
    streamId: point.streamId,
    version: (previous?.version ?? 0) + 1,
    startTimeUnixNano: point.startTimeUnixNano.toString(),
    timeUnixNano: point.timeUnixNano.toString(),
    value: stored(point.value),
  };
}

function hasKnownStart(point: CumulativePoint): boolean {
  return point.startTimeUnixNano > 0n && point.startTimeUnixNano < point.timeUnixNano;
}

/** The delta between two values of one sequence; 'reset' if a monotonic value went down; or 'rebaseline'. */
function difference(
  previous: AdditiveValue,
  current: AdditiveValue,
  monotonic: boolean,
): AdditiveValue | 'reset' | 'rebaseline' {
  if (current.kind === 'sum' && previous.kind === 'sum') {
    const change = current.value - previous.value;
    return monotonic && change < 0 ? 'reset' : { kind: 'sum', value: change };
  }
  if (current.kind === 'histogram' && previous.kind === 'histogram')
    return histogramDifference(previous, current);
  if (current.kind === 'exponentialHistogram' && previous.kind === 'exponentialHistogram') {
    return exponentialDifference(previous, current);
  }
  // The stream changed type under the same identity: nothing to subtract from.
  return 'rebaseline';
}

function sumDifference(previous: number | undefined, current: number | undefined): { sum?: number } {
  return previous === undefined || current === undefined ? {} : { sum: current - previous };
}

function histogramDifference(
  previous: HistogramValue,
  current: HistogramValue,
): HistogramValue | 'reset' | 'rebaseline' {
  const sameBounds =
    previous.explicitBounds.length === current.explicitBounds.length &&
    previous.explicitBounds.every((bound, i) => bound === current.explicitBounds[i]) &&
    previous.bucketCounts.length === current.bucketCounts.length;
  // New bounds under the same start time cannot be subtracted bucket by bucket; start over from here.
  if (!sameBounds) return 'rebaseline';
  const count = current.count - previous.count;
  const bucketCounts = current.bucketCounts.map((n, i) => n - previous.bucketCounts[i]!);
  if (count < 0 || bucketCounts.some((n) => n < 0)) return 'reset';
  return {
    kind: 'histogram',
    count,
    ...sumDifference(previous.sum, current.sum),
    explicitBounds: current.explicitBounds,
    bucketCounts,
  };
}

/** Bucket counts by absolute index, merged down to `scale` (bucket i at scale s goes to i >> (s - scale)). */
function bucketsAt(buckets: ExponentialBuckets, fromScale: number, scale: number): Map<number, number> {
  const shift = fromScale - scale;
  const byIndex = new Map<number, number>();
  for (const [i, count] of buckets.bucketCounts.entries()) {
    if (count === 0) continue;
    const index = Math.floor((buckets.offset + i) / 2 ** shift);
    byIndex.set(index, (byIndex.get(index) ?? 0) + count);
  }
  return byIndex;
}

function subtractBuckets(
  previous: ExponentialBuckets,
  current: ExponentialBuckets,
  previousScale: number,
  currentScale: number,
  scale: number,
): ExponentialBuckets | 'reset' {
  const before = bucketsAt(previous, previousScale, scale);
  const after = bucketsAt(current, currentScale, scale);
  const indexes = [...new Set([...before.keys(), ...after.keys()])];
  const changes = new Map(
    indexes.map((index) => [index, (after.get(index) ?? 0) - (before.get(index) ?? 0)]),
  );
  if ([...changes.values()].some((n) => n < 0)) return 'reset';
  const nonEmpty = indexes.filter((index) => changes.get(index)! > 0);
  if (nonEmpty.length === 0) return { offset: 0, bucketCounts: [] };
  const offset = Math.min(...nonEmpty);
  const last = Math.max(...nonEmpty);
  return {
    offset,
    bucketCounts: Array.from({ length: last - offset + 1 }, (_, i) => changes.get(offset + i) ?? 0),
  };
}

/**
 * Exponential histograms may lower their scale as their range grows (the SDK downscales). Buckets merge
 * exactly into coarser scales ("perfect subsetting"), so both points are compared at the coarser scale.
 */
function exponentialDifference(
  previous: ExponentialHistogramValue,
  current: ExponentialHistogramValue,
): ExponentialHistogramValue | 'reset' {
  const scale = Math.min(previous.scale, current.scale);
  const count = current.count - previous.count;
  const zeroCount = current.zeroCount - previous.zeroCount;
  const positive = subtractBuckets(previous.positive, current.positive, previous.scale, current.scale, scale);
  const negative = subtractBuckets(previous.negative, current.negative, previous.scale, current.scale, scale);
  if (count < 0 || zeroCount < 0 || positive === 'reset' || negative === 'reset') return 'reset';
  return {
    kind: 'exponentialHistogram',
    count,
    ...sumDifference(previous.sum, current.sum),
    scale,
    zeroCount,
    positive,
    negative,
  };
}

/**
 * Turns one cumulative point into the delta it adds to its stream, given the stream's previous state.
 * Pure: the caller stores `next` (when it is not `previous`) and records `delta` once stored.
 */
export function toDelta(
  previous: StreamState | undefined,
  point: CumulativePoint,
  options: DeltaOptions = {},
): DeltaResult {
  if (previous === undefined) {
    const countsFromStart =
      hasKnownStart(point) && point.startTimeUnixNano >= (options.rememberedSinceUnixNano ?? 0n);
    return {
      delta: countsFromStart ? point.value : undefined,
      next: stateAfter(previous, point),
      outcome: countsFromStart ? 'first' : 'baseline',
    };
  }
  if (point.timeUnixNano <= BigInt(previous.timeUnixNano))
    return { delta: undefined, next: previous, outcome: 'duplicate' };
  const previousStart = BigInt(previous.startTimeUnixNano);
  if (point.startTimeUnixNano < previousStart) return { delta: undefined, next: previous, outcome: 'stale' };
  const next = stateAfter(previous, point);
  if (point.startTimeUnixNano > previousStart) {
    // A new sequence: with a known start, it counts from there; with an unknown one, it is a baseline.
    return hasKnownStart(point)
      ? { delta: point.value, next, outcome: 'reset' }
      : { delta: undefined, next, outcome: 'baseline' };
  }
  const delta = difference(previous.value, point.value, point.monotonic);
  if (delta === 'reset') return { delta: point.value, next, outcome: 'reset' };
  if (delta === 'rebaseline') return { delta: undefined, next, outcome: 'rebaseline' };
  return { delta, next, outcome: 'increase' };
}
