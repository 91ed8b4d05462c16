import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  actorOf,
  DEFAULT_LIST_LIMIT,
  MAX_LIST_LIMIT,
  parseAlertFilter,
  parseIncidentListQuery,
  parseJobRun,
  parseTimeRange,
} from '../../../../lambdas/alerts/core/alert-api-params.js';
import { ValidationError } from '../../../../lambdas/shared/validation-error.js';

const NOW = Date.parse('2026-03-10T14:00:00Z');
const DAY = 86_400_000;

describe('parseAlertFilter', () => {
  it('reads state, model, severity and limit', () => {
    // Act
    const filter = parseAlertFilter({ state: 'pending', model: 'churn', severity: 'critical', limit: '5' });

    // Assess
    assert.deepEqual(filter, { state: 'pending', model: 'churn', severity: 'critical', limit: 5 });
  });

  it('lists the default number of alerts of every state when nothing is asked', () => {
    assert.deepEqual(parseAlertFilter({}), {
      state: undefined,
      model: undefined,
      severity: undefined,
      limit: DEFAULT_LIST_LIMIT,
    });
  });

  for (const [params, message] of [
    [{ state: 'inactive' }, /state must be one of pending, firing, resolved, got "inactive"/],
    [{ severity: 'page' }, /severity must be one of critical, high, warning, info, got "page"/],
    [{ limit: '0' }, /limit must be a whole number from 1 to 1000, got "0"/],
    [{ limit: String(MAX_LIST_LIMIT + 1) }, /limit must be a whole number from 1 to 1000/],
    [{ limit: '2.5' }, /limit must be a whole number/],
  ] as const) {
    it(`refuses ${JSON.stringify(params)} naming the parameter`, () => {
      assert.throws(
        () => parseAlertFilter(params),
        (error: Error) => {
          assert.ok(error instanceof ValidationError);
          assert.match(error.message, message);
          return true;
        },
      );
    });
  }
});

describe('parseIncidentListQuery', () => {
  it('defaults to the last seven days, up to and including now', () => {
    // Act
    const query = parseIncidentListQuery({}, NOW);

    // Assess
    assert.deepEqual(query, {
      status: undefined,
      from: NOW - 7 * DAY,
      to: NOW + 1,
      limit: DEFAULT_LIST_LIMIT,
    });
  });

  it('reads a status and an absolute range', () => {
    // Act
    const query = parseIncidentListQuery(
      { status: 'acknowledged', from: '2026-03-01T00:00:00Z', to: '2026-03-02T00:00:00Z', limit: '10' },
      NOW,
    );

    // Assess
    assert.deepEqual(query, {
      status: 'acknowledged',
      from: Date.UTC(2026, 2, 1),
      to: Date.UTC(2026, 2, 2),
      limit: 10,
    });
  });

  it('refuses an unknown status and a range that ends before it starts', () => {
    assert.throws(
      () => parseIncidentListQuery({ status: 'closed' }, NOW),
      /status must be one of pending, open, acknowledged, resolved/,
    );
    assert.throws(
      () => parseTimeRange({ from: '-1h', to: '-2h' }, NOW, '-7d'),
      /from \(.*\) must be before to/,
    );
  });
});

describe('actorOf', () => {
  it('is the token principal when the body names nobody', () => {
    assert.equal(actorOf(undefined, 'oncall-bot'), 'oncall-bot');
    assert.equal(actorOf({}, 'oncall-bot'), 'oncall-bot');
  });

  it('records the person a token acts for, and which token it was', () => {
    assert.equal(actorOf({ by: ' alice ' }, 'slack-bot'), 'alice via slack-bot');
    assert.equal(actorOf({ by: 'alice' }, 'alice'), 'alice');
  });

  it('refuses a body that is not an object and an empty name', () => {
    assert.throws(() => actorOf(['alice'], 'bot'), /body must be a JSON object such as \{ "by": "alice" \}/);
    assert.throws(() => actorOf({ by: '' }, 'bot'), /by must be a name of 1 to 128 characters, got ""/);
    assert.throws(() => actorOf({ by: 7 }, 'bot'), /by must be a name of 1 to 128 characters, got 7/);
  });
});

describe('parseJobRun', () => {
  it('runs now without a body or without at', () => {
    assert.equal(parseJobRun(undefined, NOW), NOW);
    assert.equal(parseJobRun({}, NOW), NOW);
  });

  it('runs as of an ISO time or epoch milliseconds', () => {
    assert.equal(parseJobRun({ at: '2026-03-10T12:30:00Z' }, NOW), Date.UTC(2026, 2, 10, 12, 30));
    assert.equal(parseJobRun({ at: 1_773_000_000_000 }, NOW), 1_773_000_000_000);
  });

  it('names at when it is not a time', () => {
    assert.throws(() => parseJobRun({ at: 'yesterday' }, NOW), /at must be ISO-8601, epoch milliseconds/);
    assert.throws(
      () => parseJobRun({ at: true }, NOW),
      /at must be an ISO-8601 time or epoch milliseconds, got true/,
    );
  });
});
