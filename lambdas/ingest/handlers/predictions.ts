import { awsIngestDependencies } from '../adapters/aws/ingest-dependencies.js';
import type { IngestDependencies } from '../core/ingest-items.js';
import { predictionSchema, rollUpPredictions } from '../core/predictions.js';
import { createIngestRoute } from './ingest-route.js';

/** Builds `POST /api/v1/predictions`. */
export const createPredictionsHandler = (dependencies: () => IngestDependencies) =>
  createIngestRoute(
    { field: 'predictions', schema: predictionSchema, rollUp: rollUpPredictions },
    dependencies,
  );

/** The Lambda entry point. */
export const handler = createPredictionsHandler(awsIngestDependencies);
