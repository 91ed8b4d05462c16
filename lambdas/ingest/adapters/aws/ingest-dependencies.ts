import {
  createAwsDashboardWriter,
  createAwsMetricWriter,
} from '../../../metrics/adapters/aws/metric-store-factory.js';
import { DynamoDbIdempotencyStore } from '../../../shared/adapters/aws/dynamodb-idempotency-store.js';
import { awsStateTable } from '../../../shared/adapters/aws/state-table.js';
import { lazy } from '../../../shared/lazy.js';
import { loadBundledRuntimeConfig } from '../../../shared/runtime-config.js';
import type { IngestRouteDependencies } from '../../handlers/ingest-route.js';

/**
 * Native ingest in AWS: the configured metric store (spilling to the retry queue), EMF for dashboards, and
 * idempotency records in the state table.
 */
export const awsIngestDependencies = lazy((): IngestRouteDependencies => {
  const config = loadBundledRuntimeConfig();
  const { documentClient, tableName } = awsStateTable();
  return {
    metricWriter: createAwsMetricWriter(config),
    dashboardWriter: createAwsDashboardWriter(config),
    now: Date.now,
    maxTimestampAgeMs: config.maxTimestampAgeMs,
    idempotencyStore: new DynamoDbIdempotencyStore(documentClient, tableName),
  };
});
