import { lazy } from '../../../shared/lazy.js';
import { loadBundledRuntimeConfig } from '../../../shared/runtime-config.js';
import type { EventSearchDependencies } from '../../handlers/log-search.js';
import { createAwsOpenSearchEventStore } from './event-store-factory.js';

/** Searches in AWS read OpenSearch directly (no retry queue on the read path). */
export const awsEventSearchDependencies = lazy(
  (): EventSearchDependencies => ({
    eventStore: createAwsOpenSearchEventStore(loadBundledRuntimeConfig()),
    now: Date.now,
  }),
);
