import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { aggregateRollups } from '../../../../lambdas/metrics/core/aggregate.js';
import { type MetricRollup, RollupAccumulator } from '../../../../lambdas/metrics/core/rollup.js';
import type { MetricQuery } from '../../../../lambdas/metrics/ports/metric-store.js';
import { logNormalSamples, nearestRankQuantile, seededRandom } from '../../../support/random.js';

const T0 = Date.UTC(2026, 2, 10, 14, 0, 0);
const HOUR = 3_600_000;

interface Sample {
  model: string;
  version: string;
  at: number;
  value: number;
}

function rollUp(samples: readonly Sample[]): MetricRollup[] {
  // Several accumulators, as several requests would write, so the same series and minute repeat.
  const accumulators = [new RollupAccumulator(), new RollupAccumulator(), new RollupAccumulator()];
  samples.forEach((sample, i) => {
    accumulators[i % accumulators.length]!.observe(
      { metric: 'latency_ms', dimensions: { model: sample.model, modelVersion: sample.version } },
      sample.at,
      sample.value,
      { distribution: true },
    );
  });
  return accumulators.flatMap((accumulator) => accumulator.rollups());
}

const random = seededRandom(42);
const samples: Sample[] = logNormalSamples(random, 6000, Math.log(200), 0.5).map((value, i) => ({
  model: i % 3 === 0 ? 'fraud' : 'churn',
  version: i % 2 === 0 ? 'v1' : 'v2',
  at: T0 + Math.floor(random() * HOUR),
  value,
}));
const rollups = rollUp(samples);
const query = (overrides: Partial<MetricQuery>): MetricQuery => ({
  metric: 'latency_ms',
  filters: {},
  groupBy: ['model'],
  stat: 'avg',
  from: T0,
  to: T0 + HOUR,
  ...overrides,
});
const valuesOf = (predicate: (sample: Sample) => boolean) =>
  samples.filter(predicate).map((sample) => sample.value);

describe('aggregateRollups', () => {
  for (const [stat, exact] of [
    ['count', (values: number[]) => values.length],
    ['sum', (values: number[]) => values.reduce((a, b) => a + b, 0)],
    ['avg', (values: number[]) => values.reduce((a, b) => a + b, 0) / values.length],
    ['min', (values: number[]) => Math.min(...values)],
    ['max', (values: number[]) => Math.max(...values)],
    ['rate', (values: number[]) => values.reduce((a, b) => a + b, 0) / (HOUR / 1000)],
  ] as const) {
    it(`gives the exact ${stat} per model over the whole range`, () => {
      const series = aggregateRollups(rollups, query({ stat }));

      assert.deepEqual(
        series.map((s) => s.labels.model),
        ['churn', 'fraud'],
      );
      for (const { labels, points } of series) {
        assert.equal(points.length, 1);
        assert.equal(points[0]![0], T0);
        const expected = exact(valuesOf((sample) => sample.model === labels.model));
        assert.ok(Math.abs(points[0]![1] - expected) <= Math.abs(expected) * 1e-9, `${stat} ${labels.model}`);
      }
    });
  }

  for (const [stat, quantile] of [
    ['p50', 0.5],
    ['p90', 0.9],
    ['p95', 0.95],
    ['p99', 0.99],
  ] as const) {
    it(`gives ${stat} within 2 % of the exact quantile after merging sketches across minutes and writers`, () => {
      const series = aggregateRollups(rollups, query({ stat, filters: { model: 'churn' } }));

      const exact = nearestRankQuantile(
        valuesOf((sample) => sample.model === 'churn'),
        quantile,
      );
      const [point] = series[0]!.points;
      assert.ok(Math.abs(point![1] - exact) / exact <= 0.02, `${stat}: ${point![1]} vs exact ${exact}`);
    });
  }

  it('buckets by step, leaves empty steps out and filters on dimensions', () => {
    const step = 15 * 60_000;
    const series = aggregateRollups(
      rollups,
      query({ stat: 'count', stepMs: step, filters: { modelVersion: 'v1' }, groupBy: [] }),
    );

    assert.equal(series.length, 1);
    assert.deepEqual(series[0]!.labels, {});
    const expected = [0, 1, 2, 3].map((i) => [
      T0 + i * step,
      samples.filter((s) => s.version === 'v1' && s.at >= T0 + i * step && s.at < T0 + (i + 1) * step).length,
    ]);
    assert.deepEqual(series[0]!.points, expected);
  });

  it('keeps the range half-open: a rollup at `to` is outside it', () => {
    const series = aggregateRollups(
      rollups,
      query({ stat: 'count', from: T0, to: T0 + 60_000, groupBy: [] }),
    );
    const inFirstMinute = samples.filter((s) => s.at < T0 + 60_000).length;
    assert.deepEqual(series[0]?.points ?? [], inFirstMinute ? [[T0, inFirstMinute]] : []);
  });

  it('answers a quantile of a metric without sketches with no points rather than a made-up value', () => {
    const accumulator = new RollupAccumulator();
    accumulator.observe({ metric: 'cost_usd', dimensions: { model: 'm' } }, T0, 0.25);
    const series = aggregateRollups(accumulator.rollups(), query({ metric: 'cost_usd', stat: 'p95' }));
    assert.deepEqual(series, [{ labels: { model: 'm' }, points: [] }]);
  });
});
