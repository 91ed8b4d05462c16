import {
  createAwsDashboardWriter,
  createAwsMetricWriter,
} from '../../../metrics/adapters/aws/metric-store-factory.js';
import { DynamoDbIdempotencyStore } from '../../../shared/adapters/aws/dynamodb-idempotency-store.js';
import { awsStateTable } from '../../../shared/adapters/aws/state-table.js';
import { lazy } from '../../../shared/lazy.js';
import { loadBundledRuntimeConfig } from '../../../shared/runtime-config.js';
import type { IngestRouteDependencies } from '../../handlers/ingest-route.js';
import type { OtlpMetricsRouteDependencies } from '../../handlers/otlp-metrics.js';
import { DynamoDbStreamStateRepository } from './dynamodb-stream-state-repository.js';

/** What every ingest Lambda shares: its config, the state table and the metric writers. */
export const awsIngestBase = lazy(() => {
  const config = loadBundledRuntimeConfig();
  return {
    config,
    stateTable: awsStateTable(),
    metricWriter: createAwsMetricWriter(config),
    dashboardWriter: createAwsDashboardWriter(config),
  };
});

/**
 * Native ingest in AWS: the configured metric store (spilling to the retry queue), EMF for dashboards, and
 * idempotency records in the state table.
 */
export const awsIngestDependencies = lazy((): IngestRouteDependencies => {
  const { config, stateTable, metricWriter, dashboardWriter } = awsIngestBase();
  return {
    metricWriter,
    dashboardWriter,
    now: Date.now,
    maxTimestampAgeMs: config.maxTimestampAgeMs,
    idempotencyStore: new DynamoDbIdempotencyStore(stateTable.documentClient, stateTable.tableName),
  };
});

/** OTLP metrics ingest in AWS: the same writers, and cumulative stream state in the state table. */
export const awsOtlpMetricsDependencies = lazy((): OtlpMetricsRouteDependencies => {
  const { config, stateTable, metricWriter, dashboardWriter } = awsIngestBase();
  return {
    metricWriter,
    dashboardWriter,
    streamState: new DynamoDbStreamStateRepository({
      client: stateTable.documentClient,
      tableName: stateTable.tableName,
    }),
    now: Date.now,
    maxTimestampAgeMs: config.maxTimestampAgeMs,
    maxDimensionValuesPerMetric: config.maxDimensionValuesPerMetric,
  };
});
