import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { CloudFormationCustomResourceEvent } from 'aws-lambda';
import {
  type BootstrapPlan,
  bootstrapResourceProperties,
  type OpenSearchRequest,
} from '../../../../lambdas/events/adapters/aws/opensearch-bootstrap.js';
import type { OpenSearchHttp } from '../../../../lambdas/events/adapters/aws/opensearch-bootstrap-runner.js';
import { serverlessIndexTemplates } from '../../../../lambdas/events/adapters/aws/opensearch-schema.js';
import { createBootstrapHandler } from '../../../../lambdas/events/handlers/opensearch-bootstrap.js';
import { lambdaContext } from '../../../support/api-gateway-events.js';

const plan: BootstrapPlan = {
  endpoint: 'https://abc123.eu-west-1.aoss.amazonaws.com',
  signingService: 'aoss',
  indexTemplates: serverlessIndexTemplates(),
  ismPolicies: [],
  securityRoles: [],
  roleMappings: {},
};

/** An event as the provider framework passes it to `onEvent` (CloudFormation's, without the response URL). */
function cloudFormationEvent(requestType: 'Create' | 'Update' | 'Delete'): CloudFormationCustomResourceEvent {
  const common = {
    ServiceToken: 'arn:aws:lambda:eu-west-1:123456789012:function:provider',
    ResponseURL: 'https://cloudformation-custom-resource-response.example/',
    StackId: 'arn:aws:cloudformation:eu-west-1:123456789012:stack/Vigil-dev-Ingest/1',
    RequestId: 'request-1',
    LogicalResourceId: 'EventStoreBootstrap',
    ResourceType: 'Custom::VigilEventStoreBootstrap',
    ResourceProperties: { ServiceToken: 'token', ...bootstrapResourceProperties(plan) },
  };
  if (requestType === 'Create') return { ...common, RequestType: 'Create' };
  const existing = { PhysicalResourceId: 'vigil-bootstrap:abc123.eu-west-1.aoss.amazonaws.com' };
  if (requestType === 'Update')
    return {
      ...common,
      ...existing,
      RequestType: 'Update',
      OldResourceProperties: common.ResourceProperties,
    };
  return { ...common, ...existing, RequestType: 'Delete' };
}

/** Answers 200 to everything and keeps what it was asked, and with which plan it was connected. */
function recordingHttp() {
  const sent: OpenSearchRequest[] = [];
  const connectedWith: BootstrapPlan[] = [];
  const connect = (connectedPlan: BootstrapPlan): OpenSearchHttp => {
    connectedWith.push(connectedPlan);
    return {
      send: async (request) => {
        sent.push(request);
        return { statusCode: 200, body: { acknowledged: true } };
      },
    };
  };
  return { sent, connectedWith, connect };
}

describe('opensearch-bootstrap handler', () => {
  for (const requestType of ['Create', 'Update'] as const) {
    it(`applies the plan from the resource properties on ${requestType}`, async () => {
      const http = recordingHttp();
      const handler = createBootstrapHandler(http.connect);

      const response = await handler(cloudFormationEvent(requestType), lambdaContext());

      assert.deepEqual(http.connectedWith, [plan]);
      assert.deepEqual(
        http.sent.map(({ method, path }) => `${method} ${path}`),
        plan.indexTemplates.map(({ name }) => `PUT /_index_template/${name}`),
      );
      assert.equal(response.PhysicalResourceId, 'vigil-bootstrap:abc123.eu-west-1.aoss.amazonaws.com');
      assert.equal(response.Data?.indexTemplates, 4);
    });
  }

  it('leaves the store as it is on Delete, and keeps the physical id', async () => {
    const http = recordingHttp();
    const handler = createBootstrapHandler(http.connect);

    const response = await handler(cloudFormationEvent('Delete'), lambdaContext());

    assert.deepEqual(response, { PhysicalResourceId: 'vigil-bootstrap:abc123.eu-west-1.aoss.amazonaws.com' });
    assert.deepEqual(http.sent, []);
    assert.deepEqual(http.connectedWith, []);
  });

  it('fails the deployment with the property at fault when the properties are wrong', async () => {
    const http = recordingHttp();
    const handler = createBootstrapHandler(http.connect);
    const event = cloudFormationEvent('Create');

    await assert.rejects(
      handler(
        { ...event, ResourceProperties: { ...event.ResourceProperties, IndexTemplates: '[{"name":""}]' } },
        lambdaContext(),
      ),
      /invalid bootstrap properties: IndexTemplates\.0\./,
    );
    assert.deepEqual(http.sent, []);
  });
});
