import { awsIngestBase } from '../../../ingest/adapters/aws/ingest-dependencies.js';
import { awsStateTable } from '../../../shared/adapters/aws/state-table.js';
import { lazy } from '../../../shared/lazy.js';
import type { LabelsContext } from '../../core/labels.js';
import { readSloConfig } from '../../core/slos-config.js';
import { DynamoDbPredictionJoinStore } from './dynamodb-prediction-join-store.js';

/** Labels in AWS: predictions kept in the state table; accuracy and SLO counts to the metric store. */
export const awsLabelsContext = lazy((): LabelsContext => {
  const { config, metricWriter } = awsIngestBase();
  const { documentClient, tableName } = awsStateTable();
  return {
    slos: readSloConfig(config.slos).slos,
    joinStore: new DynamoDbPredictionJoinStore({ client: documentClient, tableName }),
    metricWriter,
    now: Date.now,
  };
});
