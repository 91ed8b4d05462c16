import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ingestSpans } from '../../../../lambdas/events/core/ingest-spans.js';
import type { SpanRecord } from '../../../../lambdas/events/core/records.js';
import { createRedactor, REDACTED } from '../../../../lambdas/events/core/redaction.js';
import { InMemoryEventStore } from './support/in-memory-event-store.js';

const T0 = Date.UTC(2026, 2, 10, 14, 0, 0);
const SECRET = 'sk-live-4f9a8b7c6d5e';

function span(overrides: Partial<SpanRecord> = {}): SpanRecord {
  return {
    traceId: '4bf92f3577b34da6a3ce929d0e0e4736',
    spanId: '00f067aa0ba902b7',
    name: 'POST /predict',
    kind: 'server',
    startTime: T0,
    endTime: T0 + 12.5,
    durationMs: 12.5,
    status: 'unset',
    attributes: {},
    events: [],
    ...overrides,
  };
}

describe('ingestSpans', () => {
  it('redacts names, status messages, service, model, attributes and events before storing', async () => {
    // Prepare
    const eventStore = new InMemoryEventStore();
    const input = span({
      name: 'GET /users/ops@example.com',
      status: 'error',
      statusMessage: `401 for Bearer ${SECRET}`,
      service: 'api',
      model: 'churn',
      attributes: { 'http.request.header.x-api-key': SECRET, 'http.route': '/users/:id' },
      events: [
        {
          timestamp: T0 + 1,
          name: `retry with token=${SECRET}`,
          attributes: { password: SECRET, attempt: 2 },
        },
      ],
    });

    // Act
    const outcome = await ingestSpans([input], { eventStore, redactor: createRedactor() });

    // Assess
    assert.deepEqual(outcome, { written: 1, rejected: [] });
    assert.deepEqual(eventStore.spans, [
      {
        ...input,
        name: `GET /users/${REDACTED}`,
        statusMessage: `401 for Bearer ${REDACTED}`,
        attributes: { 'http.request.header.x-api-key': REDACTED, 'http.route': '/users/:id' },
        events: [
          {
            timestamp: T0 + 1,
            name: `retry with token=${REDACTED}`,
            attributes: { password: REDACTED, attempt: 2 },
          },
        ],
      },
    ]);
    assert.ok(!eventStore.storedJson().includes(SECRET));
    assert.ok(!eventStore.storedJson().includes('ops@example.com'));
  });

  it('passes on the spans the store refuses, by index', async () => {
    const eventStore = new InMemoryEventStore((record) =>
      (record as SpanRecord).name === 'bad' ? 'too large' : undefined,
    );

    const outcome = await ingestSpans([span(), span({ name: 'bad' })], {
      eventStore,
      redactor: createRedactor(),
    });

    assert.deepEqual(outcome, { written: 1, rejected: [{ index: 1, reason: 'too large' }] });
  });

  it('writes nothing for no spans', async () => {
    const eventStore = { writeSpans: async () => assert.fail('nothing to write') };

    assert.deepEqual(await ingestSpans([], { eventStore, redactor: createRedactor() }), {
      written: 0,
      rejected: [],
    });
  });
});
