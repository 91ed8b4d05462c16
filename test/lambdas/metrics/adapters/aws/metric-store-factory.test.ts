import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, it } from 'node:test';
import { CloudWatchMetricReader } from '../../../../../lambdas/metrics/adapters/aws/cloudwatch-metric-reader.js';
import { EmfMetricWriter } from '../../../../../lambdas/metrics/adapters/aws/emf-metric-writer.js';
import {
  createAwsDashboardWriter,
  createAwsMetricReader,
  createAwsMetricWriter,
  createAwsReplayMetricWriter,
  reportingRejections,
} from '../../../../../lambdas/metrics/adapters/aws/metric-store-factory.js';
import { RollupMetricReader } from '../../../../../lambdas/metrics/core/aggregate.js';
import type { MetricRollup } from '../../../../../lambdas/metrics/core/rollup.js';
import { SpillingMetricWriter } from '../../../../../lambdas/metrics/core/spilling-metric-writer.js';
import {
  cloudWatchStoreNamespace,
  RETRY_QUEUE_URL_ENV,
  TIMESTREAM_DATABASE_ENV,
  TIMESTREAM_TABLE_ENV,
} from '../../../../../lambdas/metrics/metric-store-names.js';
import { type RuntimeConfig, runtimeConfigSchema } from '../../../../../lambdas/shared/runtime-config.js';

const config = (metricStore: RuntimeConfig['metricStore']): RuntimeConfig =>
  runtimeConfigSchema.parse({
    environment: 'prod',
    metricStore,
    maxTimestampAgeMs: 86_400_000,
    metricNamespace: 'Vigil/prod',
  });
const ENV_NAMES = [TIMESTREAM_DATABASE_ENV, TIMESTREAM_TABLE_ENV, RETRY_QUEUE_URL_ENV, 'AWS_REGION'];

describe('metric store factory', () => {
  let saved: Record<string, string | undefined>;
  beforeEach(() => {
    saved = Object.fromEntries(ENV_NAMES.map((name) => [name, process.env[name]]));
    Object.assign(process.env, {
      [TIMESTREAM_DATABASE_ENV]: 'vigil-prod',
      [TIMESTREAM_TABLE_ENV]: 'rollups',
      [RETRY_QUEUE_URL_ENV]: 'https://sqs.eu-west-1.amazonaws.com/123456789012/vigil-prod-retry',
      AWS_REGION: 'eu-west-1',
    });
  });
  afterEach(() => {
    for (const [name, value] of Object.entries(saved)) {
      if (value === undefined) delete process.env[name];
      else process.env[name] = value;
    }
  });

  it('gives ingest a writer that spills to the retry queue, for either store', () => {
    assert.ok(createAwsMetricWriter(config('timestream')) instanceof SpillingMetricWriter);
    assert.ok(createAwsMetricWriter(config('cloudwatch')) instanceof SpillingMetricWriter);
  });

  it('names the missing environment variable of a Timestream store', () => {
    delete process.env[TIMESTREAM_TABLE_ENV];
    assert.throws(
      () => createAwsReplayMetricWriter(config('timestream')),
      /VIGIL_TIMESTREAM_TABLE is not set/,
    );
    assert.throws(() => createAwsMetricReader(config('timestream')), /VIGIL_TIMESTREAM_TABLE is not set/);
  });

  it('needs no Timestream settings for the CloudWatch store', () => {
    delete process.env[TIMESTREAM_DATABASE_ENV];
    delete process.env[TIMESTREAM_TABLE_ENV];
    createAwsReplayMetricWriter(config('cloudwatch'));
    assert.ok(createAwsMetricReader(config('cloudwatch')) instanceof CloudWatchMetricReader);
  });

  it('reads Timestream through RollupMetricReader', () => {
    assert.ok(createAwsMetricReader(config('timestream')) instanceof RollupMetricReader);
  });

  it('keeps the CloudWatch store in its own namespace beside the dashboards', () => {
    assert.equal(cloudWatchStoreNamespace(config('cloudwatch')), 'Vigil/prod/Metrics');
    assert.ok(createAwsDashboardWriter(config('cloudwatch')) instanceof EmfMetricWriter);
  });
});

describe('reportingRejections', () => {
  it('publishes RejectedRecords for the rollups the store refused, and passes the outcome on', async () => {
    // Prepare
    const rollup: MetricRollup = { metric: 'm', dimensions: {}, minute: 0, count: 1, sum: 1, min: 1, max: 1 };
    const outcome = {
      written: 1,
      rejected: [
        { rollup, reason: 'bad' },
        { rollup, reason: 'worse' },
      ],
    };
    const lines: string[] = [];
    const emf = new EmfMetricWriter({
      namespace: 'Vigil/prod',
      sink: (line) => lines.push(line),
      now: () => 1000,
    });

    // Act
    const result = await reportingRejections({ write: async () => outcome }, emf).write([
      rollup,
      rollup,
      rollup,
    ]);

    // Assess
    assert.equal(result, outcome);
    assert.deepEqual(
      lines.map((line) => JSON.parse(line).RejectedRecords),
      [2],
    );
  });
});
