import type { RuntimeConfig } from '../shared/runtime-config.js';

/*
 * Names the metric store's Lambdas and its infrastructure must agree on. This module imports nothing that
 * runs, so the CDK app can use it at synth time without loading the AWS SDK.
 */

/** Environment variable with the Timestream database of the metric store. */
export const TIMESTREAM_DATABASE_ENV = 'VIGIL_TIMESTREAM_DATABASE';
/** Environment variable with the Timestream table of the metric store. */
export const TIMESTREAM_TABLE_ENV = 'VIGIL_TIMESTREAM_TABLE';
/** Environment variable with the URL of the SQS retry queue that a store outage spills to. */
export const RETRY_QUEUE_URL_ENV = 'VIGIL_RETRY_QUEUE_URL';

/**
 * The CloudWatch namespace of the metric store (`metricStore: 'cloudwatch'`): apart from the dashboards' EMF
 * namespace, so that a user's metric can never merge into a dashboard metric of the same name.
 */
export function cloudWatchStoreNamespace(config: Pick<RuntimeConfig, 'metricNamespace'>): string {
  return `${config.metricNamespace}/Metrics`;
}

/** The EMF metrics that the dashboards and platform alarms read, per model. */
export const DASHBOARD_METRICS = {
  predictions: 'Predictions',
  predictionErrors: 'PredictionErrors',
  latency: 'LatencyMs',
  rejectedRecords: 'RejectedRecords',
} as const;

/** The one dimension of the dashboard metrics: the model, and nothing else, which keeps them cheap. */
export const DASHBOARD_DIMENSION = 'Model';
