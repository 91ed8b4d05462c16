import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { sloCountWindows } from '../../../../lambdas/slos/core/sli-windows.js';
import { parseSlo } from '../../../../lambdas/slos/core/slo.js';
import { evaluateSlo, formatWindow } from '../../../../lambdas/slos/core/slo-evaluation.js';
import { sloView } from '../../../../lambdas/slos/core/slo-views.js';

const DAY = 86_400_000;
const T0 = Date.UTC(2026, 2, 10, 12, 0, 0);

describe('sloView', () => {
  it('answers the SLI, the budget consumed and remaining, burn rates per window and the forecast, in ISO time', () => {
    const slo = parseSlo({
      name: 'fraud-availability',
      description: 'Fraud scoring answers',
      model: 'fraud',
      sli: { kind: 'availability' },
      objective: 0.999,
    });
    // 30 days: 1,000,000 events, 500 bad (half the budget); the last hour and 5 minutes: 2 % errors (burn 20).
    const given: Record<string, { good: number; total: number }> = {
      '30d': { good: 999_500, total: 1_000_000 },
      '1h': { good: 980, total: 1000 },
      '5m': { good: 98, total: 100 },
    };
    const counts = new Map(
      sloCountWindows(slo, T0).map(({ windowMs }) => [
        windowMs,
        given[formatWindow(windowMs)] ?? { good: 10, total: 10 },
      ]),
    );
    const { status } = evaluateSlo(slo, counts, undefined, T0);

    const view = JSON.parse(JSON.stringify(sloView(slo, status)));

    assert.equal(view.name, 'fraud-availability');
    assert.deepEqual(view.sli, { kind: 'availability' });
    assert.equal(view.evaluatedAt, '2026-03-10T12:00:00.000Z');
    assert.equal(view.compliance, 0.9995);
    assert.deepEqual([view.errorBudget.spent, Math.round(view.errorBudget.consumed * 1e9) / 1e9], [500, 0.5]);
    // Half the budget at burn rate 20 lasts 0.5 × 30 days / 20 = 0.75 days.
    assert.equal(view.forecast.window, '1h');
    assert.ok(Math.abs(Date.parse(view.forecast.exhaustsAt) - (T0 + 0.75 * DAY)) <= 1);
    assert.deepEqual(
      view.burnRates.map((entry: { window: string }) => entry.window),
      ['30d', '3d', '6h', '1h', '30m', '5m'],
    );
    assert.deepEqual(view.alerts[0], {
      longWindow: '1h',
      shortWindow: '5m',
      severity: 'critical',
      burnRateThreshold: view.alerts[0].burnRateThreshold,
      longBurnRate: view.alerts[0].longBurnRate,
      shortBurnRate: view.alerts[0].shortBurnRate,
      firing: true,
      firingSince: '2026-03-10T12:00:00.000Z',
    });
    assert.equal(view.alerts[1].firingSince, undefined);
  });
});
