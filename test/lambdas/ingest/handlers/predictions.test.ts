import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { DuckDbEventStore } from '../../../../lambdas/events/adapters/local/duckdb-event-store.js';
import { createRedactor } from '../../../../lambdas/events/core/redaction.js';
import {
  createPredictionsHandler,
  type PredictionsRouteDependencies,
} from '../../../../lambdas/ingest/handlers/predictions.js';
import {
  DuckDbMetricStore,
  IN_MEMORY,
} from '../../../../lambdas/metrics/adapters/local/duckdb-metric-store.js';
import { DynamoDbIdempotencyStore } from '../../../../lambdas/shared/adapters/aws/dynamodb-idempotency-store.js';
import {
  type DynaliteStateStore,
  startDynaliteStateStore,
} from '../../../../lib/local/dynalite-state-store.js';
import { apiGatewayEvent, lambdaContext } from '../../../support/api-gateway-events.js';

const NOW = Date.UTC(2026, 2, 10, 14, 2, 11);
const DAY = 86_400_000;

describe('POST /api/v1/predictions handler', () => {
  let store: DuckDbMetricStore;
  let events: DuckDbEventStore;
  let state: DynaliteStateStore;
  let handler: ReturnType<typeof createPredictionsHandler>;
  let now = NOW;

  before(async () => {
    store = await DuckDbMetricStore.open(IN_MEMORY);
    events = await DuckDbEventStore.open(IN_MEMORY);
    state = await startDynaliteStateStore();
    const dependencies: PredictionsRouteDependencies = {
      metricWriter: store,
      now: () => now,
      maxTimestampAgeMs: 7 * DAY,
      idempotencyStore: new DynamoDbIdempotencyStore(state.documentClient, state.tableName),
      predictionEvents: { eventStore: events, redactor: createRedactor(), sampleRate: 1 },
    };
    handler = createPredictionsHandler(() => dependencies);
  });
  after(async () => {
    await store.close();
    await events.close();
    await state.close();
  });
  const countOf = async (metric: string, dimensions: Record<string, string>) =>
    (await store.readRollups(metric, dimensions, NOW - DAY, NOW + DAY)).reduce(
      (total, rollup) => total + rollup.count,
      0,
    );

  const invoke = (overrides: Parameters<typeof apiGatewayEvent>[0]) =>
    handler(apiGatewayEvent(overrides), lambdaContext());
  const bodyOf = (result: Awaited<ReturnType<typeof invoke>>) => JSON.parse(result.body ?? '{}');

  it('accepts the valid items, reports the invalid ones by index and field, and stores only the valid', async () => {
    const predictions = [
      { id: 'p1', model: 'handler-test', latencyMs: 80, status: 'ok' },
      { id: 'p2', model: 'handler-test', latencyMs: -5, status: 'ok' },
      { id: 'p3', model: 'handler-test', latencyMs: 120, status: 'error', errorType: 'timeout' },
    ];

    const result = await invoke({ body: { predictions } });

    assert.equal(result.statusCode, 200);
    const body = bodyOf(result);
    assert.equal(body.accepted, 2);
    assert.equal(body.rejected, 1);
    assert.deepEqual(body.errors, [{ index: 1, field: 'latencyMs', message: 'must not be negative' }]);
    const stored = await store.readRollups('predictions', { model: 'handler-test' }, NOW - DAY, NOW + DAY);
    assert.equal(
      stored.reduce((total, rollup) => total + rollup.count, 0),
      2,
    );
    const errors = await store.readRollups(
      'errors',
      { model: 'handler-test', errorType: 'timeout' },
      NOW - DAY,
      NOW + DAY,
    );
    assert.equal(
      errors.reduce((total, rollup) => total + rollup.count, 0),
      1,
    );
  });

  it('answers 400 with every error when no item is valid', async () => {
    const result = await invoke({ body: { predictions: [{ model: 'x' }] } });

    assert.equal(result.statusCode, 400);
    const body = bodyOf(result);
    assert.equal(body.error.code, 'bad_request');
    assert.equal(body.accepted, 0);
    assert.deepEqual(body.errors.map((error: { field: string }) => error.field).sort(), [
      'latencyMs',
      'status',
    ]);
  });

  for (const [what, overrides, status, code, message] of [
    [
      'malformed JSON',
      { rawBody: '{"predictions": [ {"model": "a",, } ] }' },
      400,
      'bad_request',
      /line 1, column 33/,
    ],
    [
      'a wrong content type',
      { body: { predictions: [] }, headers: { 'content-type': 'text/plain' } },
      415,
      'unsupported_media_type',
      /application\/json, got "text\/plain"/,
    ],
    [
      'a body over 1 MiB',
      { rawBody: JSON.stringify({ predictions: [], pad: 'x'.repeat(1024 * 1024) }) },
      413,
      'payload_too_large',
      /limit is 1048576 bytes/,
    ],
    [
      'no known token',
      { body: { predictions: [] }, auth: null },
      401,
      'unauthorized',
      /unknown bearer token/,
    ],
    [
      'a token without the ingest scope',
      { body: { predictions: [] }, auth: { principal: 'dash', scopes: 'read' } },
      403,
      'forbidden',
      /lacks the "ingest" scope/,
    ],
    ['a body without predictions', { body: { items: [] } }, 400, 'bad_request', /"predictions" array/],
  ] as const) {
    it(`answers ${what} with ${status} ${code}`, async () => {
      const result = await invoke(overrides);

      assert.equal(result.statusCode, status);
      assert.equal(result.headers?.['content-type'], 'application/json');
      const { error } = bodyOf(result);
      assert.equal(error.code, code);
      assert.match(error.message, message);
    });
  }

  it('reads a base64-encoded body as API Gateway sends binary-safe payloads', async () => {
    const raw = JSON.stringify({ predictions: [{ model: 'b64-test', latencyMs: 3, status: 'ok' }] });
    const event = apiGatewayEvent({ rawBody: Buffer.from(raw).toString('base64') });
    event.isBase64Encoded = true;

    const result = await handler(event, lambdaContext());

    assert.equal(result.statusCode, 200);
    assert.equal(bodyOf(result).accepted, 1);
  });

  it('counts a prediction id once when a batch repeats it, and says so', async () => {
    const predictions = [
      { id: 'dup-1', model: 'dedup-test', latencyMs: 10, status: 'ok' },
      { id: 'dup-1', model: 'dedup-test', latencyMs: 10, status: 'ok' },
      { id: 'dup-2', model: 'dedup-test', latencyMs: 10, status: 'ok' },
    ];

    const body = bodyOf(await invoke({ body: { predictions } }));

    assert.deepEqual([body.accepted, body.rejected], [2, 1]);
    assert.deepEqual(body.errors, [
      { index: 1, field: 'id', message: 'repeats the id of item 0; it is counted once' },
    ]);
    assert.equal(await countOf('predictions', { model: 'dedup-test' }), 2);
  });

  it('answers a retry with the same Idempotency-Key from the first response without counting it again', async () => {
    const body = { predictions: [{ model: 'idempotent-test', latencyMs: 10, status: 'ok' }] };
    const headers = { 'idempotency-key': 'retry-1' };

    const first = await invoke({ body, headers });
    const retry = await invoke({ body, headers });
    const otherBody = await invoke({
      body: { predictions: [{ ...body.predictions[0], latencyMs: 11 }] },
      headers,
    });
    const otherKey = await invoke({ body, headers: { 'idempotency-key': 'retry-2' } });

    assert.equal(first.statusCode, 200);
    assert.deepEqual(
      [retry.statusCode, retry.body, retry.headers?.['idempotent-replayed']],
      [200, first.body, 'true'],
    );
    assert.equal(otherBody.statusCode, 422);
    assert.match(bodyOf(otherBody).error.message, /already used with a different body/);
    assert.equal(otherKey.statusCode, 200);
    assert.equal(await countOf('predictions', { model: 'idempotent-test' }), 2, 'first and retry-2 only');
  });

  it('keeps an Idempotency-Key only for the retention period', async () => {
    const body = { predictions: [{ model: 'idempotent-expiry', latencyMs: 10, status: 'ok' }] };
    const headers = { 'idempotency-key': 'expiring' };
    try {
      await invoke({ body, headers });
      now = NOW + DAY + 1000; // past the 24 h retention: the same key is a new request
      const later = await invoke({
        body: { predictions: [{ ...body.predictions[0], timestamp: NOW }] },
        headers,
      });

      assert.equal(later.statusCode, 200);
      assert.equal(later.headers?.['idempotent-replayed'], undefined);
    } finally {
      now = NOW;
    }
  });

  it('keeps accepted predictions as raw events, redacted, at the sample rate', async () => {
    const predictions = [
      {
        id: 'raw-1',
        model: 'raw-test',
        latencyMs: 12,
        status: 'ok',
        attributes: { user: 'ana@example.com' },
      },
      { id: 'raw-2', model: 'raw-test', latencyMs: -1, status: 'ok' },
    ];

    const result = await invoke({ body: { predictions } });
    const stored = await events.readPredictionEvents(NOW - DAY, NOW + DAY);

    assert.equal(result.statusCode, 200);
    const kept = stored.filter((event) => event.model === 'raw-test');
    assert.deepEqual(
      kept.map((event) => [event.id, event.latencyMs, event.attributes.user]),
      [['raw-1', 12, '[REDACTED]']],
    );
  });
});
