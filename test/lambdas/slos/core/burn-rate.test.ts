import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  budgetConsumedAt,
  burnRate,
  burnRateForBudget,
  detectionTimeMs,
  errorBudgetDurationMs,
  errorRateAtBurnRate,
  timeToExhaustionMs,
} from '../../../../lambdas/slos/core/burn-rate.js';

// Reference values: Google SRE Workbook, chapter 5 "Alerting on SLOs"
// (https://sre.google/workbook/alerting-on-slos/), for its running example of a 99.9 % SLO over 30 days.

const SECOND = 1000;
const MINUTE = 60 * SECOND;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;
const THIRTY_DAYS = 30 * DAY;
const SLO = 0.999;

/** Floating-point results compared to a relative 1e-9. */
function assertClose(actual: number, expected: number, message?: string) {
  assert.ok(
    Math.abs(actual - expected) <= Math.abs(expected) * 1e-9,
    `${message ?? ''} ${actual} != ${expected}`,
  );
}

describe('error budget', () => {
  it('is 43.2 minutes of total outage for 99.9 % over 30 days', () => {
    // 0.1 % of 30 × 24 × 60 = 43,200 minutes.
    assertClose(errorBudgetDurationMs(SLO, THIRTY_DAYS), 43.2 * MINUTE);
  });
});

describe('burnRate', () => {
  // Workbook, "Alert on burn rate": burn rates, their error rates for a 99.9 % SLO and the time until a
  // 30-day budget is exhausted.
  const table = [
    { burn: 1, errorRate: 0.001, exhaustion: 30 * DAY },
    { burn: 2, errorRate: 0.002, exhaustion: 15 * DAY },
    { burn: 10, errorRate: 0.01, exhaustion: 3 * DAY },
    { burn: 1000, errorRate: 1, exhaustion: 43.2 * MINUTE },
  ];
  for (const { burn, errorRate, exhaustion } of table) {
    it(`is ${burn} for an error rate of ${errorRate * 100} %, which spends the budget in ${exhaustion / MINUTE} minutes`, () => {
      assertClose(burnRate(errorRate, SLO), burn, 'burn rate');
      assertClose(errorRateAtBurnRate(burn, SLO), errorRate, 'error rate');
      assertClose(timeToExhaustionMs(burn, THIRTY_DAYS), exhaustion, 'time to exhaustion');
    });
  }

  it('leaves what remains of the budget for the rest: half of it at burn rate 2 lasts 7.5 days', () => {
    assertClose(timeToExhaustionMs(2, THIRTY_DAYS, 0.5), 7.5 * DAY);
    assert.equal(timeToExhaustionMs(2, THIRTY_DAYS, 0), 0);
    assert.equal(timeToExhaustionMs(0, THIRTY_DAYS, 0.5), Number.POSITIVE_INFINITY);
  });
});

describe('burnRateForBudget', () => {
  // Workbook Table 5-8, recommended parameters for a 99.9 % SLO over 30 days: the burn rate is the share of
  // the budget consumed × the SLO window / the long window (2 % × 720 h / 1 h = 14.4).
  const table = [
    { budget: 0.02, longWindow: HOUR, burn: 14.4 },
    { budget: 0.05, longWindow: 6 * HOUR, burn: 6 },
    { budget: 0.1, longWindow: 3 * DAY, burn: 1 },
  ];
  for (const { budget, longWindow, burn } of table) {
    it(`is ${burn} for ${budget * 100} % of the budget in ${longWindow / HOUR} h`, () => {
      assertClose(burnRateForBudget(budget, THIRTY_DAYS, longWindow), burn);
      assertClose(budgetConsumedAt(burn, longWindow, THIRTY_DAYS), budget);
    });
  }
});

describe('detectionTimeMs', () => {
  // Workbook: detection time = (1 - SLO) / error ratio × alerting window × burn rate.
  const table = [
    // Iteration 1: the error rate over 10 minutes at the SLO's own rate (burn 1) sees a full outage in 0.6 s.
    {
      title: 'a 10-minute window at burn rate 1',
      errorRate: 1,
      window: 10 * MINUTE,
      burn: 1,
      expected: 0.6 * SECOND,
    },
    // Iteration 2: over 36 hours, 2 minutes 10 seconds (129.6 s).
    {
      title: 'a 36-hour window at burn rate 1',
      errorRate: 1,
      window: 36 * HOUR,
      burn: 1,
      expected: 129.6 * SECOND,
    },
    // Iteration 4 (and the issue): the 1 h / 14.4 page sees a full outage after about 52 seconds.
    { title: 'the 1 h page at 14.4', errorRate: 1, window: HOUR, burn: 14.4, expected: 51.84 * SECOND },
    { title: 'the 6 h page at 6', errorRate: 1, window: 6 * HOUR, burn: 6, expected: 129.6 * SECOND },
    { title: 'the 3 d ticket at 1', errorRate: 1, window: 3 * DAY, burn: 1, expected: 259.2 * SECOND },
    // A 10 % error rate takes ten times as long: 0.001 / 0.1 × 3600 s × 14.4 = 518.4 s.
    {
      title: 'the 1 h page, 10 % errors',
      errorRate: 0.1,
      window: HOUR,
      burn: 14.4,
      expected: 518.4 * SECOND,
    },
  ];
  for (const { title, errorRate, window, burn, expected } of table) {
    it(`is ${expected / SECOND} s for ${title}`, () => {
      assertClose(detectionTimeMs(SLO, errorRate, window, burn), expected);
    });
  }

  it('is never for an error rate at or below the alert rate', () => {
    // 14.4 × 0.1 % = 1.44 %: the 1 h window's rate approaches it but never exceeds it.
    assert.equal(detectionTimeMs(SLO, 0.0144, HOUR, 14.4), Number.POSITIVE_INFINITY);
    assert.equal(detectionTimeMs(SLO, 0.001, HOUR, 14.4), Number.POSITIVE_INFINITY);
    assert.equal(detectionTimeMs(SLO, 0, HOUR, 14.4), Number.POSITIVE_INFINITY);
  });
});
