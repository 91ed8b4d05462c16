import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  type CumulativePoint,
  type StreamState,
  toDelta,
} from '../../../../lambdas/ingest/core/cumulative.js';
import type {
  AdditiveValue,
  ExponentialHistogramValue,
  HistogramValue,
} from '../../../../lambdas/ingest/core/otlp-point-values.js';
import { seededRandom } from '../../../support/random.js';

const STREAM = 'stream-1';
const SECOND = 1_000_000_000n;
const START = 1_773_150_000n * SECOND;

function sum(value: number): AdditiveValue {
  return { kind: 'sum', value };
}

function point(
  startSeconds: number | null,
  timeSeconds: number,
  value: AdditiveValue,
  monotonic = true,
): CumulativePoint {
  return {
    streamId: STREAM,
    startTimeUnixNano: startSeconds === null ? 0n : START + BigInt(startSeconds) * SECOND,
    timeUnixNano: START + BigInt(timeSeconds) * SECOND,
    monotonic,
    value,
  };
}

/** Feeds points through toDelta in order, as the use case does, returning the deltas and the last state. */
function run(points: CumulativePoint[], previous?: StreamState) {
  let state = previous;
  const results = points.map((p) => {
    const result = toDelta(state, p);
    state = result.next;
    return result;
  });
  return { results, state };
}

describe('toDelta: first point of a stream', () => {
  const cases = [
    {
      title: 'with a known start counts whole (everything since the start)',
      start: 0,
      expected: 7,
      outcome: 'first',
    },
    {
      title: 'with start equal to time is a baseline (unknown start: rate contribution zero)',
      start: 10,
      expected: undefined,
      outcome: 'baseline',
    },
    { title: 'without a start time is a baseline', start: null, expected: undefined, outcome: 'baseline' },
  ] as const;
  for (const { title, start, expected, outcome } of cases) {
    it(title, () => {
      const result = toDelta(undefined, point(start, 10, sum(7)));

      assert.equal(result.outcome, outcome);
      assert.deepEqual(result.delta, expected === undefined ? undefined : sum(expected));
      assert.equal(result.next.version, 1);
      assert.deepEqual(result.next.value, sum(7));
      assert.equal(result.next.timeUnixNano, (START + 10n * SECOND).toString());
    });
  }

  it('is a baseline when the stream started before state is remembered (it may have been seen and forgotten)', () => {
    const p = point(0, 10, sum(7));

    const before = toDelta(undefined, p, { rememberedSinceUnixNano: p.startTimeUnixNano + 1n });
    const after = toDelta(undefined, p, { rememberedSinceUnixNano: p.startTimeUnixNano });

    assert.equal(before.outcome, 'baseline');
    assert.equal(before.delta, undefined);
    assert.equal(after.outcome, 'first');
    assert.deepEqual(after.delta, sum(7));
  });
});

describe('toDelta: later points of a sum', () => {
  it('takes the difference to the last point of the same sequence and bumps the version', () => {
    const { results, state } = run([point(0, 10, sum(5)), point(0, 20, sum(12)), point(0, 30, sum(12))]);

    assert.deepEqual(
      results.map((r) => r.delta),
      [sum(5), sum(7), sum(0)],
    );
    assert.equal(state?.version, 3);
  });

  it('ignores a point at the time already seen (a repeated export) and one before it (out of order)', () => {
    const { state } = run([point(0, 10, sum(5)), point(0, 20, sum(12))]);

    const repeated = toDelta(state, point(0, 20, sum(12)));
    const outOfOrder = toDelta(state, point(0, 15, sum(9)));

    for (const result of [repeated, outOfOrder]) {
      assert.equal(result.outcome, 'duplicate');
      assert.equal(result.delta, undefined);
      assert.equal(result.next, state, 'the state is unchanged, so nothing needs writing');
    }
  });

  it('treats a monotonic value that went down as a reset: the new value is the increase since it', () => {
    const { results } = run([point(0, 10, sum(50)), point(0, 20, sum(4))]);

    assert.equal(results[1]!.outcome, 'reset');
    assert.deepEqual(results[1]!.delta, sum(4));
  });

  it('lets a non-monotonic sum (up-down counter) go down: the delta is negative', () => {
    const { results } = run([point(0, 10, sum(50), false), point(0, 20, sum(42), false)]);

    assert.equal(results[1]!.outcome, 'increase');
    assert.deepEqual(results[1]!.delta, sum(-8));
  });

  it('treats a later start time as a reset counting from the new start', () => {
    const { results, state } = run([point(0, 10, sum(50)), point(15, 20, sum(6))]);

    assert.equal(results[1]!.outcome, 'reset');
    assert.deepEqual(results[1]!.delta, sum(6));
    assert.equal(state?.startTimeUnixNano, (START + 15n * SECOND).toString());
  });

  it('treats a later start equal to the time as a reset of unknown start: a baseline', () => {
    const { results } = run([point(0, 10, sum(50)), point(20, 20, sum(6)), point(20, 30, sum(9))]);

    assert.deepEqual(
      results.map((r) => [r.outcome, r.delta]),
      [
        ['first', sum(50)],
        ['baseline', undefined],
        ['increase', sum(3)],
      ],
    );
  });

  it('ignores a point of an older sequence (an earlier start) arriving late', () => {
    const { state } = run([point(0, 10, sum(50)), point(15, 20, sum(6))]);

    const late = toDelta(state, point(0, 25, sum(70)));

    assert.equal(late.outcome, 'stale');
    assert.equal(late.delta, undefined);
    assert.equal(late.next, state);
  });

  it('counts exactly the increments of a counter that is exported, re-sent, reordered and restarted', () => {
    // Prepare: simulate a process that increments a counter, exports it cumulatively every 10 s, sometimes
    // re-sends or delays an export, and sometimes restarts right after an export (new start, counter at 0).
    const random = seededRandom(42);
    let start = 0;
    let counter = 0;
    let trueIncrease = 0;
    const sent: CumulativePoint[] = [];
    for (let t = 10; t <= 2000; t += 10) {
      const increment = Math.floor(random() * 20);
      counter += increment;
      trueIncrease += increment;
      const exported = point(start, t, sum(counter));
      sent.push(exported);
      if (random() < 0.2) sent.push(exported); // retried export
      if (random() < 0.1 && sent.length > 2) sent.push(sent[sent.length - 3]!); // a late, older export
      if (random() < 0.05) {
        start = t + 1;
        counter = 0;
      }
    }

    // Act
    const { results } = run(sent);

    // Assess
    const counted = results.reduce((total, r) => total + (r.delta?.kind === 'sum' ? r.delta.value : 0), 0);
    assert.equal(counted, trueIncrease);
  });
});

function histogram(bucketCounts: number[], sum: number, extra: Partial<HistogramValue> = {}): HistogramValue {
  return {
    kind: 'histogram',
    count: bucketCounts.reduce((a, b) => a + b, 0),
    sum,
    explicitBounds: [10, 100],
    bucketCounts,
    ...extra,
  };
}

describe('toDelta: histograms', () => {
  it('subtracts count, sum and every bucket, and keeps min and max only where they are exact', () => {
    const { results, state } = run([
      point(0, 10, histogram([1, 2, 0], 120, { min: 3, max: 60 })),
      point(0, 20, histogram([1, 5, 2], 760, { min: 3, max: 400 })),
    ]);

    assert.deepEqual(results[0]!.delta, histogram([1, 2, 0], 120, { min: 3, max: 60 }));
    assert.deepEqual(results[1]!.delta, {
      kind: 'histogram',
      count: 5,
      sum: 640,
      explicitBounds: [10, 100],
      bucketCounts: [0, 3, 2],
    });
    assert.deepEqual(
      state?.value,
      histogram([1, 5, 2], 760),
      'min and max are not stored: cumulative ones do not subtract',
    );
  });

  it('treats a bucket that went down as a reset', () => {
    const { results } = run([
      point(0, 10, histogram([4, 2, 0], 100)),
      point(0, 20, histogram([1, 6, 0], 300)),
    ]);

    assert.equal(results[1]!.outcome, 'reset');
    assert.deepEqual(results[1]!.delta, histogram([1, 6, 0], 300));
  });

  it('starts over from a point whose bounds changed within the same sequence', () => {
    const { results, state } = run([
      point(0, 10, histogram([4, 2, 0], 100)),
      point(0, 20, histogram([4, 2, 0, 1], 900, { explicitBounds: [10, 100, 500] })),
      point(0, 30, histogram([5, 2, 0, 1], 905, { explicitBounds: [10, 100, 500] })),
    ]);

    assert.equal(results[1]!.outcome, 'rebaseline');
    assert.equal(results[1]!.delta, undefined);
    assert.deepEqual(results[2]!.delta, {
      kind: 'histogram',
      count: 1,
      sum: 5,
      explicitBounds: [10, 100, 500],
      bucketCounts: [1, 0, 0, 0],
    });
    assert.equal(state?.version, 3);
  });
});

function exponential(
  scale: number,
  offset: number,
  bucketCounts: number[],
  zeroCount = 0,
  sum = 0,
): ExponentialHistogramValue {
  return {
    kind: 'exponentialHistogram',
    count: zeroCount + bucketCounts.reduce((a, b) => a + b, 0),
    sum,
    scale,
    zeroCount,
    positive: { offset, bucketCounts },
    negative: { offset: 0, bucketCounts: [] },
  };
}

describe('toDelta: exponential histograms', () => {
  it('subtracts buckets by absolute index when the offset moved', () => {
    // Previous: buckets 2 and 3 hold 1 each; current: bucket 1 holds 1, 2 holds 1, 3 holds 3.
    const { results } = run([
      point(0, 10, exponential(0, 2, [1, 1], 1, 10)),
      point(0, 20, exponential(0, 1, [1, 1, 3], 2, 30)),
    ]);

    assert.deepEqual(results[1]!.delta, {
      kind: 'exponentialHistogram',
      count: 4,
      sum: 20,
      scale: 0,
      zeroCount: 1,
      positive: { offset: 1, bucketCounts: [1, 0, 2] },
      negative: { offset: 0, bucketCounts: [] },
    });
  });

  it('compares at the coarser scale after the exporter downscaled, merging buckets exactly', () => {
    // At scale 1, buckets 2 = (2, 2.83] and 3 = (2.83, 4] both lie in bucket 1 = (2, 4] at scale 0, so the
    // previous point is { 1: 2 } at scale 0; the current one adds one value in (2, 4] and one in (4, 8].
    const { results } = run([
      point(0, 10, exponential(1, 2, [1, 1])),
      point(0, 20, exponential(0, 1, [3, 1])),
    ]);

    assert.equal(results[1]!.outcome, 'increase');
    const delta = results[1]!.delta as ExponentialHistogramValue;
    assert.equal(delta.scale, 0);
    assert.deepEqual(delta.positive, { offset: 1, bucketCounts: [1, 1] });
    assert.equal(delta.count, 2);
  });

  it('downscales negative indexes by flooring, as an arithmetic shift does', () => {
    // Scale 1 index -3 is (2^-1.5, 2^-1] which lies in scale 0 index -2 = (2^-2, 2^-1].
    const { results } = run([point(0, 10, exponential(1, -3, [1])), point(0, 20, exponential(0, -2, [2]))]);

    const delta = results[1]!.delta as ExponentialHistogramValue;
    assert.deepEqual(delta.positive, { offset: -2, bucketCounts: [1] });
  });
});
