import { awsIngestBase } from '../../../ingest/adapters/aws/ingest-dependencies.js';
import { lazy } from '../../../shared/lazy.js';
import { loadBundledRuntimeConfig } from '../../../shared/runtime-config.js';
import { createRedactor } from '../../core/redaction.js';
import type { EventIngestDependencies, SpanIngestDependencies } from '../../handlers/event-ingest.js';
import { createAwsEventStore } from './event-store-factory.js';

/**
 * Logs and traces ingest in AWS: OpenSearch behind the retry queue, the environment's redaction, and the
 * metric store for the `error_logs` counts.
 */
export const awsEventIngestDependencies = lazy((): EventIngestDependencies => {
  const { config, metricWriter } = awsIngestBase();
  return {
    eventStore: createAwsEventStore(config),
    redactor: createRedactor({ patterns: config.redactionPatterns }),
    metricWriter,
    now: Date.now,
    maxTimestampAgeMs: config.maxTimestampAgeMs,
  };
});

/** Traces ingest in AWS: like logs, but spans make no metrics, so no metric store is set up. */
export const awsSpanIngestDependencies = lazy((): SpanIngestDependencies => {
  const config = loadBundledRuntimeConfig();
  return {
    eventStore: createAwsEventStore(config),
    redactor: createRedactor({ patterns: config.redactionPatterns }),
    now: Date.now,
    maxTimestampAgeMs: config.maxTimestampAgeMs,
  };
});
