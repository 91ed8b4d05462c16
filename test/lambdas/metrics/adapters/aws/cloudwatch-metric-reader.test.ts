import assert from 'node:assert/strict';
import { beforeEach, describe, it } from 'node:test';
import {
  CloudWatchClient,
  type Dimension,
  GetMetricDataCommand,
  type GetMetricDataInput,
  ListMetricsCommand,
  type MetricDataResult,
} from '@aws-sdk/client-cloudwatch';
import { mockClient } from 'aws-sdk-client-mock';
import {
  CloudWatchMetricReader,
  cloudWatchPeriodSeconds,
} from '../../../../../lambdas/metrics/adapters/aws/cloudwatch-metric-reader.js';
import type { MetricQuery } from '../../../../../lambdas/metrics/ports/metric-store.js';

const NAMESPACE = 'Vigil/prod/Metrics';
const T0 = Date.UTC(2026, 2, 10, 14, 0);
const STEP = 300_000;
const NOW = T0 + 3_600_000;
const cloudWatch = mockClient(CloudWatchClient);

type Statistics = Record<string, number>;
interface StoredSeries {
  readonly dimensions: Record<string, string>;
  /** CloudWatch's answer per period start (T0, T0 + STEP). */
  readonly periods: readonly [Statistics, Statistics];
}

// What CloudWatch holds: three series of latency_ms, statistics per 5-minute period.
const SERIES: readonly StoredSeries[] = [
  {
    dimensions: { model: 'fraud', modelVersion: 'v1' },
    periods: [
      { Sum: 1000, SampleCount: 10, Minimum: 20, Maximum: 300, p95: 280 },
      { Sum: 600, SampleCount: 4, Minimum: 50, Maximum: 250, p95: 240 },
    ],
  },
  {
    dimensions: { model: 'fraud', modelVersion: 'v2' },
    periods: [
      { Sum: 3000, SampleCount: 20, Minimum: 10, Maximum: 900, p95: 700 },
      { Sum: 200, SampleCount: 2, Minimum: 90, Maximum: 110, p95: 110 },
    ],
  },
  {
    dimensions: { model: 'churn' },
    periods: [
      { Sum: 50, SampleCount: 1, Minimum: 50, Maximum: 50, p95: 50 },
      { Sum: 90, SampleCount: 3, Minimum: 20, Maximum: 40, p95: 40 },
    ],
  },
];

const toCloudWatch = (dimensions: Record<string, string>): Dimension[] =>
  Object.entries(dimensions).map(([Name, Value]) => ({ Name, Value }));
const sameDimensions = (a: readonly Dimension[], b: Record<string, string>) =>
  a.length === Object.keys(b).length && a.every(({ Name, Value }) => b[Name!] === Value);

/** CloudWatch as the reader sees it: ListMetrics in two pages, GetMetricData answering from SERIES in two pages. */
function storeHolds(series: readonly StoredSeries[]) {
  cloudWatch.on(ListMetricsCommand).callsFake((input) => {
    const metrics = series.map((s) => ({
      Namespace: NAMESPACE,
      MetricName: 'latency_ms',
      Dimensions: toCloudWatch(s.dimensions),
    }));
    const matching = metrics.filter((metric) =>
      (input.Dimensions ?? []).every((filter: Dimension) =>
        metric.Dimensions.some((d) => d.Name === filter.Name && d.Value === filter.Value),
      ),
    );
    const half = Math.ceil(matching.length / 2);
    return input.NextToken
      ? { Metrics: matching.slice(half) }
      : { Metrics: matching.slice(0, half), NextToken: 'list-2' };
  });
  cloudWatch.on(GetMetricDataCommand).callsFake((input: GetMetricDataInput) => {
    const results: MetricDataResult[] = input.MetricDataQueries!.map((query) => {
      const stored = series.find((s) => sameDimensions(query.MetricStat!.Metric!.Dimensions!, s.dimensions))!;
      const stat = query.MetricStat!.Stat!;
      return {
        Id: query.Id,
        Timestamps: [new Date(T0), new Date(T0 + STEP)],
        Values: stored.periods.map((period) => period[stat]!),
        StatusCode: 'Complete',
      };
    });
    const half = Math.ceil(results.length / 2);
    return input.NextToken
      ? { MetricDataResults: results.slice(half) }
      : { MetricDataResults: results.slice(0, half), NextToken: 'data-2' };
  });
}

const reader = () =>
  new CloudWatchMetricReader({
    client: new CloudWatchClient({ region: 'eu-west-1' }),
    namespace: NAMESPACE,
    now: () => NOW,
  });
const query = (overrides: Partial<MetricQuery>): MetricQuery => ({
  metric: 'latency_ms',
  filters: {},
  groupBy: ['model'],
  stat: 'avg',
  from: T0,
  to: T0 + 2 * STEP,
  stepMs: STEP,
  ...overrides,
});
const churn = SERIES[2]!.periods;

describe('cloudWatchPeriodSeconds', () => {
  for (const [what, overrides, ageMs, expected] of [
    ['the step, when a multiple of 60 s', { stepMs: 300_000 }, 0, 300],
    ['at least 60 s', { stepMs: 10_000 }, 0, 60],
    ['a step rounded up to whole minutes', { stepMs: 90_000 }, 0, 120],
    ['the whole range without a step', { stepMs: undefined, to: T0 + 3_600_000 }, 0, 3600],
    ['whole 5 minutes for data over 15 days old', { stepMs: 60_000 }, 20 * 86_400_000, 300],
    ['whole hours for data over 63 days old', { stepMs: 60_000 }, 70 * 86_400_000, 3600],
  ] as const) {
    it(`is ${what}`, () => {
      const q = query(overrides as Partial<MetricQuery>);
      assert.equal(cloudWatchPeriodSeconds(q, q.from + ageMs), expected);
    });
  }
});

describe('CloudWatchMetricReader', () => {
  beforeEach(() => cloudWatch.reset());

  it('reads Sum and SampleCount of every series with the step as period, and averages per group', async () => {
    // Prepare
    storeHolds(SERIES);

    // Act
    const series = await reader().query(query({ stat: 'avg' }));

    // Assess
    assert.deepEqual(series, [
      {
        labels: { model: 'churn' },
        points: [
          [T0, 50],
          [T0 + STEP, 30],
        ],
      },
      {
        labels: { model: 'fraud' },
        points: [
          [T0, (1000 + 3000) / (10 + 20)],
          [T0 + STEP, (600 + 200) / (4 + 2)],
        ],
      },
    ]);
    const inputs = cloudWatch.commandCalls(GetMetricDataCommand).map((call) => call.args[0].input);
    assert.deepEqual(
      [...new Set(inputs.flatMap((input) => input.MetricDataQueries!.map((q) => q.MetricStat!.Stat)))].sort(),
      ['SampleCount', 'Sum'],
    );
    assert.ok(inputs.every((input) => input.MetricDataQueries!.every((q) => q.MetricStat!.Period === 300)));
    assert.deepEqual(inputs[0]!.StartTime, new Date(T0));
    assert.deepEqual(inputs[0]!.EndTime, new Date(T0 + 2 * STEP));
    assert.deepEqual(
      inputs.map((input) => input.NextToken),
      [undefined, 'data-2'],
    );
  });

  for (const [stat, expectedFraud, expectedChurn] of [
    ['sum', [4000, 800], [50, 90]],
    ['count', [30, 6], [1, 3]],
    ['min', [10, 50], [50, 20]],
    ['max', [900, 250], [50, 40]],
    ['rate', [4000 / 300, 800 / 300], [50 / 300, 90 / 300]],
  ] as const) {
    it(`combines ${stat} exactly across the series of a group`, async () => {
      storeHolds(SERIES);
      const series = await reader().query(query({ stat }));
      assert.deepEqual(
        series.map((s) => s.points.map(([, value]) => value)),
        [expectedChurn, expectedFraud],
      );
    });
  }

  it('answers p95 of a single series exactly, and of a group of series with the largest (an upper bound)', async () => {
    // Prepare
    storeHolds(SERIES);

    // Act
    const byVersion = await reader().query(
      query({ stat: 'p95', filters: { model: 'fraud' }, groupBy: ['modelVersion'] }),
    );
    const merged = await reader().query(query({ stat: 'p95', filters: { model: 'fraud' }, groupBy: [] }));

    // Assess
    assert.deepEqual(
      byVersion.map((s) => [s.labels, s.points.map(([, value]) => value)]),
      [
        [{ modelVersion: 'v1' }, [280, 240]],
        [{ modelVersion: 'v2' }, [700, 110]],
      ],
    );
    assert.deepEqual(
      merged[0]!.points.map(([, value]) => value),
      [Math.max(280, 700), Math.max(240, 110)],
    );
    assert.ok(
      cloudWatch
        .commandCalls(GetMetricDataCommand)
        .every((call) => call.args[0].input.MetricDataQueries!.every((q) => q.MetricStat!.Stat === 'p95')),
    );
  });

  it('only reads series whose dimensions match the filters', async () => {
    storeHolds(SERIES);
    const series = await reader().query(query({ stat: 'sum', filters: { model: 'churn' } }));
    assert.deepEqual(series, [
      {
        labels: { model: 'churn' },
        points: [
          [T0, churn[0].Sum],
          [T0 + STEP, churn[1].Sum],
        ],
      },
    ]);
  });

  it('splits GetMetricData into calls of at most 500 queries', async () => {
    // Prepare: 300 series × 2 statistics for avg = 600 queries.
    const many = Array.from({ length: 300 }, (_, i) => ({ ...SERIES[0]!, dimensions: { model: `m${i}` } }));
    storeHolds(many);

    // Act
    const series = await reader().query(query({ stat: 'avg', groupBy: [] }));

    // Assess
    const firstPages = cloudWatch
      .commandCalls(GetMetricDataCommand)
      .map((call) => call.args[0].input)
      .filter((input) => input.NextToken === undefined);
    assert.deepEqual(
      firstPages.map((input) => input.MetricDataQueries!.length),
      [500, 100],
    );
    assert.deepEqual(series[0]!.points, [
      [T0, 100],
      [T0 + STEP, 150],
    ]);
  });

  it('answers nothing, without reading data, when no series matches', async () => {
    storeHolds([]);
    assert.deepEqual(await reader().query(query({})), []);
    assert.equal(cloudWatch.commandCalls(GetMetricDataCommand).length, 0);
  });
});
