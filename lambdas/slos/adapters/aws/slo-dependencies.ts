import { createAwsMetricReader } from '../../../metrics/adapters/aws/metric-store-factory.js';
import { awsStateTable } from '../../../shared/adapters/aws/state-table.js';
import { lazy } from '../../../shared/lazy.js';
import { loadBundledRuntimeConfig } from '../../../shared/runtime-config.js';
import type { SloContext } from '../../core/slos.js';
import { readSloConfig } from '../../core/slos-config.js';
import { DynamoDbSloStateRepository } from './dynamodb-slo-state-repository.js';

/** SLOs in AWS: the bundled definitions, counts from the configured metric store, states in the state table. */
export const awsSloContext = lazy((): SloContext => {
  const runtimeConfig = loadBundledRuntimeConfig();
  const { documentClient, tableName } = awsStateTable();
  return {
    slos: readSloConfig(runtimeConfig.slos).slos,
    metricReader: createAwsMetricReader(runtimeConfig),
    states: new DynamoDbSloStateRepository({ client: documentClient, tableName }),
    now: Date.now,
  };
});
