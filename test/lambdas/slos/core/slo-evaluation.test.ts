import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { detectionTimeMs } from '../../../../lambdas/slos/core/burn-rate.js';
import type { SliWindowCounts } from '../../../../lambdas/slos/core/error-budget.js';
import {
  BucketSliCounts,
  readWindowCounts,
  sloCountWindows,
} from '../../../../lambdas/slos/core/sli-windows.js';
import { parseSlo, type Slo, type SloInput } from '../../../../lambdas/slos/core/slo.js';
import {
  evaluateSlo,
  formatWindow,
  MAX_SLO_ALERT_HISTORY,
  SLO_ALERT_LAPSE_MS,
  type SloAlertInstance,
  type SloAlertTransition,
  type SloState,
  sloStatus,
} from '../../../../lambdas/slos/core/slo-evaluation.js';

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;
const T0 = Date.UTC(2026, 2, 10, 12, 0, 0);
const PER_MINUTE = 1000;

const availabilityInput = {
  name: 'fraud-availability',
  model: 'fraud',
  sli: { kind: 'availability' },
  objective: 0.999,
  alerting: { labels: { team: 'risk' } },
} as const satisfies SloInput;
const availability = parseSlo(availabilityInput);

/** Steady traffic of PER_MINUTE predictions a minute from `from` to `to`, bad at the error rate `errorRateAt` gives. */
function traffic(from: number, to: number, errorRateAt: (minute: number) => number): BucketSliCounts {
  const buckets = [];
  for (let minute = from; minute < to; minute += MINUTE) {
    const bad = Math.round(PER_MINUTE * errorRateAt(minute));
    buckets.push({ minute, good: PER_MINUTE - bad, total: PER_MINUTE });
  }
  return new BucketSliCounts(buckets);
}

/** Evaluates every minute over (from, to]; the transitions, as minutes after T0. */
function evaluateEveryMinute(slo: Slo, source: BucketSliCounts, from: number, to: number) {
  let state: SloState | undefined;
  const transitions: SloAlertTransition[] = [];
  for (let at = from; at <= to; at += MINUTE) {
    const evaluation = evaluateSlo(slo, readWindowCounts(slo, source, at), state, at);
    state = evaluation.state;
    transitions.push(...evaluation.transitions);
  }
  const seen = transitions.map((transition) => ({
    minute: (transition.at - T0) / MINUTE,
    pair: `${transition.longWindow}/${transition.shortWindow}`,
    state: transition.state,
  }));
  return { seen, state: state!, transitions };
}

/** Counts per window for an evaluation at `at`: those given by window (`1h`), the rest `others`. */
function windowCounts(
  slo: Slo,
  at: number,
  given: Readonly<Record<string, SliWindowCounts>>,
  others: SliWindowCounts = { good: 1_000_000, total: 1_000_000 },
) {
  return new Map(
    sloCountWindows(slo, at).map(({ windowMs }) => [windowMs, given[formatWindow(windowMs)] ?? others]),
  );
}

/** A state in which the 1h/5m page fires since `firedAt`. */
function firingState(firedAt: number, evaluatedAt: number): SloState {
  return {
    slo: availability.name,
    version: 3,
    evaluatedAt,
    alerts: [
      {
        longWindow: '1h',
        shortWindow: '5m',
        severity: 'critical',
        action: 'page',
        state: 'firing',
        firedAt,
        burnRate: 20,
        shortBurnRate: 30,
        lastEvaluatedAt: evaluatedAt,
      },
    ],
  };
}

describe('evaluateSlo: detection and reset as the Workbook computes them', () => {
  it('pages for a full outage at the first evaluation after each window pair’s detection time', () => {
    // Three error-free days (the ticket's long window), then 10 minutes of 100 % errors, then error-free.
    const source = traffic(T0 - 3 * DAY, T0 + 7 * HOUR, (minute) =>
      minute >= T0 && minute < T0 + 10 * MINUTE ? 1 : 0,
    );

    const { seen } = evaluateEveryMinute(availability, source, T0, T0 + 7 * HOUR);

    // Detection time = 0.1 % / 100 % × long window × burn rate: 51.84 s, 129.6 s, 259.2 s; evaluations run
    // every minute, so each fires at the next whole minute.
    const detectedAt = (longWindowMs: number, burnRate: number) =>
      Math.ceil(detectionTimeMs(0.999, 1, longWindowMs, burnRate) / MINUTE);
    assert.deepEqual([detectedAt(HOUR, 14.4), detectedAt(6 * HOUR, 6), detectedAt(3 * DAY, 1)], [1, 3, 5]);
    // Each resolves when its short window no longer holds an error minute: 5, 30 and 360 minutes after the
    // errors stopped at minute 10, while every long window still holds them.
    assert.deepEqual(seen, [
      { minute: 1, pair: '1h/5m', state: 'firing' },
      { minute: 3, pair: '6h/30m', state: 'firing' },
      { minute: 5, pair: '3d/6h', state: 'firing' },
      { minute: 15, pair: '1h/5m', state: 'resolved' },
      { minute: 40, pair: '6h/30m', state: 'resolved' },
      { minute: 370, pair: '3d/6h', state: 'resolved' },
    ]);
  });

  it('pages for 10 % errors after 518.4 s, at the ninth minute', () => {
    const source = traffic(T0 - 3 * DAY, T0 + HOUR, (minute) => (minute >= T0 ? 0.1 : 0));

    const { seen } = evaluateEveryMinute(availability, source, T0, T0 + 20 * MINUTE);

    // 0.001 / 0.1 × 3600 s × 14.4 = 518.4 s; the 1 h window at minute 8 holds 0.8 % errors (burn 13.3), at
    // minute 9 0.9 % (burn 15). The 6 h pair needs 0.001 / 0.1 × 6 h × 6 = 21.6 minutes.
    assert.equal(Math.ceil(detectionTimeMs(0.999, 0.1, HOUR, 14.4) / MINUTE), 9);
    assert.deepEqual(seen, [{ minute: 9, pair: '1h/5m', state: 'firing' }]);
  });

  it('never pages for an error rate at the 1 h alert rate', () => {
    // 1.44 % is exactly 14.4 × 0.1 %; the alert needs more.
    const source = traffic(T0 - 3 * DAY, T0 + 2 * HOUR, (minute) => (minute >= T0 ? 0.0144 : 0));

    const { seen } = evaluateEveryMinute(availability, source, T0, T0 + 2 * HOUR);

    assert.deepEqual(
      seen.filter((transition) => transition.pair === '1h/5m'),
      [],
    );
  });
});

describe('evaluateSlo: the window pair rule', () => {
  const at = T0;
  // 1h/5m page fires above 14.4: 2 % errors burn at 20, 1 % at 10.
  const fast = { good: 980, total: 1000 };
  const slow = { good: 990, total: 1000 };

  const table: ReadonlyArray<{ title: string; given: Record<string, SliWindowCounts>; firing: boolean }> = [
    {
      title: 'fires when both windows burn faster than the rate',
      given: { '1h': fast, '5m': fast },
      firing: true,
    },
    {
      title: 'waits while only the long window does (the problem has stopped)',
      given: { '1h': fast, '5m': slow },
      firing: false,
    },
    {
      title: 'waits while only the short window does (a blip)',
      given: { '1h': slow, '5m': fast },
      firing: false,
    },
    {
      title: 'waits without data in the short window',
      given: { '1h': fast, '5m': { good: 0, total: 0 } },
      firing: false,
    },
  ];
  for (const { title, given, firing } of table) {
    it(title, () => {
      const evaluation = evaluateSlo(availability, windowCounts(availability, at, given), undefined, at);

      const page = evaluation.status.alerts.find((alert) => alert.longWindow === '1h')!;
      assert.equal(page.firing, firing);
      assert.equal(evaluation.transitions.length, firing ? 1 : 0);
    });
  }

  it('keeps firing while the short window burns fast, even when the long window dips under the rate', () => {
    const previous = firingState(T0 - 10 * MINUTE, T0 - MINUTE);

    const evaluation = evaluateSlo(
      availability,
      windowCounts(availability, at, { '1h': slow, '5m': fast }),
      previous,
      at,
    );

    assert.deepEqual(evaluation.transitions, []);
    const [alert] = evaluation.state.alerts;
    assert.deepEqual(
      [alert!.state, alert!.firedAt, alert!.lastEvaluatedAt],
      ['firing', T0 - 10 * MINUTE, at],
    );
    // 1 % and 2 % errors against a 0.1 % budget.
    assert.ok(Math.abs(alert!.burnRate! - 10) < 1e-9 && Math.abs(alert!.shortBurnRate! - 20) < 1e-9);
  });

  it('resolves when the short window clears, while the long window still burns fast', () => {
    const previous = firingState(T0 - 10 * MINUTE, T0 - MINUTE);

    const evaluation = evaluateSlo(
      availability,
      windowCounts(availability, at, { '1h': fast, '5m': slow }),
      previous,
      at,
    );

    assert.deepEqual(
      evaluation.transitions.map((transition) => [transition.longWindow, transition.state, transition.at]),
      [['1h', 'resolved', at]],
    );
    assert.equal(evaluation.state.alerts[0]!.resolvedAt, at);
    assert.equal(evaluation.state.alerts[0]!.firedAt, T0 - 10 * MINUTE);
  });

  it('resolves when traffic stops (no data is no burn)', () => {
    const previous = firingState(T0 - 10 * MINUTE, T0 - MINUTE);

    const evaluation = evaluateSlo(
      availability,
      windowCounts(availability, at, { '1h': fast, '5m': { good: 0, total: 0 } }),
      previous,
      at,
    );

    assert.equal(evaluation.state.alerts[0]!.state, 'resolved');
    assert.equal(evaluation.state.alerts[0]!.shortBurnRate, undefined);
  });

  it('resolves the alert of a pair no longer configured', () => {
    const previous = firingState(T0 - 10 * MINUTE, T0 - MINUTE);
    const quiet = parseSlo({ ...availabilityInput, alerting: { enabled: false } });

    const evaluation = evaluateSlo(quiet, windowCounts(quiet, at, {}), previous, at);

    assert.deepEqual(
      evaluation.transitions.map((transition) => [transition.longWindow, transition.state]),
      [['1h', 'resolved']],
    );
  });

  it('fires a new alert when a resolved pair burns fast again', () => {
    const previous = firingState(T0 - 30 * MINUTE, T0 - 20 * MINUTE);
    const resolved: SloState = {
      ...previous,
      alerts: [{ ...previous.alerts[0]!, state: 'resolved', resolvedAt: T0 - 20 * MINUTE }],
    };

    const evaluation = evaluateSlo(
      availability,
      windowCounts(availability, at, { '1h': fast, '5m': fast }),
      resolved,
      at,
    );

    assert.deepEqual(
      evaluation.state.alerts.map((alert) => [alert.state, alert.firedAt]),
      [
        ['resolved', T0 - 30 * MINUTE],
        ['firing', at],
      ],
    );
  });
});

describe('evaluateSlo: state', () => {
  it('grows the version by one, stores plain JSON, and skips a time it has already evaluated', () => {
    const counts = windowCounts(availability, T0, {
      '1h': { good: 0, total: 10 },
      '5m': { good: 0, total: 10 },
    });

    const first = evaluateSlo(availability, counts, undefined, T0);
    const second = evaluateSlo(availability, counts, first.state, T0 + 5 * MINUTE);
    const replay = evaluateSlo(availability, counts, second.state, T0 + 5 * MINUTE);

    assert.deepEqual([first.state.version, second.state.version], [1, 2]);
    assert.deepEqual(JSON.parse(JSON.stringify(second.state)), second.state);
    assert.equal(replay.skipped, true);
    assert.equal(replay.state, second.state);
    assert.deepEqual([replay.transitions, replay.alerts], [[], []]);
  });

  it('keeps resolved alerts 8 days, and at most 100 alerts', () => {
    const resolvedAt = (daysAgo: number): SloAlertInstance => ({
      longWindow: '1h',
      shortWindow: '5m',
      severity: 'critical',
      action: 'page',
      state: 'resolved',
      firedAt: T0 - daysAgo * DAY - HOUR,
      resolvedAt: T0 - daysAgo * DAY,
      lastEvaluatedAt: T0 - daysAgo * DAY,
    });
    const old = { slo: availability.name, version: 1, evaluatedAt: T0 - MINUTE };
    const quiet = windowCounts(availability, T0, {});

    const aged = evaluateSlo(availability, quiet, { ...old, alerts: [resolvedAt(9), resolvedAt(7)] }, T0);
    const many = Array.from({ length: 150 }, (_, index) => resolvedAt(index / 100));
    const capped = evaluateSlo(availability, quiet, { ...old, alerts: many }, T0);

    assert.deepEqual(
      aged.state.alerts.map((alert) => alert.resolvedAt),
      [T0 - 7 * DAY],
    );
    assert.equal(capped.state.alerts.length, MAX_SLO_ALERT_HISTORY);
    // The oldest go first: the newest 100 resolved 0 to 0.99 days ago.
    assert.equal(Math.max(...capped.state.alerts.map((alert) => T0 - alert.resolvedAt!)), 0.99 * DAY);
  });
});

describe('evaluateSlo: alerts for the pipeline', () => {
  const burning = { '1h': { good: 980, total: 1000 }, '5m': { good: 950, total: 1000 } };

  it('sends a firing alert with the SLO labels, its severity and windows, lapsing four evaluations ahead', () => {
    const evaluation = evaluateSlo(availability, windowCounts(availability, T0, burning), undefined, T0);

    assert.equal(evaluation.alerts.length, 1);
    const [alert] = evaluation.alerts;
    assert.deepEqual(
      { ...alert!, annotations: undefined },
      {
        name: 'SLOBurnRateHigh',
        labels: {
          team: 'risk',
          slo: 'fraud-availability',
          sli: 'availability',
          model: 'fraud',
          severity: 'critical',
          longWindow: '1h',
          shortWindow: '5m',
        },
        annotations: undefined,
        source: 'slo',
        status: 'firing',
        startsAt: T0,
        endsAt: T0 + SLO_ALERT_LAPSE_MS,
      },
    );
    assert.equal(SLO_ALERT_LAPSE_MS, 20 * MINUTE);
    assert.equal(
      alert!.annotations.summary,
      'SLO fraud-availability is burning its error budget at 20x over 1h',
    );
    assert.match(
      alert!.annotations.description!,
      /burn rate 20x over 1h and 50x over 5m, faster than 14\.4x/i,
    );
    assert.match(alert!.annotations.description!, /the rate that spends 2 % of the budget in 1h/);
  });

  it('sends a resolution for 15 minutes after it resolved, then no more', () => {
    const fired = evaluateSlo(availability, windowCounts(availability, T0, burning), undefined, T0);
    const quiet = { '1h': { good: 980, total: 1000 }, '5m': { good: 1000, total: 1000 } };
    const resolved = evaluateSlo(
      availability,
      windowCounts(availability, T0 + 5 * MINUTE, quiet),
      fired.state,
      T0 + 5 * MINUTE,
    );
    const later = evaluateSlo(
      availability,
      windowCounts(availability, T0 + 20 * MINUTE, quiet),
      resolved.state,
      T0 + 20 * MINUTE,
    );
    const past = evaluateSlo(
      availability,
      windowCounts(availability, T0 + 25 * MINUTE, quiet),
      later.state,
      T0 + 25 * MINUTE,
    );

    assert.deepEqual(
      resolved.alerts.map((alert) => [alert.status, alert.startsAt, alert.endsAt]),
      [['resolved', T0, T0 + 5 * MINUTE]],
    );
    assert.equal(later.alerts.length, 1);
    assert.deepEqual(past.alerts, []);
    assert.equal(past.state.alerts.length, 1);
  });

  it('renders configured annotation templates and leaves the model label out for every model together', () => {
    const slo = parseSlo({
      ...availabilityInput,
      model: '*',
      alerting: {
        name: 'PlatformAvailability',
        annotations: {
          summary: '{{ $labels.slo }} at {{ $value | humanize }}x',
          runbookUrl: 'https://runbooks.example.com/{{ $labels.slo }}',
        },
      },
    });

    const [alert] = evaluateSlo(slo, windowCounts(slo, T0, burning), undefined, T0).alerts;

    assert.equal(alert!.name, 'PlatformAvailability');
    assert.equal(alert!.labels.model, undefined);
    assert.equal(alert!.annotations.summary, 'fraud-availability at 20x');
    assert.equal(alert!.annotations.runbook_url, 'https://runbooks.example.com/fraud-availability');
  });

  it('pages for a cost SLO spending its month in two days', () => {
    const cost = parseSlo({ name: 'llm-cost', model: 'llm', sli: { kind: 'cost', budgetUsd: 720 } });
    // 720 USD / 30 d allows 1 USD an hour; 15 USD in the last hour and 1.5 USD in the last 5 minutes burn
    // at 15 and 18.
    const counts = windowCounts(
      cost,
      T0,
      { '1h': { good: 0, total: 15 }, '5m': { good: 0, total: 1.5 } },
      { good: 0, total: 0 },
    );

    const evaluation = evaluateSlo(cost, counts, undefined, T0);

    assert.deepEqual(
      evaluation.transitions.map((transition) => [transition.longWindow, transition.severity]),
      [['1h', 'critical']],
    );
    assert.equal(evaluation.transitions[0]!.burnRate, 15);
    assert.equal(evaluation.transitions[0]!.shortBurnRate, 18);
    assert.match(evaluation.alerts[0]!.annotations.summary!, /burning its spend budget at 15x/);
  });
});

describe('sloStatus', () => {
  it('reports compliance, budget, forecast and every window’s burn rate', () => {
    // 30 days: 1,000,000 events, 400 bad (40 % of the budget); last hour: 2 % errors (burn 20).
    const counts = windowCounts(availability, T0, {
      '30d': { good: 999_600, total: 1_000_000 },
      '1h': { good: 980, total: 1000 },
      '5m': { good: 100, total: 100 },
    });

    const status = sloStatus(availability, counts, T0 + 30_000);

    assert.equal(status.windowEnd, T0);
    assert.equal(status.budget.compliance, 0.9996);
    assert.ok(Math.abs(status.budget.remaining - 0.6) < 1e-9);
    // 0.6 × 30 days / 20 = 0.9 days.
    assert.ok(Math.abs(status.forecast.exhaustsAt! - (T0 + 30_000 + 0.9 * DAY)) < 1);
    assert.deepEqual(
      status.burnRates.map((entry) => entry.window),
      ['30d', '3d', '6h', '1h', '30m', '5m'],
    );
    assert.deepEqual(
      status.alerts.map((alert) => [alert.longWindow, alert.firing]),
      [
        ['1h', false],
        ['6h', false],
        ['3d', false],
      ],
    );
  });

  it('refuses counts that miss a window', () => {
    assert.throws(() => sloStatus(availability, new Map(), T0), /no counts for the 30d window/);
  });
});
