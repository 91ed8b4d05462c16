import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  exponentialHistogramDistribution,
  exponentialLowerBound,
  histogramDistribution,
} from '../../../../lambdas/ingest/core/otlp-point-values.js';
import { RollupAccumulator } from '../../../../lambdas/metrics/core/rollup.js';

describe('histogramDistribution', () => {
  it('keeps count, sum, min and max and weighs each bucket at its midpoint narrowed to [min, max]', () => {
    // Buckets: (-inf, 0], (0, 10], (10, 100], (100, +inf) with min -5 and max 500.
    const summary = histogramDistribution({
      kind: 'histogram',
      count: 10,
      sum: 1234,
      min: -5,
      max: 500,
      explicitBounds: [0, 10, 100],
      bucketCounts: [1, 2, 3, 4],
    });

    assert.equal(summary.count, 10);
    assert.equal(summary.sum, 1234);
    assert.equal(summary.min, -5);
    assert.equal(summary.max, 500);
    assert.deepEqual(summary.weightedValues, [
      [(-5 + 0) / 2, 1],
      [(0 + 10) / 2, 2],
      [(10 + 100) / 2, 3],
      [(100 + 500) / 2, 4],
    ]);
  });

  it('puts an open bucket at its finite bound without min or max, and estimates sum, min and max from the buckets', () => {
    const summary = histogramDistribution({
      kind: 'histogram',
      count: 6,
      explicitBounds: [5, 10],
      bucketCounts: [1, 0, 5],
    });

    assert.deepEqual(summary.weightedValues, [
      [5, 1],
      [10, 5],
    ]);
    assert.equal(summary.sum, 5 * 1 + 10 * 5);
    assert.equal(summary.min, 5);
    assert.equal(summary.max, 10);
  });

  it('narrows a finite bucket to min and max when the values lie inside it', () => {
    const summary = histogramDistribution({
      kind: 'histogram',
      count: 3,
      sum: 10,
      min: 3,
      max: 4,
      explicitBounds: [0, 10],
      bucketCounts: [0, 3, 0],
    });

    assert.deepEqual(summary.weightedValues, [[3.5, 3]]);
  });

  it('places a histogram without buckets at its mean', () => {
    const summary = histogramDistribution({
      kind: 'histogram',
      count: 4,
      sum: 10,
      explicitBounds: [],
      bucketCounts: [],
    });

    assert.deepEqual(summary.weightedValues, [[2.5, 4]]);
  });

  it('gives quantiles within the bucket that holds them (the accuracy limit of histograms)', () => {
    // 90 values in (10, 20] and 10 in (20, 1000]: the median lies in (10, 20].
    const accumulator = new RollupAccumulator();
    accumulator.observeDistribution(
      { metric: 'm', dimensions: {} },
      0,
      histogramDistribution({
        kind: 'histogram',
        count: 100,
        sum: 3000,
        explicitBounds: [10, 20, 1000],
        bucketCounts: [0, 90, 10, 0],
      }),
    );

    const median = accumulator.rollups()[0]!.sketch!.getValueAtQuantile(0.5);

    assert.ok(median > 10 && median <= 20 * 1.01, `median ${median} should lie in (10, 20]`);
  });
});

describe('exponentialHistogramDistribution', () => {
  it('weighs each bucket at its geometric midpoint and the zero bucket at 0', () => {
    // Scale 0: base 2, so positive bucket 1 is (2, 4] and 2 is (4, 8]; negative bucket 0 is [-2, -1).
    const summary = exponentialHistogramDistribution({
      kind: 'exponentialHistogram',
      count: 8,
      sum: 20,
      scale: 0,
      zeroCount: 2,
      positive: { offset: 1, bucketCounts: [2, 3] },
      negative: { offset: 0, bucketCounts: [1] },
    });

    assert.deepEqual(summary.weightedValues, [
      [0, 2],
      [Math.sqrt(2 * 4), 2],
      [Math.sqrt(4 * 8), 3],
      [-Math.sqrt(1 * 2), 1],
    ]);
    assert.equal(summary.count, 8);
    assert.equal(summary.sum, 20);
    assert.equal(summary.min, -Math.sqrt(2));
    assert.equal(summary.max, Math.sqrt(32));
  });

  it('uses base 2^(2^-scale) for the bucket bounds, as in the data model table', () => {
    // From the OTel data model: scale 3 lower boundaries are 2^(i/8): index 1 -> 1.09051, index 4 -> sqrt(2).
    assert.ok(Math.abs(exponentialLowerBound(1, 3) - 1.09051) < 1e-5);
    assert.ok(Math.abs(exponentialLowerBound(4, 3) - Math.SQRT2) < 1e-5);
    assert.equal(exponentialLowerBound(3, -1), 4 ** 3);
  });
});
