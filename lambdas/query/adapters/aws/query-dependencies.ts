import { createAwsMetricReader } from '../../../metrics/adapters/aws/metric-store-factory.js';
import { lazy } from '../../../shared/lazy.js';
import { loadBundledRuntimeConfig } from '../../../shared/runtime-config.js';
import type { QueryDependencies } from '../../handlers/query.js';

/** Queries in AWS read the configured metric store. */
export const awsQueryDependencies = lazy(
  (): QueryDependencies => ({
    metricReader: createAwsMetricReader(loadBundledRuntimeConfig()),
    now: Date.now,
  }),
);
