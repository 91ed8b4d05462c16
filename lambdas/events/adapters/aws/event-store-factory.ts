import { SQSClient } from '@aws-sdk/client-sqs';
import { defaultProvider } from '@aws-sdk/credential-provider-node';
import type { Client } from '@opensearch-project/opensearch';
import { RETRY_QUEUE_URL_ENV } from '../../../metrics/metric-store-names.js';
import { requiredEnv } from '../../../shared/adapters/aws/environment.js';
import { lazy } from '../../../shared/lazy.js';
import type { RuntimeConfig } from '../../../shared/runtime-config.js';
import { SpillingEventStore } from '../../core/spilling-event-store.js';
import { OPENSEARCH_ENDPOINT_ENV, openSearchSigningService } from '../../event-store-names.js';
import { createSignedOpenSearchClient } from './opensearch-client.js';
import { OpenSearchEventStore } from './opensearch-event-store.js';
import { SqsEventRetryQueue } from './sqs-event-retry-queue.js';

// Clients are made on first use, once per cold start: importing this module reads no settings. The store
// and the queue retry with their own backoff, so their clients do not retry too.
const sqsClient = lazy(() => new SQSClient({ maxAttempts: 1 }));
// The default chain (Lambda's role in AWS), memoised: credentials are fetched again only near expiry.
const credentials = lazy(() => defaultProvider());
const openSearchClients = new Map<string, Client>();

/** The signed client for the configured endpoint and service, one per cold start. */
function openSearchClient(config: RuntimeConfig): Client {
  const endpoint = requiredEnv(OPENSEARCH_ENDPOINT_ENV);
  const service = openSearchSigningService(config);
  const key = `${service} ${endpoint}`;
  let client = openSearchClients.get(key);
  if (!client) {
    // AWS_REGION is set by the Lambda runtime itself.
    client = createSignedOpenSearchClient({
      endpoint,
      region: requiredEnv('AWS_REGION'),
      service,
      credentials: credentials(),
    });
    openSearchClients.set(key, client);
  }
  return client;
}

/**
 * The configured OpenSearch event store itself, without spilling: for the replay function (a failed replay
 * is retried by SQS, then caught by the dead-letter queue), the search functions and readiness checks.
 */
export function createAwsOpenSearchEventStore(config: RuntimeConfig): OpenSearchEventStore {
  return new OpenSearchEventStore({
    client: openSearchClient(config),
    deployment: config.eventStore === 'opensearch-serverless' ? 'serverless' : 'domain',
  });
}

/**
 * The event store of the ingest functions: OpenSearch, whose writes that still fail after retries spill to
 * the SQS retry queue (`VIGIL_RETRY_QUEUE_URL`, shared with the metric store).
 */
export function createAwsEventStore(config: RuntimeConfig): SpillingEventStore {
  return new SpillingEventStore(
    createAwsOpenSearchEventStore(config),
    new SqsEventRetryQueue({ client: sqsClient(), queueUrl: requiredEnv(RETRY_QUEUE_URL_ENV) }),
  );
}
