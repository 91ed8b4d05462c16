import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import middy from '@middy/core';
import type { CloudFormationCustomResourceEvent } from 'aws-lambda';
import { logger } from '../../shared/logger.js';
import { type BootstrapPlan, parseBootstrapProperties } from '../adapters/aws/opensearch-bootstrap.js';
import {
  applyBootstrapPlan,
  type BootstrapRetryOptions,
  type OpenSearchHttp,
  signedOpenSearchHttp,
} from '../adapters/aws/opensearch-bootstrap-runner.js';

/** What the custom resource provider framework expects back from its `onEvent` handler. */
export interface BootstrapResponse {
  readonly PhysicalResourceId: string;
  readonly Data?: Record<string, unknown>;
}

/** Builds the `onEvent` handler of the event store's bootstrap custom resource. */
export function createBootstrapHandler(
  connect: (plan: BootstrapPlan) => OpenSearchHttp,
  retry: BootstrapRetryOptions = {},
) {
  const onEvent = async (event: CloudFormationCustomResourceEvent): Promise<BootstrapResponse> => {
    // Deleting leaves templates, policies and mappings in place: the data outlives the stack that set it
    // up, and a replaced resource's delete comes after its successor's create, which it must not undo.
    if (event.RequestType === 'Delete') return { PhysicalResourceId: event.PhysicalResourceId };
    const plan = parseBootstrapProperties(event.ResourceProperties);
    const outcome = await applyBootstrapPlan(plan, connect(plan), retry);
    logger.info('event store bootstrapped', { endpoint: plan.endpoint, ...outcome });
    // One id per store: a new endpoint (a replaced domain) makes a new resource, whose old one's delete is a no-op.
    return { PhysicalResourceId: `vigil-bootstrap:${new URL(plan.endpoint).host}`, Data: { ...outcome } };
  };
  return middy(onEvent).use(injectLambdaContext(logger));
}

/** The Lambda entry point, signing with the function's role (the domain's master user). */
export const handler = createBootstrapHandler((plan) => {
  const region = process.env.AWS_REGION;
  if (!region) throw new Error('AWS_REGION is not set; expected the region Lambda sets for every function');
  return signedOpenSearchHttp({ ...plan, region });
});
