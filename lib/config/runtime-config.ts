import { type RuntimeConfig, runtimeConfigSchema } from '../../lambdas/shared/runtime-config.js';
import type { EnvironmentConfig } from './schema.js';

const MS_PER_DAY = 86_400_000;

/** CloudWatch accepts data points up to two weeks old (PutMetricData); older ones are rejected. */
export const CLOUDWATCH_MAX_TIMESTAMP_AGE_DAYS = 14;

/** The CloudWatch namespace of an environment's EMF metrics, which dashboards and alarms read. */
export function metricNamespace(environment: Pick<EnvironmentConfig, 'name'>): string {
  return `Vigil/${environment.name}`;
}

/**
 * Derives the slice of an environment's config that every Lambda (and the local platform) runs with.
 * The oldest timestamp a write may carry is the store's retention edge: with Timestream, whose
 * magnetic-store writes are enabled, that is the magnetic-store retention; CloudWatch takes two weeks.
 */
export function toRuntimeConfig(environment: EnvironmentConfig): RuntimeConfig {
  const maxTimestampAgeDays =
    environment.metricStore === 'timestream'
      ? environment.retention.magneticStoreDays
      : CLOUDWATCH_MAX_TIMESTAMP_AGE_DAYS;
  return runtimeConfigSchema.parse({
    environment: environment.name,
    metricStore: environment.metricStore,
    maxTimestampAgeMs: maxTimestampAgeDays * MS_PER_DAY,
    metricNamespace: metricNamespace(environment),
    rawEventSampleRate: environment.eventStore.rawEventSampleRate,
    redactionPatterns: environment.eventStore.redactionPatterns,
    eventStore: environment.eventStore.opensearchServerless ? 'opensearch-serverless' : 'opensearch',
  });
}
