import { awsIngestDependencies } from '../adapters/aws/ingest-dependencies.js';
import { metricSampleSchema, rollUpMetricSamples } from '../core/generic-metrics.js';
import { createIngestRoute, type IngestRouteDependencies } from './ingest-route.js';

/** Builds `POST /api/v1/metrics`. */
export const createMetricsHandler = (dependencies: () => IngestRouteDependencies) =>
  createIngestRoute(
    { field: 'metrics', schema: metricSampleSchema, rollUp: rollUpMetricSamples },
    dependencies,
  );

/** The Lambda entry point. */
export const handler = createMetricsHandler(awsIngestDependencies);
