import { createAwsEventStore } from '../../../events/adapters/aws/event-store-factory.js';
import { createRedactor } from '../../../events/core/redaction.js';
import { awsStateTable } from '../../../shared/adapters/aws/state-table.js';
import { lazy } from '../../../shared/lazy.js';
import { DynamoDbPredictionJoinStore } from '../../../slos/adapters/aws/dynamodb-prediction-join-store.js';
import { labelledModels } from '../../../slos/core/labels.js';
import { readSloConfig } from '../../../slos/core/slos-config.js';
import type { PredictionsRouteDependencies } from '../../handlers/predictions.js';
import { awsIngestBase, awsIngestDependencies } from './ingest-dependencies.js';

// Apart from the other ingest compositions, so only the predictions bundle carries the OpenSearch client.
/**
 * Predictions in AWS: native ingest, sampled raw events in OpenSearch (spilling to the retry queue), SLO
 * counts, and predictions kept in the state table for their labels.
 */
export const awsPredictionsDependencies = lazy((): PredictionsRouteDependencies => {
  const { config } = awsIngestBase();
  const sloConfig = readSloConfig(config.slos);
  const { documentClient, tableName } = awsStateTable();
  return {
    ...awsIngestDependencies(),
    predictionEvents: {
      eventStore: createAwsEventStore(config),
      redactor: createRedactor({ patterns: config.redactionPatterns }),
      sampleRate: config.rawEventSampleRate,
    },
    slos: {
      slos: sloConfig.slos,
      joinStore: new DynamoDbPredictionJoinStore({ client: documentClient, tableName }),
      joinWindowMs: sloConfig.labelJoinWindowMs,
      awaitsLabels: labelledModels(sloConfig.slos, sloConfig.accuracyModels),
    },
  };
});
