import { defaultProvider } from '@aws-sdk/credential-provider-node';
import { errors } from '@opensearch-project/opensearch';
import {
  type BackoffPolicy,
  backoffDelayMs,
  realSleep,
  type Sleep,
} from '../../../metrics/adapters/aws/retry.js';
import type { OpenSearchSigningService } from '../../event-store-names.js';
import {
  type BootstrapPlan,
  indexTemplateRequest,
  ismChangePolicyRequest,
  ismPolicyGetRequest,
  ismPolicyPutRequest,
  ismPolicyVersion,
  type OpenSearchRequest,
  roleMappingRequest,
  securityRoleRequest,
} from './opensearch-bootstrap.js';
import { type AwsCredentials, createSignedOpenSearchClient } from './opensearch-client.js';

/** An answer from OpenSearch, whatever its status. */
export interface OpenSearchResponse {
  readonly statusCode: number;
  readonly body: unknown;
}

/** Sends requests to one domain or collection; answers every HTTP status, and throws only when none came. */
export interface OpenSearchHttp {
  send(request: OpenSearchRequest): Promise<OpenSearchResponse>;
}

/** Where a signed client connects, and as whom. */
export interface SignedOpenSearchOptions {
  /** The https URL of the domain or collection. */
  readonly endpoint: string;
  readonly signingService: OpenSearchSigningService;
  readonly region: string;
  /** @default the SDK's default chain (the Lambda's role) */
  readonly credentials?: () => Promise<AwsCredentials>;
}

/** An {@link OpenSearchHttp} over the event store's signed OpenSearch client (SigV4 on every request). */
export function signedOpenSearchHttp(options: SignedOpenSearchOptions): OpenSearchHttp {
  const client = createSignedOpenSearchClient({
    endpoint: options.endpoint,
    region: options.region,
    service: options.signingService,
    credentials: options.credentials ?? defaultProvider(),
    // Setting up the security plugin on a busy new domain can take longer than a bulk write may.
    requestTimeoutMs: 30_000,
  });
  return {
    async send(request) {
      try {
        const response = await client.transport.request({
          method: request.method,
          path: request.path,
          querystring: request.querystring,
          body: request.body as Record<string, unknown> | undefined,
        });
        return { statusCode: response.statusCode ?? 200, body: response.body };
      } catch (error) {
        if (error instanceof errors.ResponseError) return { statusCode: error.statusCode, body: error.body };
        throw error;
      }
    },
  };
}

/** How the bootstrap waits out a store that is not ready yet. */
export interface BootstrapRetryOptions {
  /** @default BOOTSTRAP_BACKOFF */
  readonly backoff?: BackoffPolicy;
  /** @default setTimeout */
  readonly sleep?: Sleep;
  /** A number in [0, 1), for the jitter. @default Math.random */
  readonly random?: () => number;
}

/**
 * Six attempts over at most about a minute: a new domain can answer 5xx for a moment after CloudFormation
 * reports it ready, and a Serverless data access policy takes a little while to apply.
 */
export const BOOTSTRAP_BACKOFF: BackoffPolicy = { maxAttempts: 6, baseDelayMs: 2_000, maxDelayMs: 30_000 };

/** What a bootstrap run did, for its log line and the custom resource's data. */
export interface BootstrapOutcome {
  readonly indexTemplates: number;
  readonly ismPoliciesCreated: number;
  readonly ismPoliciesUpdated: number;
  readonly securityRoles: number;
  readonly roleMappings: number;
}

/**
 * Applies a plan: index templates first (so no index is ever created without its mapping), then ISM
 * policies (created, or updated at the version they stand at and moved onto by the indices they manage),
 * then security roles and, last, their mappings (a mapping must name an existing role). Every step replaces
 * what is there, so running the same plan twice leaves the store as once.
 */
export async function applyBootstrapPlan(
  plan: BootstrapPlan,
  http: OpenSearchHttp,
  options: BootstrapRetryOptions = {},
): Promise<BootstrapOutcome> {
  const send = (request: OpenSearchRequest, accept: readonly number[] = []) =>
    sendWithRetries(http, request, plan.signingService, accept, options);

  for (const template of plan.indexTemplates) await send(indexTemplateRequest(template));

  let ismPoliciesCreated = 0;
  let ismPoliciesUpdated = 0;
  for (const policy of plan.ismPolicies) {
    const current = await send(ismPolicyGetRequest(policy), [404]);
    if (current.statusCode === 404) {
      await send(ismPolicyPutRequest(policy));
      ismPoliciesCreated += 1;
      continue;
    }
    await send(ismPolicyPutRequest(policy, ismPolicyVersion(current.body)));
    const change = ismChangePolicyRequest(policy);
    if (change) await send(change);
    ismPoliciesUpdated += 1;
  }

  for (const role of plan.securityRoles) await send(securityRoleRequest(role));
  const mappings = Object.entries(plan.roleMappings);
  for (const [roleName, iamRoleArns] of mappings) await send(roleMappingRequest(roleName, iamRoleArns));

  return {
    indexTemplates: plan.indexTemplates.length,
    ismPoliciesCreated,
    ismPoliciesUpdated,
    securityRoles: plan.securityRoles.length,
    roleMappings: mappings.length,
  };
}

/**
 * Sends one request, retrying throttling, server errors and dropped connections (and, on Serverless, 403:
 * a new data access policy is not in force at once). Any other status outside 2xx and `accept` fails the
 * bootstrap with what OpenSearch said, which CloudFormation shows as the reason.
 */
async function sendWithRetries(
  http: OpenSearchHttp,
  request: OpenSearchRequest,
  signingService: OpenSearchSigningService,
  accept: readonly number[],
  options: BootstrapRetryOptions,
): Promise<OpenSearchResponse> {
  const policy = options.backoff ?? BOOTSTRAP_BACKOFF;
  const sleep = options.sleep ?? realSleep;
  const random = options.random ?? Math.random;
  const isTransient = (status: number) =>
    status === 429 || status >= 500 || (status === 403 && signingService === 'aoss');
  for (let attempt = 1; ; attempt++) {
    const outcome = await http.send(request).then(
      (response) => ({ response }),
      (error: unknown) => ({ error: error as Error }),
    );
    const lastAttempt = attempt >= policy.maxAttempts;
    if ('response' in outcome) {
      const { statusCode, body } = outcome.response;
      if ((statusCode >= 200 && statusCode < 300) || accept.includes(statusCode)) return outcome.response;
      if (lastAttempt || !isTransient(statusCode)) {
        throw new Error(`${request.method} ${request.path} answered ${statusCode}: ${JSON.stringify(body)}`);
      }
    } else if (lastAttempt) {
      throw new Error(`${request.method} ${request.path} failed: ${outcome.error.message}`, {
        cause: outcome.error,
      });
    }
    await sleep(backoffDelayMs(attempt - 1, policy, random));
  }
}
