import { recordPredictionEvents } from '../../events/core/record-prediction-events.js';
import type { Redactor } from '../../events/core/redaction.js';
import type { EventStore } from '../../events/ports/event-store.js';
import { rememberForLabels } from '../../slos/core/labels.js';
import { observeSliIncrements, predictionSliIncrements } from '../../slos/core/sli-counts.js';
import type { Slo } from '../../slos/core/slo.js';
import type { PredictionJoinStore } from '../../slos/ports/prediction-join-store.js';
import { awsPredictionsDependencies } from '../adapters/aws/predictions-dependencies.js';
import { type Prediction, predictionSchema, rollUpPredictions } from '../core/predictions.js';
import { createIngestRoute, type IngestRouteDependencies } from './ingest-route.js';

/** What `POST /api/v1/predictions` needs besides native ingest. */
export interface PredictionsRouteDependencies extends IngestRouteDependencies {
  /** Where sampled raw events go. */
  readonly predictionEvents: {
    readonly eventStore: Pick<EventStore, 'writePredictionEvents'>;
    readonly redactor: Redactor;
    /** Share of predictions kept as raw events (the environment's `rawEventSampleRate`). */
    readonly sampleRate: number;
  };
  /** SLOs whose good and total counts are recorded at ingest, and predictions kept for their labels. */
  readonly slos?: {
    readonly slos: readonly Slo[];
    readonly joinStore: PredictionJoinStore;
    readonly joinWindowMs: number;
    /** Whether a model's predictions wait for labels (it has an accuracy SLO or target). */
    readonly awaitsLabels: (model: string) => boolean;
  };
}

/**
 * Builds `POST /api/v1/predictions`: metrics for every valid prediction, each SLO's good and total counts,
 * raw events for a sampled share, and predictions with an id kept for their labels where accuracy is measured.
 */
export const createPredictionsHandler = (dependencies: () => PredictionsRouteDependencies) =>
  createIngestRoute(
    {
      field: 'predictions',
      schema: predictionSchema,
      rollUp: (predictions: Iterable<Prediction>) => {
        const accumulator = rollUpPredictions(predictions);
        const slos = dependencies().slos?.slos ?? [];
        if (slos.length > 0) {
          for (const prediction of predictions) {
            observeSliIncrements(
              accumulator,
              prediction.timestamp,
              predictionSliIncrements(slos, prediction),
            );
          }
        }
        return accumulator;
      },
      identity: (prediction) => prediction.id,
      alsoRecord: async (predictions) => {
        const { predictionEvents, slos, now } = dependencies();
        await Promise.all([
          recordPredictionEvents(predictions, predictionEvents),
          slos && rememberForLabels(predictions, { ...slos, now: now() }),
        ]);
      },
    },
    dependencies,
  );

/** The Lambda entry point. */
export const handler = createPredictionsHandler(awsPredictionsDependencies);
