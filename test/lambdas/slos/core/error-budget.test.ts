import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  errorBudget,
  errorRate,
  exhaustionForecast,
  slaCredit,
  sloBurnRate,
  sloCompliance,
} from '../../../../lambdas/slos/core/error-budget.js';
import { ENTERPRISE_SLA_CREDITS, parseSlo } from '../../../../lambdas/slos/core/slo.js';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const AT = Date.UTC(2026, 2, 10, 12, 0, 0);

const availability = parseSlo({ name: 'a', model: 'fraud', sli: { kind: 'availability' }, objective: 0.999 });
const cost = parseSlo({ name: 'c', model: 'llm', sli: { kind: 'cost', budgetUsd: 300 } });

function assertClose(actual: number | undefined, expected: number) {
  assert.ok(
    actual !== undefined && Math.abs(actual - expected) <= Math.abs(expected) * 1e-9,
    `${actual} != ${expected}`,
  );
}

describe('sloBurnRate', () => {
  it('divides a ratio SLI error rate by the budget: 1 % errors against 99.9 % burns at 10', () => {
    const counts = { good: 990, total: 1000 };

    assertClose(errorRate(counts), 0.01);
    assertClose(sloBurnRate(availability, counts, HOUR), 10);
    assertClose(sloCompliance(availability, counts), 0.99);
  });

  it('has no burn rate, error rate or compliance without events', () => {
    const none = { good: 0, total: 0 };

    assert.equal(sloBurnRate(availability, none, HOUR), undefined);
    assert.equal(errorRate(none), undefined);
    assert.equal(sloCompliance(availability, none), undefined);
  });

  it('compares spend with the budget pro rata for cost SLIs: 6 USD in 1 h of 300 USD / 30 d burns at 14.4', () => {
    // The hour's allowance is 300 / 720 USD; 6 USD is 14.4 times that.
    assertClose(sloBurnRate(cost, { good: 0, total: 6 }, HOUR), 14.4);
    assert.equal(sloBurnRate(cost, { good: 0, total: 0 }, HOUR), 0);
    assert.equal(sloCompliance(cost, { good: 0, total: 6 }), undefined);
  });
});

describe('errorBudget', () => {
  it('allows (1 - objective) of the window events to fail', () => {
    // 1,000,000 events at 99.9 % allow 1,000 bad ones; 400 were bad.
    const budget = errorBudget(availability, { good: 999_600, total: 1_000_000 });

    assertClose(budget.allowed, 1000);
    assert.equal(budget.spent, 400);
    assertClose(budget.consumed, 0.4);
    assertClose(budget.remaining, 0.6);
    assertClose(budget.compliance, 0.9996);
  });

  it('goes negative when overspent', () => {
    const budget = errorBudget(availability, { good: 997_000, total: 1_000_000 });

    assertClose(budget.consumed, 3);
    assertClose(budget.remaining, -2);
  });

  it('is untouched without events', () => {
    assert.deepEqual(errorBudget(availability, { good: 0, total: 0 }), {
      allowed: 0,
      spent: 0,
      consumed: 0,
      remaining: 1,
    });
  });

  it('is the money budget for cost SLIs', () => {
    assert.deepEqual(errorBudget(cost, { good: 0, total: 75 }), {
      allowed: 300,
      spent: 75,
      consumed: 0.25,
      remaining: 0.75,
    });
  });
});

describe('exhaustionForecast', () => {
  it('extrapolates the projection window burn rate over what remains', () => {
    // 60 % of a 30-day budget at burn rate 14.4 lasts 0.6 × 30 d / 14.4 = 1.25 days.
    const forecast = exhaustionForecast(availability, { remaining: 0.6 }, 14.4, AT);

    assert.deepEqual(forecast, { window: '1h', burnRate: 14.4, exhaustsAt: AT + 1.25 * DAY });
  });

  it('is exhausted now once nothing remains, and never while nothing burns', () => {
    assert.equal(exhaustionForecast(availability, { remaining: -0.5 }, 2, AT).exhaustsAt, AT);
    assert.deepEqual(exhaustionForecast(availability, { remaining: 0.5 }, 0, AT), {
      window: '1h',
      burnRate: 0,
    });
    assert.deepEqual(exhaustionForecast(availability, { remaining: 0.5 }, undefined, AT), { window: '1h' });
  });
});

describe('slaCredit', () => {
  // The seeds' enterprise tier: below 99.5 % credits 10 %, below 99 % credits 25 %.
  const table = [
    { compliance: 0.9999, creditPercent: 0 },
    { compliance: 0.995, creditPercent: 0 },
    { compliance: 0.9949, creditPercent: 10 },
    { compliance: 0.99, creditPercent: 10 },
    { compliance: 0.9899, creditPercent: 25 },
    { compliance: 0.5, creditPercent: 25 },
  ];
  for (const { compliance, creditPercent } of table) {
    it(`credits ${creditPercent} % at ${compliance * 100} %`, () => {
      assert.equal(slaCredit(compliance, ENTERPRISE_SLA_CREDITS).creditPercent, creditPercent);
    });
  }

  it('credits nothing without data', () => {
    assert.deepEqual(slaCredit(undefined, ENTERPRISE_SLA_CREDITS), { creditPercent: 0 });
  });
});
