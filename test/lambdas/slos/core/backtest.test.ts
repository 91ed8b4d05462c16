import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ValidationError } from '../../../../lambdas/shared/validation-error.js';
import { backtestOutputLines, ndjsonLines, runSloBacktest } from '../../../../lambdas/slos/core/backtest.js';
import { detectionTimeMs } from '../../../../lambdas/slos/core/burn-rate.js';
import { parseSlo, parseSlos } from '../../../../lambdas/slos/core/slo.js';

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;
const T0 = Date.UTC(2026, 2, 10, 12, 0, 0);
const PER_MINUTE = 1000;
const iso = (at: number) => new Date(at).toISOString();

const availability = parseSlo({
  name: 'fraud-availability',
  model: 'fraud',
  sli: { kind: 'availability' },
  objective: 0.999,
});

/** One bucket line per minute over [from, to), all bad while `bad(minute)` holds. */
function bucketLines(from: number, to: number, bad: (minute: number) => boolean): string[] {
  const lines = [];
  for (let minute = from; minute < to; minute += MINUTE) {
    lines.push(JSON.stringify({ time: iso(minute), good: bad(minute) ? 0 : PER_MINUTE, total: PER_MINUTE }));
  }
  return lines;
}

/** Three error-free days (the ticket's long window), 10 minutes of 100 % errors from T0, then 7 error-free hours. */
const outage = bucketLines(
  T0 - 3 * DAY,
  T0 + 7 * HOUR,
  (minute) => minute >= T0 && minute < T0 + 10 * MINUTE,
);

const transitionsOf = (result: ReturnType<typeof runSloBacktest>) =>
  result.transitions.map((transition) => [
    (Date.parse(transition.time) - T0) / MINUTE,
    `${transition.longWindow}/${transition.shortWindow}`,
    transition.severity,
    transition.state,
  ]);

describe('runSloBacktest', () => {
  it('pages a full outage at each pair’s detection time, rounded up to the 60 s step, and resolves with the short windows', () => {
    const result = runSloBacktest([availability], outage);

    // Workbook detection times for 100 % errors against 99.9 %: 51.84 s (1 h, 14.4), 129.6 s (6 h, 6) and
    // 259.2 s (3 d, 1); the first evaluation after each is at minute 1, 3 and 5. Short windows clear 5, 30
    // and 360 minutes after the errors stop at minute 10.
    const minuteAfter = (longWindowMs: number, burnRate: number) =>
      Math.ceil(detectionTimeMs(0.999, 1, longWindowMs, burnRate) / MINUTE);
    assert.deepEqual([minuteAfter(HOUR, 14.4), minuteAfter(6 * HOUR, 6), minuteAfter(3 * DAY, 1)], [1, 3, 5]);
    assert.deepEqual(transitionsOf(result), [
      [1, '1h/5m', 'critical', 'firing'],
      [3, '6h/30m', 'critical', 'firing'],
      [5, '3d/6h', 'warning', 'firing'],
      [15, '1h/5m', 'critical', 'resolved'],
      [40, '6h/30m', 'critical', 'resolved'],
      [370, '3d/6h', 'warning', 'resolved'],
    ]);
    // At minute 1 the hour holds one bad minute of 60 (burn 1/60 / 0.001 = 16.7), five minutes one of 5 (200).
    assert.ok(Math.abs(result.transitions[0]!.burnRate! - 1000 / 60) < 1e-6);
    assert.ok(Math.abs(result.transitions[0]!.shortBurnRate! - 200) < 1e-6);
    assert.deepEqual(result.errors, []);
  });

  it('summarises compliance, the budget at the end, and how long each alert fired', () => {
    const { summary } = runSloBacktest([availability], outage);

    const total = outage.length * PER_MINUTE;
    const [slo] = summary.slos;
    assert.deepEqual(
      [summary.lines, summary.accepted, summary.rejected, summary.step],
      [outage.length, outage.length, 0, '1m'],
    );
    assert.equal(slo!.total, total);
    assert.equal(slo!.good, total - 10 * PER_MINUTE);
    assert.ok(Math.abs(slo!.compliance! - (1 - 10_000 / total)) < 1e-12);
    // The 30-day window at the end holds all of it: 10,000 bad against 0.1 % of the total allowed.
    assert.ok(Math.abs(slo!.budgetConsumed - 10_000 / (0.001 * total)) < 1e-6);
    assert.deepEqual([slo!.from, slo!.to], [iso(T0 - 3 * DAY + MINUTE), iso(T0 + 7 * HOUR)]);
    assert.equal(slo!.evaluations, outage.length);
    assert.deepEqual([slo!.fired, slo!.firedBySeverity], [3, { critical: 2, warning: 1 }]);
    assert.deepEqual(
      slo!.alerts.map((alert) => [alert.longWindow, alert.fired, alert.firingMs / MINUTE, alert.firingAtEnd]),
      [
        ['1h', 1, 14, false],
        ['6h', 1, 37, false],
        ['3d', 1, 365, false],
      ],
    );
  });

  it('evaluates on the grid of a longer step: every pair pages at the first 5-minute evaluation', () => {
    const result = runSloBacktest([availability], outage, { stepMs: 5 * MINUTE });

    // 51.84 s, 129.6 s and 259.2 s all round up to 300 s; the resolutions fall on the 5-minute grid already.
    assert.deepEqual(transitionsOf(result), [
      [5, '1h/5m', 'critical', 'firing'],
      [5, '6h/30m', 'critical', 'firing'],
      [5, '3d/6h', 'warning', 'firing'],
      [15, '1h/5m', 'critical', 'resolved'],
      [40, '6h/30m', 'critical', 'resolved'],
      [370, '3d/6h', 'warning', 'resolved'],
    ]);
    assert.equal(result.summary.step, '5m');
  });

  it('pages a constant 100 % error rate from t0 without history at t0 + 60 s, and keeps firing to the end', () => {
    const lines = bucketLines(T0, T0 + 30 * MINUTE, () => true);

    const result = runSloBacktest([availability], lines);

    assert.deepEqual(transitionsOf(result), [
      [1, '1h/5m', 'critical', 'firing'],
      [1, '6h/30m', 'critical', 'firing'],
      [1, '3d/6h', 'warning', 'firing'],
    ]);
    const [slo] = result.summary.slos;
    assert.deepEqual(
      slo!.alerts.map((alert) => [alert.firingAtEnd, alert.firingMs / MINUTE]),
      [
        [true, 29],
        [true, 29],
        [true, 29],
      ],
    );
  });

  it('counts prediction events as the same buckets would count them', () => {
    // An hour of ok predictions, one a minute (two in the last minute), then three minutes of errors.
    const predictions = [];
    const buckets = [];
    for (let minute = 0; minute < 70; minute++) {
      const at = T0 + minute * MINUTE;
      const status = minute >= 60 && minute < 63 ? 'error' : 'ok';
      predictions.push(
        JSON.stringify({ model: 'fraud', timestamp: iso(at + 15_000), latencyMs: 20, status }),
        JSON.stringify({ model: 'churn', timestamp: at, latencyMs: 20, status: 'error' }),
      );
      buckets.push(JSON.stringify({ time: at, good: status === 'ok' ? 1 : 0, total: 1 }));
    }

    const fromPredictions = runSloBacktest([availability], predictions);
    const fromBuckets = runSloBacktest([availability], buckets);

    assert.ok(fromPredictions.transitions.length > 0);
    assert.deepEqual(fromPredictions.transitions, fromBuckets.transitions);
    assert.deepEqual(
      [fromPredictions.summary.slos[0]!.good, fromPredictions.summary.slos[0]!.total],
      [67, 70],
    );
  });

  it('joins labels to predictions by id for accuracy SLOs, in any order', () => {
    const accuracy = parseSlo({
      name: 'fraud-accuracy',
      model: 'fraud',
      sli: { kind: 'accuracy' },
      objective: 0.9,
    });
    const prediction = (id: string, predicted: string) =>
      JSON.stringify({
        id,
        model: 'fraud',
        timestamp: T0,
        latencyMs: 5,
        status: 'ok',
        prediction: predicted,
      });
    const lines = [
      JSON.stringify({ id: 'p1', actual: 'fraud', timestamp: T0 + HOUR }),
      prediction('p1', 'fraud'),
      prediction('p2', 'legit'),
      prediction('p3', 'fraud'),
      JSON.stringify({ id: 'p2', actual: 'fraud', model: 'fraud' }),
      JSON.stringify({ id: 'p3', actual: 'fraud' }),
    ];

    const { summary, errors } = runSloBacktest([accuracy], lines);

    assert.deepEqual(errors, []);
    assert.deepEqual([summary.slos[0]!.good, summary.slos[0]!.total], [2, 3]);
    // The first label counts at its own time, an hour after the predictions.
    assert.deepEqual(
      [summary.slos[0]!.from, summary.slos[0]!.to],
      [iso(T0 + MINUTE), iso(T0 + HOUR + MINUTE)],
    );
  });

  it('reports each line it cannot use with its number and what to fix, and keeps the others', () => {
    const slos = parseSlos([
      availability,
      { name: 'fraud-latency', model: 'fraud', sli: { kind: 'latency', thresholdMs: 100 }, objective: 0.99 },
    ]);
    const lines = [
      JSON.stringify({ time: iso(T0), good: 5, total: 5 }),
      '{ not json',
      JSON.stringify({ time: 'yesterday', good: 1, total: 1 }),
      JSON.stringify({ model: 'fraud', latencyMs: 5, status: 'ok' }),
      JSON.stringify({ time: iso(T0), good: 2, total: 1 }),
      '',
      JSON.stringify({ time: iso(T0), good: 1, total: 1, slo: 'nope' }),
      JSON.stringify({ id: 'missing', actual: 1 }),
      JSON.stringify({ model: 'fraud', timestamp: T0, latencyMs: 5, status: 'maybe' }),
      '[1, 2]',
      JSON.stringify({ time: iso(T0 + MINUTE), good: 3, total: 4, slo: 'fraud-latency' }),
    ];

    const { errors, summary } = runSloBacktest(slos, lines);

    assert.deepEqual(errors, [
      { line: 2, message: errors[0]!.message },
      { line: 3, message: 'bucket: time: expected an ISO-8601 time or epoch milliseconds, got "yesterday"' },
      {
        line: 4,
        message: 'prediction: timestamp: required in a backtest, as ISO-8601 or epoch milliseconds',
      },
      { line: 5, message: 'bucket: good: expected good at most total' },
      { line: 7, message: 'bucket: slo: "nope" is not among the SLOs (fraud-availability, fraud-latency)' },
      { line: 8, message: 'label: id: no prediction with id "missing" in the input' },
      { line: 9, message: 'prediction: status: must be "ok" or "error"' },
      {
        line: 10,
        message:
          'expected a JSON object: a prediction event, a bucket { time, good, total } or a label { id, actual }',
      },
    ]);
    assert.match(errors[0]!.message, /^not valid JSON \(.*\); expected one JSON object per line$/);
    assert.deepEqual([summary.lines, summary.accepted, summary.rejected], [11, 2, 8]);
    assert.deepEqual(
      summary.slos.map((slo) => [slo.slo, slo.good, slo.total]),
      [
        ['fraud-availability', 5, 5],
        ['fraud-latency', 8, 9],
      ],
    );
  });

  it('refuses a step that is not whole minutes', () => {
    assert.throws(() => runSloBacktest([availability], [], { stepMs: 30_000 }), ValidationError);
  });

  it('summarises an SLO without data as such', () => {
    const { summary, transitions } = runSloBacktest([availability], []);

    assert.deepEqual(transitions, []);
    assert.deepEqual(summary.slos[0], {
      slo: 'fraud-availability',
      sli: 'availability',
      objective: 0.999,
      evaluations: 0,
      good: 0,
      total: 0,
      budgetConsumed: 0,
      budgetRemaining: 1,
      fired: 0,
      firedBySeverity: {},
      alerts: [],
    });
  });
});

describe('backtestOutputLines', () => {
  it('writes one line per transition with the issue’s fields, then the summary line', () => {
    const result = runSloBacktest([availability], ndjsonLines(`${outage.join('\n')}\n`));

    const lines = backtestOutputLines(result).map((line) => JSON.parse(line));

    assert.equal(lines.length, 7);
    assert.deepEqual(Object.keys(lines[0]), [
      'time',
      'slo',
      'severity',
      'longWindow',
      'shortWindow',
      'burnRate',
      'shortBurnRate',
      'state',
    ]);
    assert.deepEqual(
      { ...lines[0], burnRate: undefined, shortBurnRate: undefined },
      {
        time: iso(T0 + MINUTE),
        slo: 'fraud-availability',
        severity: 'critical',
        longWindow: '1h',
        shortWindow: '5m',
        burnRate: undefined,
        shortBurnRate: undefined,
        state: 'firing',
      },
    );
    assert.deepEqual(Object.keys(lines[6]), ['summary']);
    assert.equal(lines[6].summary.slos[0].fired, 3);
  });
});
