import assert from 'node:assert/strict';
import { beforeEach, describe, it } from 'node:test';
import {
  CloudWatchClient,
  InvalidParameterValueException,
  type MetricDatum,
  PutMetricDataCommand,
} from '@aws-sdk/client-cloudwatch';
import { mockClient } from 'aws-sdk-client-mock';
import {
  CloudWatchMetricWriter,
  rollupToDatums,
} from '../../../../../lambdas/metrics/adapters/aws/cloudwatch-metric-writer.js';
import type { MetricRollup } from '../../../../../lambdas/metrics/core/rollup.js';
import { sketchBins } from '../../../../../lambdas/metrics/core/rollup-codec.js';
import { seededRandom } from '../../../../support/random.js';
import { sketchOf } from '../../../../support/sketches.js';

const MINUTE = Date.UTC(2026, 2, 10, 14, 5);
const cloudWatch = mockClient(CloudWatchClient);

const counter = (overrides: Partial<MetricRollup> = {}): MetricRollup => ({
  metric: 'predictions',
  dimensions: { model: 'fraud', modelVersion: 'v2' },
  minute: MINUTE,
  count: 4,
  sum: 4,
  min: 1,
  max: 1,
  ...overrides,
});

function datumsOf(rollup: MetricRollup): MetricDatum[] {
  const result = rollupToDatums(rollup);
  assert.ok(result.ok, result.ok ? '' : result.reason);
  return result.datums;
}

function writerWith(delays: number[] = []) {
  return new CloudWatchMetricWriter({
    client: new CloudWatchClient({ region: 'eu-west-1' }),
    namespace: 'Vigil/prod/Metrics',
    sleep: async (ms) => void delays.push(ms),
    random: () => 0.5,
  });
}

const putCalls = () => cloudWatch.commandCalls(PutMetricDataCommand).map((call) => call.args[0].input);

describe('rollupToDatums', () => {
  it('publishes a counter as exact StatisticValues, dimensions one to one', () => {
    assert.deepEqual(datumsOf(counter({ count: 4, sum: 7, min: 0.5, max: 3 })), [
      {
        MetricName: 'predictions',
        Dimensions: [
          { Name: 'model', Value: 'fraud' },
          { Name: 'modelVersion', Value: 'v2' },
        ],
        Timestamp: new Date(MINUTE),
        StatisticValues: { SampleCount: 4, Sum: 7, Minimum: 0.5, Maximum: 3 },
      },
    ]);
  });

  it('publishes a distribution as Values and Counts from its sketch bins, so percentiles work', () => {
    // Prepare
    const sketch = sketchOf([100, 100, 100, 250, 900]);

    // Act
    const [datum, ...more] = datumsOf(counter({ metric: 'latency_ms', count: 5, sketch }));

    // Assess
    assert.equal(more.length, 0);
    assert.equal(datum!.StatisticValues, undefined);
    assert.deepEqual(datum!.Counts, [3, 1, 1]);
    datum!.Values!.forEach((value, i) => {
      const exact = [100, 250, 900][i]!;
      assert.ok(Math.abs(value - exact) / exact <= 0.01, `${value} is within 1 % of ${exact}`);
    });
  });

  it('splits a sketch of more than 150 bins over datums of at most 150 values, keeping every count', () => {
    // Prepare
    const random = seededRandom(9);
    const sketch = sketchOf(Array.from({ length: 5000 }, () => 10 ** (4 * random())));
    const bins = sketchBins(sketch);

    // Act
    const datums = datumsOf(counter({ metric: 'latency_ms', count: 5000, sketch }));

    // Assess
    assert.ok(bins.length > 300, `${bins.length} bins`);
    assert.equal(datums.length, Math.ceil(bins.length / 150));
    for (const datum of datums) assert.ok(datum.Values!.length <= 150);
    assert.equal(
      datums.flatMap((datum) => datum.Counts!).reduce((a, b) => a + b, 0),
      5000,
    );
  });

  it('leaves out dimensions with an empty value', () => {
    assert.deepEqual(datumsOf(counter({ dimensions: { model: 'fraud', modelVersion: '' } }))[0]!.Dimensions, [
      { Name: 'model', Value: 'fraud' },
    ]);
  });

  for (const [what, overrides, reason] of [
    [
      '31 dimensions',
      { dimensions: Object.fromEntries(Array.from({ length: 31 }, (_, i) => [`d${i}`, 'x'])) },
      /31 dimensions; CloudWatch takes at most 30/,
    ],
    [
      'a dimension value over 1024 characters',
      { dimensions: { model: 'x'.repeat(1025) } },
      /1025-character value/,
    ],
    ['a metric name over 255 characters', { metric: 'm'.repeat(256) }, /metric name has 256 characters/],
    ['a NaN sum', { sum: Number.NaN }, /sum is NaN/],
    ['a value beyond 2^360', { max: 2 ** 361 }, /within ±2\^360/],
    ['a count of zero', { count: 0 }, /count is 0/],
  ] as const) {
    it(`refuses ${what}`, () => {
      const result = rollupToDatums(counter(overrides as Partial<MetricRollup>));
      assert.ok(!result.ok);
      assert.match(result.reason, reason);
    });
  }
});

describe('CloudWatchMetricWriter', () => {
  beforeEach(() => cloudWatch.reset());

  it('publishes 2500 rollups in calls of at most 1000 datums to the store namespace', async () => {
    // Prepare
    cloudWatch.on(PutMetricDataCommand).resolves({});
    const rollups = Array.from({ length: 2500 }, (_, i) => counter({ dimensions: { model: `m${i}` } }));

    // Act
    const outcome = await writerWith().write(rollups);

    // Assess
    assert.deepEqual(outcome, { written: 2500, rejected: [] });
    assert.deepEqual(
      putCalls().map((input) => input.MetricData!.length),
      [1000, 1000, 500],
    );
    assert.ok(putCalls().every((input) => input.Namespace === 'Vigil/prod/Metrics'));
  });

  it('retries throttling with backoff', async () => {
    // Prepare
    const throttled = Object.assign(new Error('Rate exceeded'), {
      name: 'Throttling',
      $metadata: { httpStatusCode: 400 },
    });
    cloudWatch.on(PutMetricDataCommand).rejectsOnce(throttled).resolves({});
    const delays: number[] = [];

    // Act
    const outcome = await writerWith(delays).write([counter()]);

    // Assess
    assert.equal(outcome.written, 1);
    assert.equal(putCalls().length, 2);
    assert.deepEqual(delays, [50]);
  });

  it('isolates a rollup CloudWatch refuses by halving the call, and publishes the others', async () => {
    // Prepare: CloudWatch refuses any call that carries the "bad" metric.
    cloudWatch.on(PutMetricDataCommand).callsFake((input: { MetricData: MetricDatum[] }) => {
      if (input.MetricData.some((datum) => datum.MetricName === 'bad'))
        throw new InvalidParameterValueException({
          message: 'The value for parameter MetricData is invalid.',
          $metadata: {},
        });
      return {};
    });
    const rollups = Array.from({ length: 8 }, (_, i) => counter({ metric: i === 5 ? 'bad' : 'predictions' }));

    // Act
    const outcome = await writerWith().write(rollups);

    // Assess
    assert.equal(outcome.written, 7);
    assert.deepEqual(outcome.rejected, [
      {
        rollup: rollups[5],
        reason: 'cloudwatch refused the datum: The value for parameter MetricData is invalid.',
      },
    ]);
  });

  it('lets an outage propagate after its retries', async () => {
    cloudWatch.on(PutMetricDataCommand).rejects(
      Object.assign(new Error('down'), {
        name: 'InternalServiceError',
        $metadata: { httpStatusCode: 500 },
      }),
    );
    await assert.rejects(writerWith().write([counter()]), /down/);
    assert.equal(putCalls().length, 4);
  });
});
