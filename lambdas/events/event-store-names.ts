import type { RuntimeConfig } from '../shared/runtime-config.js';

/*
 * Names the event store's Lambdas and its infrastructure must agree on. This module imports nothing that
 * runs, so the CDK app can use it at synth time without loading the OpenSearch client or the AWS SDK.
 */

/**
 * Environment variable with the OpenSearch endpoint: the domain's endpoint (`search-….es.amazonaws.com`,
 * with or without `https://`) or the Serverless collection's (`https://….aoss.amazonaws.com`).
 */
export const OPENSEARCH_ENDPOINT_ENV = 'VIGIL_OPENSEARCH_ENDPOINT';

/** The SigV4 service name requests to the event store are signed for. */
export type OpenSearchSigningService = 'es' | 'aoss';

/** The SigV4 service of the configured event store: `es` for a domain, `aoss` for Serverless. */
export function openSearchSigningService(
  config: Pick<RuntimeConfig, 'eventStore'>,
): OpenSearchSigningService {
  return config.eventStore === 'opensearch-serverless' ? 'aoss' : 'es';
}
