import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { errorPattern } from '../../../../lambdas/events/core/error-patterns.js';
import { ERROR_LOGS_METRIC, ingestLogs } from '../../../../lambdas/events/core/ingest-logs.js';
import type { LogRecord } from '../../../../lambdas/events/core/records.js';
import { createRedactor, REDACTED } from '../../../../lambdas/events/core/redaction.js';
import { minuteOf } from '../../../../lambdas/metrics/core/rollup.js';
import { InMemoryEventStore } from './support/in-memory-event-store.js';

const T0 = Date.UTC(2026, 2, 10, 14, 0, 0);
const SECRET = 'sk-live-4f9a8b7c6d5e';

function log(overrides: Partial<LogRecord> = {}): LogRecord {
  return { timestamp: T0, level: 'info', message: 'ok', attributes: {}, ...overrides };
}

describe('ingestLogs', () => {
  it('redacts every string before storing, so the secret and e-mail are nowhere in the store', async () => {
    // Prepare
    const eventStore = new InMemoryEventStore();
    const records = [
      log({
        level: 'error',
        message: `auth failed for ops@example.com with Bearer ${SECRET}`,
        service: 'api ops@example.com',
        model: `churn password=${SECRET}`,
        attributes: {
          'http.request.header.authorization': `Bearer ${SECRET}`,
          'http.request.header.cookie': `session=${SECRET}`,
          body: JSON.stringify({ api_key: SECRET, user: 'ops@example.com' }),
          status: 401,
        },
      }),
    ];

    // Act
    const ingestion = await ingestLogs(records, { eventStore, redactor: createRedactor() });

    // Assess
    assert.equal(ingestion.written, 1);
    const [stored] = eventStore.logs;
    assert.equal(stored!.message, `auth failed for ${REDACTED} with Bearer ${REDACTED}`);
    assert.equal(stored!.service, `api ${REDACTED}`);
    assert.equal(stored!.model, `churn password=${REDACTED}`);
    assert.deepEqual(stored!.attributes, {
      'http.request.header.authorization': REDACTED,
      'http.request.header.cookie': REDACTED,
      body: JSON.stringify({ api_key: REDACTED, user: REDACTED }),
      status: 401,
    });
    const everything = `${eventStore.storedJson()}${JSON.stringify(ingestion)}`;
    assert.ok(!everything.includes(SECRET), 'the secret reached the store or the rollups');
    assert.ok(!everything.includes('ops@example.com'), 'the e-mail address reached the store or the rollups');
  });

  it('gives error and critical logs the pattern of their redacted message, and no other level', async () => {
    const eventStore = new InMemoryEventStore();
    const levels = ['trace', 'debug', 'info', 'warn', 'error', 'critical'] as const;
    const message = 'user bob@example.com timed out after 250ms';

    await ingestLogs(
      levels.map((level) => log({ level, message })),
      { eventStore, redactor: createRedactor() },
    );

    const expected = errorPattern(`user ${REDACTED} timed out after 250ms`);
    assert.deepEqual(
      eventStore.logs.map((stored) => [stored.level, stored.pattern]),
      levels.map((level) => [level, level === 'error' || level === 'critical' ? expected : undefined]),
    );
  });

  it('counts error and critical logs per minute, service, level, pattern and model', async () => {
    // Prepare: the same failure with different ids, across two minutes, services and models.
    const timeout = (id: number) => `request ${id} timed out after ${id * 10}ms`;
    const records = [
      log({ level: 'error', message: timeout(1), service: 'api', model: 'churn', timestamp: T0 + 1_000 }),
      log({ level: 'error', message: timeout(2), service: 'api', model: 'churn', timestamp: T0 + 59_999 }),
      log({ level: 'error', message: timeout(3), service: 'api', model: 'churn', timestamp: T0 + 60_000 }),
      log({ level: 'critical', message: timeout(4), service: 'api', model: 'churn', timestamp: T0 }),
      log({ level: 'error', message: timeout(5), timestamp: T0 }),
      log({ level: 'error', message: 'model file missing', service: 'worker', timestamp: T0 }),
      log({ level: 'warn', message: timeout(6), service: 'api', model: 'churn', timestamp: T0 }),
    ];
    const fingerprint = errorPattern(timeout(1)).fingerprint;
    const missing = errorPattern('model file missing').fingerprint;

    // Act
    const { errorPatternRollups } = await ingestLogs(records, {
      eventStore: new InMemoryEventStore(),
      redactor: createRedactor(),
    });

    // Assess: counted by hand from the records above.
    const counts = errorPatternRollups
      .map(({ metric, dimensions, minute, count, sum }) => ({ metric, dimensions, minute, count, sum }))
      .sort(
        (a, b) =>
          a.minute - b.minute || JSON.stringify(a.dimensions).localeCompare(JSON.stringify(b.dimensions)),
      );
    const series = (dimensions: Record<string, string>, minute: number, count: number) => ({
      metric: ERROR_LOGS_METRIC,
      dimensions,
      minute,
      count,
      sum: count,
    });
    assert.deepEqual(counts, [
      series({ service: 'api', level: 'critical', pattern: fingerprint, model: 'churn' }, minuteOf(T0), 1),
      series({ service: 'api', level: 'error', pattern: fingerprint, model: 'churn' }, minuteOf(T0), 2),
      series({ service: 'unknown', level: 'error', pattern: fingerprint }, minuteOf(T0), 1),
      series({ service: 'worker', level: 'error', pattern: missing }, minuteOf(T0), 1),
      series(
        { service: 'api', level: 'error', pattern: fingerprint, model: 'churn' },
        minuteOf(T0 + 60_000),
        1,
      ),
    ]);
  });

  it('counts patterns beyond the per-call cap as __other__, keeping each log its own pattern', async () => {
    const eventStore = new InMemoryEventStore();
    const messages = ['disk full', 'queue closed', 'model file missing', 'disk full'];

    const { errorPatternRollups } = await ingestLogs(
      messages.map((message) => log({ level: 'error', message })),
      { eventStore, redactor: createRedactor(), maxPatternsPerCall: 2 },
    );

    assert.deepEqual(
      errorPatternRollups.map(({ dimensions, count }) => [dimensions.pattern, count]).sort(),
      [
        [errorPattern('disk full').fingerprint, 2],
        [errorPattern('queue closed').fingerprint, 1],
        ['__other__', 1],
      ].sort(),
    );
    assert.equal(eventStore.logs[2]!.pattern?.fingerprint, errorPattern('model file missing').fingerprint);
  });

  it('passes on the records the store refuses, and still counts their errors', async () => {
    const eventStore = new InMemoryEventStore((record) =>
      (record as LogRecord).message.includes('refuse') ? 'mapper_parsing_exception' : undefined,
    );

    const ingestion = await ingestLogs([log(), log({ level: 'error', message: 'refuse me' })], {
      eventStore,
      redactor: createRedactor(),
    });

    assert.equal(ingestion.written, 1);
    assert.deepEqual(ingestion.rejected, [{ index: 1, reason: 'mapper_parsing_exception' }]);
    assert.equal(ingestion.errorPatternRollups[0]?.count, 1);
  });

  it('fails, counting nothing, when the store cannot be reached', async () => {
    const eventStore = {
      writeLogs: async () => {
        throw new Error('connect ECONNREFUSED');
      },
    };

    await assert.rejects(
      ingestLogs([log({ level: 'error' })], { eventStore, redactor: createRedactor() }),
      /ECONNREFUSED/,
    );
  });

  it('writes nothing for no logs', async () => {
    const eventStore = { writeLogs: async () => assert.fail('nothing to write') };

    const ingestion = await ingestLogs([], { eventStore, redactor: createRedactor() });

    assert.deepEqual(ingestion, { written: 0, rejected: [], errorPatternRollups: [] });
  });
});
