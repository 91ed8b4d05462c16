import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { json } from '../../../../lambdas/shared/http/middleware.js';
import { createRouter } from '../../../../lambdas/shared/http/router.js';
import { apiGatewayEvent, lambdaContext } from '../../../support/api-gateway-events.js';

const router = createRouter({
  'GET /things': { scope: 'read', handle: async () => json(200, { listed: true }) },
  'POST /things': {
    scope: 'respond',
    jsonBody: 'optional',
    handle: async (event) => json(201, { got: event.jsonBody ?? null }),
  },
});

const call = async (method: string, path: string, scopes: string, body?: unknown) => {
  const result = await router(
    apiGatewayEvent({ method, path, body, auth: { principal: 'pat', scopes } }),
    lambdaContext(),
  );
  return { status: result.statusCode, body: JSON.parse(result.body ?? 'null') };
};

describe('createRouter', () => {
  it('dispatches on the route key', async () => {
    assert.deepEqual(await call('GET', '/things', 'read'), { status: 200, body: { listed: true } });
    assert.deepEqual(await call('POST', '/things', 'respond', { a: 1 }), {
      status: 201,
      body: { got: { a: 1 } },
    });
  });

  it('checks each route with its own scope', async () => {
    // Act
    const denied = await call('POST', '/things', 'read');

    // Assess
    assert.equal(denied.status, 403);
    assert.match(denied.body.error.message, /lacks the "respond" scope/);
  });

  it('lets a route with an optional body be called without one', async () => {
    assert.deepEqual(await call('POST', '/things', 'admin'), { status: 201, body: { got: null } });
  });

  it('answers 404 for a route key it does not serve', async () => {
    // Act
    const missing = await call('DELETE', '/things', 'admin');

    // Assess
    assert.equal(missing.status, 404);
    assert.match(missing.body.error.message, /no route DELETE \/things/);
  });
});
