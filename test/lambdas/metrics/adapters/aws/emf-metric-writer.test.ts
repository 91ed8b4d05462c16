import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  EmfMetricWriter,
  latencySamples,
} from '../../../../../lambdas/metrics/adapters/aws/emf-metric-writer.js';
import { type MetricRollup, RollupAccumulator } from '../../../../../lambdas/metrics/core/rollup.js';
import { newSketch } from '../../../../../lambdas/metrics/core/sketch.js';
import { logNormalSamples, seededRandom } from '../../../../support/random.js';

const NAMESPACE = 'Vigil/prod';
const T0 = Date.UTC(2026, 2, 10, 14, 5);
const NOW = T0 + 42_000;
const UNITS = new Set([
  'Seconds',
  'Microseconds',
  'Milliseconds',
  'Bytes',
  'Count',
  'Percent',
  'None',
  'Count/Second',
]);

// biome-ignore lint/suspicious/noExplicitAny: a parsed log line is checked member by member below.
type Json = any;

/**
 * Checks a log line against the CloudWatch Embedded Metric Format specification (user guide,
 * "Specification: Embedded metric format"): a JSON object whose `_aws` has an integer Timestamp and
 * MetricDirectives; each directive has a Namespace, DimensionSets of at most 9 keys whose targets are
 * string members of the root, and at most 100 MetricDefinitions whose targets are numbers or arrays of at
 * most 100 numbers; units are CloudWatch units.
 */
function assertEmf(line: string): Json {
  const document = JSON.parse(line);
  assert.equal(typeof document, 'object');
  assert.ok(Number.isInteger(document._aws.Timestamp));
  assert.ok(Array.isArray(document._aws.CloudWatchMetrics) && document._aws.CloudWatchMetrics.length > 0);
  for (const directive of document._aws.CloudWatchMetrics) {
    assert.deepEqual(Object.keys(directive).sort(), ['Dimensions', 'Metrics', 'Namespace']);
    assert.ok(
      typeof directive.Namespace === 'string' &&
        directive.Namespace.length >= 1 &&
        directive.Namespace.length <= 255,
    );
    assert.ok(Array.isArray(directive.Dimensions) && directive.Dimensions.length >= 1);
    for (const dimensionSet of directive.Dimensions) {
      assert.ok(dimensionSet.length <= 9);
      for (const key of dimensionSet) assert.equal(typeof document[key], 'string', `dimension ${key}`);
    }
    assert.ok(directive.Metrics.length <= 100);
    for (const metric of directive.Metrics) {
      assert.ok(UNITS.has(metric.Unit), metric.Unit);
      const target = document[metric.Name];
      if (Array.isArray(target)) {
        assert.ok(target.length <= 100, `${metric.Name} has ${target.length} values`);
        assert.ok(target.every((value: unknown) => typeof value === 'number'));
      } else {
        assert.equal(typeof target, 'number', `${metric.Name} target`);
      }
    }
  }
  return document;
}

function writerWith(options: { maxLatencySamples?: number } = {}) {
  const lines: string[] = [];
  const writer = new EmfMetricWriter({
    namespace: NAMESPACE,
    sink: (line) => lines.push(line),
    now: () => NOW,
    ...options,
  });
  return { writer, documents: () => lines.map(assertEmf) };
}

/** Rollups of predictions as the ingest handler makes them. */
function predictionRollups(
  latencies: readonly number[],
  model: string,
  version: string,
  errors: number,
): MetricRollup[] {
  const accumulator = new RollupAccumulator();
  const dimensions = { model, modelVersion: version };
  latencies.forEach((latency, i) => {
    accumulator.observe({ metric: 'predictions', dimensions }, T0, 1);
    accumulator.observe({ metric: 'latency_ms', dimensions }, T0, latency, { distribution: true });
    if (i < errors) {
      // As ingest records them: every error once, with its type.
      accumulator.observe({ metric: 'errors', dimensions: { ...dimensions, errorType: 'Timeout' } }, T0, 1);
    }
  });
  accumulator.observe({ metric: 'cost_usd', dimensions }, T0, 0.01);
  return accumulator.rollups();
}

describe('EmfMetricWriter', () => {
  it('publishes Predictions, PredictionErrors and LatencyMs per model only, at the rollup minute', async () => {
    // Prepare: two versions of one model, whose errors the dashboard sums over versions and error types.
    const { writer, documents } = writerWith();
    const rollups = [
      ...predictionRollups([120, 80, 95], 'fraud', 'v1', 1),
      ...predictionRollups([200, 210], 'fraud', 'v2', 2),
    ];

    // Act
    await writer.write(rollups);

    // Assess
    const [document, ...more] = documents();
    assert.equal(more.length, 0);
    assert.deepEqual(document._aws, {
      Timestamp: T0,
      CloudWatchMetrics: [
        {
          Namespace: NAMESPACE,
          Dimensions: [['Model']],
          Metrics: [
            { Name: 'Predictions', Unit: 'Count' },
            { Name: 'PredictionErrors', Unit: 'Count' },
            { Name: 'LatencyMs', Unit: 'Milliseconds' },
          ],
        },
      ],
    });
    assert.equal(document.Model, 'fraud');
    assert.equal(document.Predictions, 5);
    assert.equal(document.PredictionErrors, 3);
    assert.equal(document.modelVersion, undefined);
    const published = [...document.LatencyMs].sort((a: number, b: number) => a - b);
    [80, 95, 120, 200, 210].forEach((exact, i) => {
      assert.ok(Math.abs(published[i] - exact) / exact <= 0.01, `${published[i]} is within 1 % of ${exact}`);
    });
  });

  it('publishes PredictionErrors as 0 for a minute without errors, so error rates have both terms', async () => {
    const { writer, documents } = writerWith();
    await writer.write(predictionRollups([100], 'churn', 'v1', 0));
    assert.equal(documents()[0]!.PredictionErrors, 0);
  });

  it('spreads 250 latencies over lines of at most 100 values, one value per prediction', async () => {
    // Prepare
    const latencies = logNormalSamples(seededRandom(4), 250, Math.log(150), 0.4);
    const { writer, documents } = writerWith();

    // Act
    await writer.write(predictionRollups(latencies, 'fraud', 'v1', 0));

    // Assess
    const lines = documents();
    assert.deepEqual(
      lines.map((line) => line.LatencyMs.length),
      [100, 100, 50],
    );
    assert.equal(lines[0].Predictions, 250);
    for (const line of lines.slice(1)) {
      assert.deepEqual(line._aws.CloudWatchMetrics[0].Metrics, [{ Name: 'LatencyMs', Unit: 'Milliseconds' }]);
      assert.equal(line.Model, 'fraud');
    }
    const published = lines.flatMap((line) => line.LatencyMs).sort((a: number, b: number) => a - b);
    const exact = [...latencies].sort((a, b) => a - b);
    published.forEach((value: number, i: number) => {
      assert.ok(Math.abs(value - exact[i]!) / exact[i]! <= 0.01);
    });
  });

  it('publishes at most maxLatencySamples values, at evenly spaced quantiles of the sketch', async () => {
    // Prepare
    const latencies = logNormalSamples(seededRandom(8), 5000, Math.log(150), 0.4);
    const { writer, documents } = writerWith({ maxLatencySamples: 300 });

    // Act
    await writer.write(predictionRollups(latencies, 'fraud', 'v1', 0));

    // Assess
    const published = documents().flatMap((line) => line.LatencyMs ?? []);
    assert.equal(published.length, 300);
    assert.equal(documents()[0].Predictions, 5000);
  });

  it('publishes RejectedRecords with an empty dimension set at the current time, and nothing for zero', () => {
    // Prepare
    const { writer, documents } = writerWith();

    // Act
    writer.writeRejectedRecords(0);
    writer.writeRejectedRecords(2);

    // Assess
    assert.deepEqual(documents(), [
      {
        _aws: {
          Timestamp: NOW,
          CloudWatchMetrics: [
            { Namespace: NAMESPACE, Dimensions: [[]], Metrics: [{ Name: 'RejectedRecords', Unit: 'Count' }] },
          ],
        },
        RejectedRecords: 2,
      },
    ]);
  });

  it('leaves out rollups that are not dashboard metrics, and says how many it used', async () => {
    // Prepare
    const { writer, documents } = writerWith();
    const rollups: MetricRollup[] = [
      {
        metric: 'gpu_util',
        dimensions: { model: 'fraud' },
        minute: T0,
        count: 1,
        sum: 0.5,
        min: 0.5,
        max: 0.5,
      },
      { metric: 'predictions', dimensions: {}, minute: T0, count: 1, sum: 1, min: 1, max: 1 },
    ];

    // Act
    const outcome = await writer.write(rollups);

    // Assess
    assert.deepEqual(outcome, { written: 0, rejected: [] });
    assert.deepEqual(documents(), []);
  });
});

describe('latencySamples', () => {
  it('repeats each bin value once per value in it while under the cap', () => {
    const sketch = newSketch();
    for (const value of [10, 10, 10, 500]) sketch.accept(value);
    const samples = latencySamples(sketch, 10);
    assert.equal(samples.length, 4);
    assert.equal(new Set(samples.slice(0, 3)).size, 1);
  });
});
