import { createAwsEventStore } from '../../../events/adapters/aws/event-store-factory.js';
import { createRedactor } from '../../../events/core/redaction.js';
import { lazy } from '../../../shared/lazy.js';
import type { PredictionsRouteDependencies } from '../../handlers/predictions.js';
import { awsIngestBase, awsIngestDependencies } from './ingest-dependencies.js';

// Apart from the other ingest compositions, so only the predictions bundle carries the OpenSearch client.
/** Predictions in AWS: native ingest, plus sampled raw events in OpenSearch (spilling to the retry queue). */
export const awsPredictionsDependencies = lazy((): PredictionsRouteDependencies => {
  const { config } = awsIngestBase();
  return {
    ...awsIngestDependencies(),
    predictionEvents: {
      eventStore: createAwsEventStore(config),
      redactor: createRedactor({ patterns: config.redactionPatterns }),
      sampleRate: config.rawEventSampleRate,
    },
  };
});
