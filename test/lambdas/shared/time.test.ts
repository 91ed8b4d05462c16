import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseDuration, parseTime } from '../../../lambdas/shared/time.js';
import { ValidationError } from '../../../lambdas/shared/validation-error.js';

const NOW = Date.parse('2026-03-10T14:00:00Z');

describe('parseDuration', () => {
  for (const [text, ms] of [
    ['500ms', 500],
    ['60s', 60_000],
    ['5m', 300_000],
    ['1.5h', 5_400_000],
    ['7d', 604_800_000],
    ['2w', 1_209_600_000],
  ] as const) {
    it(`reads ${text} as ${ms} ms`, () => assert.equal(parseDuration(text), ms));
  }

  it('names what it was reading when the text is not a duration', () => {
    assert.throws(
      () => parseDuration('5 minutes', 'window'),
      (error: Error) => {
        assert.ok(error instanceof ValidationError);
        assert.equal(error.message, 'window must look like 60s, 5m, 6h or 7d, got "5 minutes"');
        return true;
      },
    );
  });
});

describe('parseTime', () => {
  it('reads ISO-8601, epoch milliseconds and now', () => {
    assert.equal(parseTime('2026-03-10T12:00:00Z', NOW), Date.UTC(2026, 2, 10, 12));
    assert.equal(parseTime('1773151200000', NOW), 1_773_151_200_000);
    assert.equal(parseTime(' now ', NOW), NOW);
  });

  it('reads durations before and after now', () => {
    assert.equal(parseTime('-15m', NOW), NOW - 15 * 60_000);
    assert.equal(parseTime('+2h', NOW), NOW + 2 * 3_600_000);
  });

  it('names what it was reading when the text is not a time', () => {
    assert.throws(
      () => parseTime('tomorrow', NOW, 'endsAt'),
      /^ValidationError: endsAt must be ISO-8601, epoch milliseconds, "now" or like -15m or \+2h, got "tomorrow"$/,
    );
  });
});
