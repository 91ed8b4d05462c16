import { recordPredictionEvents } from '../../events/core/record-prediction-events.js';
import type { Redactor } from '../../events/core/redaction.js';
import type { EventStore } from '../../events/ports/event-store.js';
import { awsPredictionsDependencies } from '../adapters/aws/predictions-dependencies.js';
import { predictionSchema, rollUpPredictions } from '../core/predictions.js';
import { createIngestRoute, type IngestRouteDependencies } from './ingest-route.js';

/** What `POST /api/v1/predictions` needs besides native ingest: where sampled raw events go. */
export interface PredictionsRouteDependencies extends IngestRouteDependencies {
  readonly predictionEvents: {
    readonly eventStore: Pick<EventStore, 'writePredictionEvents'>;
    readonly redactor: Redactor;
    /** Share of predictions kept as raw events (the environment's `rawEventSampleRate`). */
    readonly sampleRate: number;
  };
}

/** Builds `POST /api/v1/predictions`: metrics for every valid prediction, raw events for a sampled share. */
export const createPredictionsHandler = (dependencies: () => PredictionsRouteDependencies) =>
  createIngestRoute(
    {
      field: 'predictions',
      schema: predictionSchema,
      rollUp: rollUpPredictions,
      identity: (prediction) => prediction.id,
      alsoRecord: async (predictions) => {
        await recordPredictionEvents(predictions, dependencies().predictionEvents);
      },
    },
    dependencies,
  );

/** The Lambda entry point. */
export const handler = createPredictionsHandler(awsPredictionsDependencies);
