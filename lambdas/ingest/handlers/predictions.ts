import { awsIngestDependencies } from '../adapters/aws/ingest-dependencies.js';
import { predictionSchema, rollUpPredictions } from '../core/predictions.js';
import { createIngestRoute, type IngestRouteDependencies } from './ingest-route.js';

/** Builds `POST /api/v1/predictions`. */
export const createPredictionsHandler = (dependencies: () => IngestRouteDependencies) =>
  createIngestRoute(
    {
      field: 'predictions',
      schema: predictionSchema,
      rollUp: rollUpPredictions,
      identity: (prediction) => prediction.id,
    },
    dependencies,
  );

/** The Lambda entry point. */
export const handler = createPredictionsHandler(awsIngestDependencies);
