import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseSlo } from '../../../../lambdas/slos/core/slo.js';
import type { SloAlertInstance, SloState } from '../../../../lambdas/slos/core/slo-evaluation.js';
import {
  buildSloReport,
  type SloReportInput,
  sloReportMarkdown,
  sloReportSubject,
  sloReportWindows,
} from '../../../../lambdas/slos/core/slo-report.js';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
// A Monday, 00:00 UTC: the report covers the week before.
const TO = Date.UTC(2026, 2, 16);

const availability = parseSlo({
  name: 'fraud-availability',
  model: 'fraud',
  sli: { kind: 'availability' },
  objective: 0.999,
  sla: {},
});
const latency = parseSlo({
  name: 'fraud-latency',
  model: 'fraud',
  modelVersion: 'v2',
  sli: { kind: 'latency', thresholdMs: 300 },
  objective: 0.99,
  window: '28d',
  sla: { credits: [{ below: 0.99, creditPercent: 5 }] },
});
const cost = parseSlo({ name: 'llm-cost', model: 'llm', sli: { kind: 'cost', budgetUsd: 300 } });

function alert(
  firedAt: number,
  resolvedAt: number | undefined,
  severity: 'critical' | 'warning',
): SloAlertInstance {
  return {
    longWindow: severity === 'critical' ? '1h' : '3d',
    shortWindow: severity === 'critical' ? '5m' : '6h',
    severity,
    action: severity === 'critical' ? 'page' : 'ticket',
    state: resolvedAt === undefined ? 'firing' : 'resolved',
    firedAt,
    ...(resolvedAt === undefined ? {} : { resolvedAt }),
    lastEvaluatedAt: TO - 1,
  };
}

const state: SloState = {
  slo: 'fraud-availability',
  version: 40,
  evaluatedAt: TO - 60_000,
  alerts: [
    alert(TO - 8 * DAY, TO - 8 * DAY + HOUR, 'critical'),
    alert(TO - 3 * DAY, TO - 3 * DAY + HOUR, 'critical'),
    alert(TO - 2 * DAY, undefined, 'warning'),
  ],
};

const inputs: SloReportInput[] = [
  // Week: 1,000,000 events, 600 bad; 30 days: 4,000,000 events, 3,000 bad (0.1 % of them allows 4,000).
  {
    slo: availability,
    week: { good: 999_400, total: 1_000_000 },
    window: { good: 3_997_000, total: 4_000_000 },
    state,
  },
  // Week: 2 % slow (burn 2, missed); 28 days: 1.2 % slow, under the 99 % SLA.
  { slo: latency, week: { good: 98_000, total: 100_000 }, window: { good: 395_200, total: 400_000 } },
  // Week: 90 USD against 70 USD pro rata (300 × 7 / 30); 30 days: 240 USD of 300.
  { slo: cost, week: { good: 0, total: 90 }, window: { good: 0, total: 240 } },
];

const close = (actual: number | undefined, expected: number) =>
  assert.ok(actual !== undefined && Math.abs(actual - expected) < 1e-9, `${actual} != ${expected}`);

describe('sloReportWindows', () => {
  it('reads the week and the SLO window, both ending at the report time', () => {
    assert.deepEqual(sloReportWindows(availability, TO + 30_000), {
      week: { from: TO - 7 * DAY, to: TO },
      window: { from: TO - 30 * DAY, to: TO },
    });
  });
});

describe('buildSloReport', () => {
  const report = buildSloReport(inputs, TO);
  const [availabilityEntry, latencyEntry, costEntry] = report.slos;

  it('covers the week before the report time', () => {
    assert.deepEqual([report.from, report.to], ['2026-03-09T00:00:00.000Z', '2026-03-16T00:00:00.000Z']);
  });

  it('reports compliance over the week and the window, and the share of the window budget each spent', () => {
    close(availabilityEntry!.week.compliance, 0.9994);
    assert.equal(availabilityEntry!.week.met, true);
    // 600 bad of the 4,000 the window allows.
    close(availabilityEntry!.week.budgetConsumed, 0.15);
    close(availabilityEntry!.windowToDate.compliance, 0.99925);
    close(availabilityEntry!.windowToDate.budgetConsumed, 0.75);
    close(availabilityEntry!.windowToDate.budgetRemaining, 0.25);
    assert.equal(availabilityEntry!.windowToDate.met, true);
    assert.equal(latencyEntry!.week.met, false);
  });

  it('lists the alerts fired during the week only', () => {
    assert.deepEqual(availabilityEntry!.alerts, {
      fired: 2,
      bySeverity: { critical: 1, warning: 1 },
      list: [
        {
          longWindow: '1h',
          shortWindow: '5m',
          severity: 'critical',
          firedAt: new Date(TO - 3 * DAY).toISOString(),
          resolvedAt: new Date(TO - 3 * DAY + HOUR).toISOString(),
        },
        {
          longWindow: '3d',
          shortWindow: '6h',
          severity: 'warning',
          firedAt: new Date(TO - 2 * DAY).toISOString(),
        },
      ],
    });
  });

  it('owes SLA credits from the window compliance and the breach thresholds', () => {
    // 99.925 % is above 99.5 %: nothing owed.
    assert.deepEqual(availabilityEntry!.sla, { compliance: 0.99925, creditPercent: 0 });
    // 98.8 % is below the 99 % threshold: 5 %.
    assert.deepEqual(latencyEntry!.sla, { compliance: 0.988, creditPercent: 5, breachedBelow: 0.99 });
    assert.equal(costEntry!.sla, undefined);
    assert.equal(report.totals.slaBreaches, 1);
  });

  it('reports a cost SLO in money', () => {
    assert.equal(costEntry!.budgetUsd, 300);
    assert.equal(costEntry!.week.total, 90);
    // 90 of 300 USD; the week may spend 70.
    close(costEntry!.week.budgetConsumed, 0.3);
    assert.equal(costEntry!.week.met, false);
    close(costEntry!.windowToDate.budgetRemaining, 0.2);
    assert.equal(costEntry!.windowToDate.compliance, undefined);
  });

  it('totals what met and missed the week', () => {
    assert.deepEqual(report.totals, {
      slos: 3,
      metThisWeek: 1,
      missedThisWeek: 2,
      alertsFired: 2,
      slaBreaches: 1,
    });
  });

  it('enters the SLA credit with the enterprise defaults: 10 % below 99.5 %, 25 % below 99 %', () => {
    const breached = buildSloReport([{ ...inputs[0]!, window: { good: 3_970_000, total: 4_000_000 } }], TO)
      .slos[0]!;

    // 99.25 % is below 99.5 % but not below 99 %.
    assert.deepEqual(breached.sla, { compliance: 0.9925, creditPercent: 10, breachedBelow: 0.995 });
  });
});

describe('sloReportMarkdown', () => {
  it('tabulates each SLO and lists the week’s alerts', () => {
    const markdown = sloReportMarkdown(buildSloReport(inputs, TO));

    assert.match(markdown, /^# SLO report 2026-03-09 to 2026-03-16\n/);
    assert.match(
      markdown,
      /3 SLOs: 1 met the week's objective, 2 missed it; 2 burn-rate alerts fired; 1 SLA credits owed\./,
    );
    assert.ok(
      markdown.includes(
        '| fraud-availability | availability | fraud | 99.900 % / 30d | 99.940 % (met) | 99.925 % (met) | 25.0 % | 2 (1 critical, 1 warning) | 0 % |',
      ),
    );
    assert.ok(
      markdown.includes(
        '| fraud-latency | latency | fraud v2 | 99.000 % / 28d | 98.000 % (missed) | 98.800 % (missed) |',
      ),
    );
    assert.ok(
      markdown.includes(
        '| llm-cost | cost | llm | 300.00 USD / 30d | 90.00 USD (missed) | 240.00 USD (met) | 20.0 % | 0 | no SLA |',
      ),
    );
    assert.ok(
      markdown.includes('- warning: burn rate over 3d and 6h, fired 2026-03-14T00:00:00.000Z, still firing'),
    );
  });
});

describe('sloReportSubject', () => {
  const cases = [
    {
      name: 'names the Sunday that ends a report of Monday 00:00 UTC',
      to: '2026-03-16T00:00:00.000Z',
      expected: 'Vigil prod SLO report, week ending 2026-03-15',
    },
    {
      name: 'names the day of a report that ends during it',
      to: '2026-03-18T14:37:00.000Z',
      expected: 'Vigil prod SLO report, week ending 2026-03-18',
    },
  ];
  for (const { name, to, expected } of cases) {
    it(name, () => {
      assert.equal(sloReportSubject({ to }, 'prod'), expected);
    });
  }
});
