import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { validateItems } from '../../../../lambdas/ingest/core/item-validation.js';
import { INGEST_LIMITS } from '../../../../lambdas/ingest/core/limits.js';
import {
  type Prediction,
  predictionSchema,
  rollUpPredictions,
} from '../../../../lambdas/ingest/core/predictions.js';
import { ValidationError } from '../../../../lambdas/shared/validation-error.js';

const NOW = Date.UTC(2026, 2, 10, 14, 30, 0);
const DAY = 86_400_000;
const schema = predictionSchema({ now: NOW, maxAgeMs: 7 * DAY });
const valid = { model: 'churn', latencyMs: 120, status: 'ok' };

describe('prediction validation', () => {
  const cases: Array<[string, Record<string, unknown>, string, RegExp]> = [
    ['a missing model', { latencyMs: 1, status: 'ok' }, 'model', /expected string/i],
    ['an empty model', { ...valid, model: '' }, 'model', /must not be empty/],
    ['a model with a newline', { ...valid, model: 'a\nb' }, 'model', /control characters/],
    ['a 257-character model', { ...valid, model: 'm'.repeat(257) }, 'model', /at most 256 characters/],
    ['a negative latency', { ...valid, latencyMs: -1 }, 'latencyMs', /must not be negative/],
    ['latency as text', { ...valid, latencyMs: '12' }, 'latencyMs', /milliseconds/],
    ['an unknown status', { ...valid, status: 'failed' }, 'status', /"ok" or "error"/],
    ['confidence above 1', { ...valid, confidence: 1.2 }, 'confidence', /between 0 and 1/],
    ['fractional tokens', { ...valid, inputTokens: 1.5 }, 'inputTokens', /whole number/],
    ['an unparseable timestamp', { ...valid, timestamp: 'yesterday' }, 'timestamp', /ISO-8601/],
    [
      'a timestamp past the retention edge',
      { ...valid, timestamp: NOW - 8 * DAY },
      'timestamp',
      /outside the accepted window/,
    ],
    [
      'a timestamp 6 minutes ahead',
      { ...valid, timestamp: NOW + 6 * 60_000 },
      'timestamp',
      /outside the accepted window/,
    ],
    [
      '21 attribute keys',
      { ...valid, attributes: Object.fromEntries(Array.from({ length: 21 }, (_, i) => [`k${i}`, i])) },
      'attributes',
      /at most 20 keys/,
    ],
    [
      'a long attribute value',
      { ...valid, attributes: { region: 'x'.repeat(257) } },
      'attributes.region',
      /256/,
    ],
    ['an unknown field', { ...valid, latency: 5 }, 'latency', /not a known field/],
    [
      'an item that is not an object',
      'churn' as unknown as Record<string, unknown>,
      '(item)',
      /must be an object/,
    ],
  ];
  for (const [what, item, field, message] of cases) {
    it(`rejects ${what}, naming the field "${field}"`, () => {
      const { accepted, errors } = validateItems({ predictions: [valid, item] }, 'predictions', schema);

      assert.equal(accepted.length, 1, 'the valid neighbour is kept');
      assert.equal(accepted[0]!.index, 0);
      assert.ok(errors.length >= 1);
      assert.ok(errors.every((error) => error.index === 1));
      assert.ok(
        errors.some((error) => error.field === field && message.test(error.message)),
        JSON.stringify(errors),
      );
    });
  }

  it('accepts ISO and epoch-millisecond timestamps at both edges of the window and defaults to now', () => {
    const items = [
      { ...valid, timestamp: new Date(NOW - 7 * DAY).toISOString() },
      { ...valid, timestamp: NOW + 5 * 60_000 },
      valid,
    ];
    const { accepted, errors } = validateItems({ predictions: items }, 'predictions', schema);

    assert.deepEqual(errors, []);
    assert.deepEqual(
      accepted.map(({ item }) => item.timestamp),
      [NOW - 7 * DAY, NOW + 5 * 60_000, NOW],
    );
  });

  for (const [what, body, message] of [
    ['an array body', [valid], /JSON object/],
    ['no predictions field', { prediction: [valid] }, /"predictions" array, got none/],
    ['an empty batch', { predictions: [] }, /empty/],
    [
      'too many items',
      { predictions: Array.from({ length: INGEST_LIMITS.maxItems + 1 }, () => valid) },
      /at most 10000/,
    ],
  ] as const) {
    it(`refuses ${what} as a whole with a message that says what to fix`, () => {
      assert.throws(
        () => validateItems(body, 'predictions', schema),
        (error: Error) => {
          assert.ok(error instanceof ValidationError);
          assert.match(error.message, message);
          return true;
        },
      );
    });
  }
});

describe('rollUpPredictions', () => {
  it('turns predictions into per-minute metrics by model and version', () => {
    const at = Date.UTC(2026, 2, 10, 14, 29, 10);
    const predictions: Prediction[] = [
      {
        model: 'churn',
        modelVersion: 'v2',
        timestamp: at,
        latencyMs: 100,
        status: 'ok',
        confidence: 0.9,
        inputTokens: 10,
        outputTokens: 3,
        costUsd: 0.002,
      },
      {
        model: 'churn',
        modelVersion: 'v2',
        timestamp: at + 5000,
        latencyMs: 300,
        status: 'error',
        errorType: 'timeout',
        inputTokens: 12,
      },
      { model: 'churn', modelVersion: 'v2', timestamp: at + 9000, latencyMs: 200, status: 'error' },
      { model: 'fraud', timestamp: at, latencyMs: 40, status: 'ok' },
    ];

    const rollups = rollUpPredictions(predictions).rollups();
    const find = (metric: string, dimensions: Record<string, string>) =>
      rollups.find((r) => r.metric === metric && JSON.stringify(r.dimensions) === JSON.stringify(dimensions));
    const churn = { model: 'churn', modelVersion: 'v2' };

    assert.equal(find('predictions', churn)?.count, 3);
    assert.equal(find('errors', churn), undefined, 'errors are kept once, by type');
    assert.equal(find('errors', { ...churn, errorType: 'timeout' })?.count, 1);
    assert.equal(find('errors', { ...churn, errorType: 'unknown' })?.count, 1);
    assert.deepEqual(
      [find('latency_ms', churn)?.sum, find('latency_ms', churn)?.min, find('latency_ms', churn)?.max],
      [600, 100, 300],
    );
    assert.equal(find('latency_ms', churn)?.sketch?.count, 3);
    assert.equal(find('confidence', churn)?.count, 1);
    assert.equal(find('input_tokens', churn)?.sum, 22);
    assert.equal(find('output_tokens', churn)?.sum, 3);
    assert.equal(find('cost_usd', churn)?.sum, 0.002);
    assert.equal(
      find('predictions', { model: 'fraud' })?.count,
      1,
      'no modelVersion dimension when none was sent',
    );
    assert.equal(rollups.filter((r) => r.metric === 'errors' && r.dimensions.model === 'fraud').length, 0);
    assert.ok(rollups.every((r) => r.minute === Date.UTC(2026, 2, 10, 14, 29)));
  });
});
