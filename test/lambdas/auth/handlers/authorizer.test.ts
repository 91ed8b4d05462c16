import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { APIGatewayRequestAuthorizerEventV2 } from 'aws-lambda';
import { DynamoDbTokenRepository } from '../../../../lambdas/auth/adapters/aws/dynamodb-token-repository.js';
import { hashToken } from '../../../../lambdas/auth/core/tokens.js';
import { createAuthorizerHandler } from '../../../../lambdas/auth/handlers/authorizer.js';
import {
  type DynaliteStateStore,
  startDynaliteStateStore,
} from '../../../../lib/local/dynalite-state-store.js';
import { lambdaContext } from '../../../support/api-gateway-events.js';

const NOW = new Date('2026-03-10T14:00:00Z');

/** A REQUEST authorizer event (payload 2.0) as API Gateway sends it, with identity source Authorization. */
function authorizerEvent(authorization: string): APIGatewayRequestAuthorizerEventV2 {
  return {
    version: '2.0',
    type: 'REQUEST',
    routeArn: 'arn:aws:execute-api:eu-west-1:123456789012:abcdef1234/$default/POST/api/v1/predictions',
    identitySource: [authorization],
    routeKey: 'POST /api/v1/predictions',
    rawPath: '/api/v1/predictions',
    rawQueryString: '',
    cookies: [],
    headers: { authorization, 'content-type': 'application/json' },
    requestContext: {
      accountId: '123456789012',
      apiId: 'abcdef1234',
      domainName: 'abcdef1234.execute-api.eu-west-1.amazonaws.com',
      domainPrefix: 'abcdef1234',
      http: {
        method: 'POST',
        path: '/api/v1/predictions',
        protocol: 'HTTP/1.1',
        sourceIp: '203.0.113.10',
        userAgent: 'curl/8.5.0',
      },
      requestId: 'JKJaXmPLvHcESHA=',
      routeKey: 'POST /api/v1/predictions',
      stage: '$default',
      time: '10/Mar/2026:14:00:00 +0000',
      timeEpoch: NOW.getTime(),
    },
    pathParameters: {},
    stageVariables: {},
  };
}

describe('Lambda authorizer, against the state table on dynalite', () => {
  let state: DynaliteStateStore;
  let handler: ReturnType<typeof createAuthorizerHandler>;

  before(async () => {
    state = await startDynaliteStateStore();
    const tokens = new DynamoDbTokenRepository(state.documentClient, state.tableName);
    await tokens.save({
      tokenHash: hashToken('vgl_ingest'),
      principal: 'churn-service',
      scopes: ['ingest'],
      createdAt: '2026-01-01T00:00:00Z',
    });
    await tokens.save({
      tokenHash: hashToken('vgl_old'),
      principal: 'retired',
      scopes: ['read'],
      createdAt: '2025-01-01T00:00:00Z',
      expiresAt: '2026-03-01T00:00:00.000Z',
    });
    handler = createAuthorizerHandler(() => ({ tokens, now: () => NOW }));
  });
  after(() => state.close());

  it('passes a known token through with its principal and scopes', async () => {
    const result = await handler(authorizerEvent('Bearer vgl_ingest'), lambdaContext());
    assert.deepEqual(result, {
      isAuthorized: true,
      context: { principal: 'churn-service', scopes: 'ingest' },
    });
  });

  it('passes unknown and expired tokens through without a principal, so the route answers a JSON 401', async () => {
    const unknown = await handler(authorizerEvent('Bearer vgl_nope'), lambdaContext());
    const expired = await handler(authorizerEvent('Bearer vgl_old'), lambdaContext());

    assert.deepEqual(unknown.context, { principal: '', scopes: '', reason: 'unknown bearer token' });
    assert.equal(expired.context.principal, '');
    assert.match(expired.context.reason ?? '', /expired at 2026-03-01T00:00:00.000Z/);
  });

  it('stores only the hash, with the expiry in epoch seconds for the table TTL', async () => {
    const { Items = [] } = await state.documentClient.send(
      new (await import('@aws-sdk/lib-dynamodb')).ScanCommand({ TableName: state.tableName }),
    );
    const serialized = JSON.stringify(Items);

    assert.ok(!serialized.includes('vgl_ingest') && !serialized.includes('vgl_old'), 'no token in the clear');
    const retired = Items.find((item) => item.principal === 'retired');
    assert.equal(retired?.expiresAt, Date.parse('2026-03-01T00:00:00Z') / 1000);
  });
});
