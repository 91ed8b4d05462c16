import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { nativeLogSchema, parseLogLevel } from '../../../../lambdas/events/core/native-logs.js';
import { validateItems } from '../../../../lambdas/ingest/core/item-validation.js';

const NOW = Date.UTC(2026, 2, 10, 14, 0, 30);
const DAY_MS = 24 * 60 * 60 * 1000;
const window = { now: NOW, maxAgeMs: DAY_MS };
// The W3C Trace Context specification's example ids.
const TRACE_ID = '4bf92f3577b34da6a3ce929d0e0e4736';
const SPAN_ID = '00f067aa0ba902b7';

const validate = (logs: unknown[]) => validateItems({ logs }, 'logs', nativeLogSchema(window));

describe('parseLogLevel', () => {
  const cases: ReadonlyArray<readonly [string, string | undefined]> = [
    ['trace', 'trace'],
    ['DEBUG', 'debug'],
    ['Info', 'info'],
    ['warn', 'warn'],
    ['WARNING', 'warn'],
    ['error', 'error'],
    ['critical', 'critical'],
    ['fatal', 'critical'],
    ['verbose', undefined],
    ['', undefined],
  ];
  for (const [text, level] of cases)
    it(`reads "${text}" as ${level}`, () => assert.equal(parseLogLevel(text), level));
});

describe('nativeLogSchema', () => {
  it('reads a full log into a log record, lower-casing the ids and parsing the time', () => {
    const { accepted, errors } = validate([
      {
        timestamp: '2026-03-10T13:59:00.250Z',
        level: 'ERROR',
        message: 'scoring failed',
        service: 'scoring-api',
        model: 'churn',
        traceId: TRACE_ID.toUpperCase(),
        spanId: SPAN_ID,
        attributes: { route: '/predict', attempt: 2, retried: true },
      },
    ]);

    assert.deepEqual(errors, []);
    assert.deepEqual(accepted[0]!.item, {
      timestamp: Date.UTC(2026, 2, 10, 13, 59, 0, 250),
      level: 'error',
      message: 'scoring failed',
      service: 'scoring-api',
      model: 'churn',
      traceId: TRACE_ID,
      spanId: SPAN_ID,
      attributes: { route: '/predict', attempt: 2, retried: true },
    });
  });

  it('defaults the time to now and the attributes to none, and leaves absent fields out', () => {
    const { accepted } = validate([{ level: 'info', message: 'started' }]);

    assert.deepEqual(accepted[0]!.item, {
      timestamp: NOW,
      level: 'info',
      message: 'started',
      attributes: {},
    });
  });

  it('accepts a message of 32 KiB and rejects one character more, saying the limit', () => {
    const limit = 32 * 1024;

    const { accepted, errors } = validate([
      { level: 'info', message: 'x'.repeat(limit) },
      { level: 'info', message: 'x'.repeat(limit + 1) },
    ]);

    assert.deepEqual(
      accepted.map(({ index }) => index),
      [0],
    );
    assert.deepEqual(errors, [
      { index: 1, field: 'message', message: 'must be at most 32768 characters (32 KiB)' },
    ]);
  });

  it('rejects each bad item with its field and a message, keeping the good ones', () => {
    const { accepted, errors } = validate([
      { level: 'verbose', message: 'a' },
      { level: 'info', message: 'b', traceId: 'abc' },
      { level: 'info', message: 'c', spanId: '0000000000000000' },
      { level: 'info', message: 'd', colour: 'red' },
      { level: 'info', message: 'e', timestamp: NOW - 2 * DAY_MS },
      { level: 'info', message: '' },
      { level: 'warn', message: 'kept' },
    ]);

    assert.deepEqual(
      accepted.map(({ index }) => index),
      [6],
    );
    assert.deepEqual(
      errors.map(({ index, field }) => [index, field]),
      [
        [0, 'level'],
        [1, 'traceId'],
        [2, 'spanId'],
        [3, 'colour'],
        [4, 'timestamp'],
        [5, 'message'],
      ],
    );
    assert.match(
      errors[0]!.message,
      /must be one of trace, debug, info, warn, error, critical \(or warning, fatal\), got "verbose"/,
    );
    assert.equal(errors[1]!.message, 'must be 32 hexadecimal characters, got "abc"');
    assert.equal(errors[2]!.message, 'must not be all zeros, which marks an invalid span id');
  });

  it('holds attributes to the native limits (20 keys)', () => {
    const attributes = Object.fromEntries(Array.from({ length: 21 }, (_, i) => [`k${i}`, i]));

    const { errors } = validate([{ level: 'info', message: 'm', attributes }]);

    assert.deepEqual(errors, [{ index: 0, field: 'attributes', message: 'must have at most 20 keys' }]);
  });
});
