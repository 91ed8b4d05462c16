import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  predictionEventRecord,
  recordPredictionEvents,
  sampledPredictionEvents,
} from '../../../../lambdas/events/core/record-prediction-events.js';
import { createRedactor, REDACTED } from '../../../../lambdas/events/core/redaction.js';
import { shouldKeepRawEvent } from '../../../../lambdas/events/core/sampling.js';
import type { Prediction } from '../../../../lambdas/ingest/core/predictions.js';
import { InMemoryEventStore } from './support/in-memory-event-store.js';

const T0 = Date.UTC(2026, 2, 10, 14, 0, 0);
const SECRET = 'sk-live-4f9a8b7c6d5e';
const redactor = createRedactor();

function prediction(overrides: Partial<Prediction> = {}): Prediction {
  return { model: 'churn', timestamp: T0, latencyMs: 42, status: 'ok', ...overrides };
}

const predictions = Array.from({ length: 1_000 }, (_, i) => prediction({ id: `pred-${i}` }));

describe('predictionEventRecord', () => {
  it('keeps every field, the output as JSON text, with every string redacted', () => {
    const record = predictionEventRecord(
      prediction({
        id: 'pred-1',
        modelVersion: '3',
        status: 'error',
        errorType: 'timeout',
        confidence: 0.87,
        prediction: {
          label: 'churn',
          customer: 'jane@example.com',
          headers: { authorization: `Bearer ${SECRET}` },
        },
        inputTokens: 120,
        outputTokens: 8,
        costUsd: 0.0004,
        attributes: { region: 'eu', api_key: SECRET },
      }),
      redactor,
    );

    assert.deepEqual(record, {
      timestamp: T0,
      id: 'pred-1',
      model: 'churn',
      modelVersion: '3',
      status: 'error',
      errorType: 'timeout',
      latencyMs: 42,
      confidence: 0.87,
      prediction: JSON.stringify({
        label: 'churn',
        customer: REDACTED,
        headers: { authorization: REDACTED },
      }),
      inputTokens: 120,
      outputTokens: 8,
      costUsd: 0.0004,
      attributes: { region: 'eu', api_key: REDACTED },
    });
  });

  it('writes a text output as a JSON string, redacted, and leaves absent fields out', () => {
    const record = predictionEventRecord(
      prediction({ prediction: 'email jane@example.com "now"' }),
      redactor,
    );

    assert.deepEqual(record, {
      timestamp: T0,
      model: 'churn',
      status: 'ok',
      latencyMs: 42,
      prediction: JSON.stringify(`email ${REDACTED} "now"`),
      attributes: {},
    });
  });

  it('keeps numbers, booleans and null outputs as their JSON', () => {
    const outputs = [0.93, true, null, [1, 'a']];

    const texts = outputs.map(
      (output) => predictionEventRecord(prediction({ prediction: output }), redactor).prediction,
    );

    assert.deepEqual(texts, ['0.93', 'true', 'null', '[1,"a"]']);
  });
});

describe('sampledPredictionEvents', () => {
  it('keeps the predictions whose id sampling keeps, and the same ones for a retried request', () => {
    const sampling = { sampleRate: 0.2, redactor, random: () => assert.fail('every prediction has an id') };

    const first = sampledPredictionEvents(predictions, sampling);
    const retried = sampledPredictionEvents(predictions, sampling);

    const expectedIds = predictions.map((p) => p.id!).filter((id) => shouldKeepRawEvent(0.2, id));
    assert.deepEqual(
      first.map((event) => event.id),
      expectedIds,
    );
    assert.deepEqual(retried, first);
  });

  it('samples predictions without an id with the injected random source', () => {
    const draws = [0.05, 0.5, 0.15, 0.01];
    let next = 0;

    const events = sampledPredictionEvents(
      draws.map((_, i) => prediction({ latencyMs: i })),
      { sampleRate: 0.1, redactor, random: () => draws[next++]! },
    );

    assert.deepEqual(
      events.map((event) => event.latencyMs),
      [0, 3],
    );
  });
});

describe('recordPredictionEvents', () => {
  it('writes the sampled, redacted events and says how many were kept and stored', async () => {
    // Prepare
    const eventStore = new InMemoryEventStore();
    const withSecrets = predictions.map((p) => ({ ...p, attributes: { token: SECRET } }));

    // Act
    const recording = await recordPredictionEvents(withSecrets, { eventStore, redactor, sampleRate: 0.5 });

    // Assess
    const expected = predictions.filter((p) => shouldKeepRawEvent(0.5, p.id)).length;
    assert.deepEqual(recording, { kept: expected, written: expected, rejected: [] });
    assert.equal(eventStore.predictionEvents.length, expected);
    assert.ok(!eventStore.storedJson().includes(SECRET));
  });

  it('writes nothing when sampling keeps nothing', async () => {
    const eventStore = { writePredictionEvents: async () => assert.fail('nothing to write') };

    const recording = await recordPredictionEvents(predictions, { eventStore, redactor, sampleRate: 0 });

    assert.deepEqual(recording, { kept: 0, written: 0, rejected: [] });
  });
});
