import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { dimensionsKey, minuteOf, RollupAccumulator } from '../../../../lambdas/metrics/core/rollup.js';
import { logNormalSamples, nearestRankQuantile, seededRandom } from '../../../support/random.js';

const T0 = Date.UTC(2026, 2, 10, 14, 0, 0);

describe('minuteOf', () => {
  for (const [offsetMs, expected] of [
    [0, T0],
    [59_999, T0],
    [60_000, T0 + 60_000],
    [-1, T0 - 60_000],
  ] as const) {
    it(`puts T0${offsetMs >= 0 ? '+' : ''}${offsetMs}ms in the minute starting ${expected - T0}ms from T0`, () => {
      assert.equal(minuteOf(T0 + offsetMs), expected);
    });
  }
});

describe('dimensionsKey', () => {
  it('is the same for the same dimensions in any order and differs for different values', () => {
    assert.equal(
      dimensionsKey({ model: 'a', modelVersion: '1' }),
      dimensionsKey({ modelVersion: '1', model: 'a' }),
    );
    assert.notEqual(
      dimensionsKey({ model: 'a', modelVersion: '1' }),
      dimensionsKey({ model: 'a', modelVersion: '2' }),
    );
    // A value holding the separator of a naive "k=v,k=v" key must not collide with two dimensions.
    assert.notEqual(dimensionsKey({ a: 'x,b=y' }), dimensionsKey({ a: 'x', b: 'y' }));
  });
});

describe('RollupAccumulator', () => {
  it('keeps one rollup per series and minute with exact count, sum, min and max', () => {
    const accumulator = new RollupAccumulator();
    const series = { metric: 'latency_ms', dimensions: { model: 'churn' } };
    const values = [120, 80, 300, 95];
    for (const [i, value] of values.entries())
      accumulator.observe(series, T0 + i * 1000, value, { distribution: true });
    accumulator.observe(series, T0 + 61_000, 50, { distribution: true });

    const rollups = accumulator.rollups().sort((a, b) => a.minute - b.minute);

    assert.equal(rollups.length, 2);
    const [first, second] = rollups;
    assert.equal(first!.minute, T0);
    assert.equal(first!.count, values.length);
    assert.equal(
      first!.sum,
      values.reduce((a, b) => a + b, 0),
    );
    assert.equal(first!.min, Math.min(...values));
    assert.equal(first!.max, Math.max(...values));
    assert.equal(first!.sketch?.count, values.length);
    assert.equal(second!.minute, T0 + 60_000);
    assert.equal(second!.count, 1);
  });

  it('gives a sketch whose quantiles are within 1 % of the exact quantiles of the values', () => {
    const accumulator = new RollupAccumulator();
    const latencies = logNormalSamples(seededRandom(7), 5000, Math.log(120), 0.6);
    for (const value of latencies)
      accumulator.observe({ metric: 'latency_ms', dimensions: {} }, T0, value, { distribution: true });

    const [rollup] = accumulator.rollups();

    for (const quantile of [0.5, 0.9, 0.95, 0.99]) {
      const exact = nearestRankQuantile(latencies, quantile);
      const estimate = rollup!.sketch!.getValueAtQuantile(quantile);
      assert.ok(
        Math.abs(estimate - exact) / exact <= 0.01,
        `p${quantile * 100}: ${estimate} vs exact ${exact}`,
      );
    }
  });

  it('adds pre-aggregated distributions with their weights', () => {
    const accumulator = new RollupAccumulator();
    const series = { metric: 'request_duration', dimensions: { model: 'm' } };
    accumulator.observeDistribution(series, T0, {
      count: 10,
      sum: 55,
      min: 1,
      max: 10,
      weightedValues: [
        [2, 4],
        [8, 6],
      ],
    });

    const [rollup] = accumulator.rollups();

    assert.deepEqual([rollup!.count, rollup!.sum, rollup!.min, rollup!.max], [10, 55, 1, 10]);
    assert.equal(rollup!.sketch!.count, 10);
    // 4 of 10 weights sit at 2: the median (rank 5) falls on the 8s.
    assert.ok(Math.abs(rollup!.sketch!.getValueAtQuantile(0.5) - 8) / 8 <= 0.01);
  });

  it('ignores an empty distribution', () => {
    const accumulator = new RollupAccumulator();
    accumulator.observeDistribution({ metric: 'x', dimensions: {} }, T0, {
      count: 0,
      sum: 0,
      min: 0,
      max: 0,
    });
    assert.equal(accumulator.rollups().length, 0);
  });
});
