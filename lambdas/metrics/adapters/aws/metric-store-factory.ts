import { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import { SQSClient } from '@aws-sdk/client-sqs';
import { TimestreamQueryClient } from '@aws-sdk/client-timestream-query';
import { TimestreamWriteClient } from '@aws-sdk/client-timestream-write';
import { requiredEnv } from '../../../shared/adapters/aws/environment.js';
import { lazy } from '../../../shared/lazy.js';
import type { RuntimeConfig } from '../../../shared/runtime-config.js';
import { RollupMetricReader } from '../../core/aggregate.js';
import type { MetricRollup } from '../../core/rollup.js';
import { SpillingMetricWriter } from '../../core/spilling-metric-writer.js';
import {
  cloudWatchStoreNamespace,
  RETRY_QUEUE_URL_ENV,
  TIMESTREAM_DATABASE_ENV,
  TIMESTREAM_TABLE_ENV,
} from '../../metric-store-names.js';
import type { MetricReader, MetricWriter, WriteOptions, WriteOutcome } from '../../ports/metric-store.js';
import { CloudWatchMetricReader } from './cloudwatch-metric-reader.js';
import { CloudWatchMetricWriter } from './cloudwatch-metric-writer.js';
import { EmfMetricWriter } from './emf-metric-writer.js';
import { SqsRetryQueue } from './sqs-retry-queue.js';
import { TimestreamMetricWriter } from './timestream-metric-writer.js';
import { TimestreamRollupSource } from './timestream-rollup-source.js';

// Clients are made on first use, once per cold start: importing this module reads no settings. The writers
// retry with their own backoff (testable, and the one policy in force), so their clients do not retry too.
const timestreamWriteClient = lazy(() => new TimestreamWriteClient({ maxAttempts: 1 }));
const timestreamQueryClient = lazy(() => new TimestreamQueryClient({}));
const cloudWatchWriteClient = lazy(() => new CloudWatchClient({ maxAttempts: 1 }));
const cloudWatchReadClient = lazy(() => new CloudWatchClient({}));
const sqsClient = lazy(() => new SQSClient({ maxAttempts: 1 }));

/**
 * Publishes the `RejectedRecords` count (EMF) after every store write that refused rollups, so the platform
 * alarm sees bad data wherever it was written from (ingest or replay).
 */
export function reportingRejections(store: MetricWriter, emf: EmfMetricWriter): MetricWriter {
  return {
    async write(rollups: readonly MetricRollup[], options?: WriteOptions): Promise<WriteOutcome> {
      const outcome = await store.write(rollups, options);
      emf.writeRejectedRecords(outcome.rejected.length);
      return outcome;
    },
  };
}

/** The configured metric store itself: Timestream, or CloudWatch in accounts without Timestream. */
function createStoreWriter(config: RuntimeConfig): MetricWriter {
  if (config.metricStore === 'cloudwatch')
    return new CloudWatchMetricWriter({
      client: cloudWatchWriteClient(),
      namespace: cloudWatchStoreNamespace(config),
    });
  return new TimestreamMetricWriter({
    client: timestreamWriteClient(),
    databaseName: requiredEnv(TIMESTREAM_DATABASE_ENV),
    tableName: requiredEnv(TIMESTREAM_TABLE_ENV),
  });
}

/**
 * The metric writer of the ingest Lambdas: the configured store, whose failures after retries spill to the
 * SQS retry queue, and whose refused rollups are counted in `RejectedRecords`.
 */
export function createAwsMetricWriter(config: RuntimeConfig): MetricWriter {
  const store = reportingRejections(
    createStoreWriter(config),
    new EmfMetricWriter({ namespace: config.metricNamespace }),
  );
  return new SpillingMetricWriter(
    store,
    new SqsRetryQueue({ client: sqsClient(), queueUrl: requiredEnv(RETRY_QUEUE_URL_ENV) }),
  );
}

/**
 * The metric writer of the replay Lambda: the configured store without spilling, since a failed replay is
 * retried by SQS itself and then caught by the dead-letter queue.
 */
export function createAwsReplayMetricWriter(config: RuntimeConfig): MetricWriter {
  return reportingRejections(
    createStoreWriter(config),
    new EmfMetricWriter({ namespace: config.metricNamespace }),
  );
}

/** The dashboards' EMF writer (`Predictions`, `PredictionErrors`, `LatencyMs` by `Model`). */
export function createAwsDashboardWriter(config: RuntimeConfig): EmfMetricWriter {
  return new EmfMetricWriter({ namespace: config.metricNamespace });
}

/** The metric reader for the configured store. */
export function createAwsMetricReader(config: RuntimeConfig): MetricReader {
  if (config.metricStore === 'cloudwatch')
    return new CloudWatchMetricReader({
      client: cloudWatchReadClient(),
      namespace: cloudWatchStoreNamespace(config),
    });
  return new RollupMetricReader(
    new TimestreamRollupSource({
      client: timestreamQueryClient(),
      databaseName: requiredEnv(TIMESTREAM_DATABASE_ENV),
      tableName: requiredEnv(TIMESTREAM_TABLE_ENV),
    }),
  );
}
