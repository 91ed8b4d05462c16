import { awsIngestDependencies } from '../adapters/aws/ingest-dependencies.js';
import { metricSampleSchema, rollUpMetricSamples } from '../core/generic-metrics.js';
import type { IngestDependencies } from '../core/ingest-items.js';
import { createIngestRoute } from './ingest-route.js';

/** Builds `POST /api/v1/metrics`. */
export const createMetricsHandler = (dependencies: () => IngestDependencies) =>
  createIngestRoute(
    { field: 'metrics', schema: metricSampleSchema, rollUp: rollUpMetricSamples },
    dependencies,
  );

/** The Lambda entry point. */
export const handler = createMetricsHandler(awsIngestDependencies);
