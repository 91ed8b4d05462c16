import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { type AlertRule, type AlertRuleInput, parseAlertRule } from '../../../../lambdas/alerts/core/rule.js';
import {
  type AlertTransition,
  type EvaluationOptions,
  evaluateRule,
  type RuleState,
} from '../../../../lambdas/alerts/core/rule-evaluation.js';

const MINUTE = 60_000;
const T0 = Date.UTC(2026, 2, 10, 12, 0, 0);
const HIGH = 0.1;
const LOW = 0.01;
/** The label set is absent from the answer (as opposed to present without a value). */
const ABSENT = null;

function errorRateRule(overrides: Partial<AlertRuleInput> = {}): AlertRule {
  return parseAlertRule({
    name: 'error-rate',
    aggregation: 'avg',
    metric: 'error_ratio',
    model: 'fraud',
    window: '5m',
    comparison: '>',
    threshold: 0.05,
    for: '2m',
    severity: 'warning',
    ...overrides,
  });
}

/** Evaluates the rule once a minute from T0 with these values for model fraud; the state after each. */
function run(rule: AlertRule, values: ReadonlyArray<number | undefined | null>, options?: EvaluationOptions) {
  let state: RuleState | undefined;
  const states: string[] = [];
  const transitions: AlertTransition[] = [];
  values.forEach((value, minute) => {
    const series = value === ABSENT ? [] : [{ labels: { model: 'fraud' }, value }];
    const evaluation = evaluateRule(rule, series, state, T0 + minute * MINUTE, options);
    state = evaluation.state;
    transitions.push(...evaluation.transitions);
    states.push(state.alerts.find((alert) => alert.labels.model === 'fraud')?.state ?? 'inactive');
  });
  return { states, state: state!, transitions };
}

describe('evaluateRule state machine', () => {
  const cases: ReadonlyArray<{
    title: string;
    rule?: Partial<AlertRuleInput>;
    values: ReadonlyArray<number | undefined | null>;
    states: readonly string[];
    options?: EvaluationOptions;
  }> = [
    {
      title: 'goes pending, then firing only once `for` has passed since activeAt',
      values: [HIGH, HIGH, HIGH, HIGH],
      states: ['pending', 'pending', 'firing', 'firing'],
    },
    {
      title: 'fires at the first evaluation with for: 0s',
      rule: { for: '0s' },
      values: [HIGH],
      states: ['firing'],
    },
    {
      title: 'stays inactive while the condition does not hold',
      values: [LOW, LOW, 0.05],
      states: ['inactive', 'inactive', 'inactive'],
    },
    {
      title: 'drops a pending alert whose condition stops holding, and restarts its clock after',
      values: [HIGH, HIGH, LOW, HIGH, HIGH, HIGH],
      states: ['pending', 'pending', 'inactive', 'pending', 'pending', 'firing'],
    },
    {
      title: 'never fires a condition that flips at every evaluation when `for` is longer than the interval',
      values: [HIGH, LOW, HIGH, LOW, HIGH, LOW, HIGH, LOW, HIGH, LOW],
      states: Array.from({ length: 10 }, (_, minute) => (minute % 2 === 0 ? 'pending' : 'inactive')),
    },
    {
      title: 'never fires a flipping condition even when `for` equals the interval',
      rule: { for: '1m' },
      values: [HIGH, LOW, HIGH, LOW],
      states: ['pending', 'inactive', 'pending', 'inactive'],
    },
    {
      title: 'resolves a firing alert when its condition stops holding, and drops it after the retention',
      rule: { for: '0s' },
      options: { resolvedRetentionMs: 2 * MINUTE },
      values: [HIGH, LOW, LOW, LOW, LOW],
      // Resolved at minute 1; kept while at most 2 minutes have passed (Prometheus drops after, strictly).
      states: ['firing', 'resolved', 'resolved', 'resolved', 'inactive'],
    },
    {
      title: 'makes a resolved alert that holds again pending, with `for` to wait again',
      values: [HIGH, HIGH, HIGH, LOW, HIGH, HIGH, HIGH],
      states: ['pending', 'pending', 'firing', 'resolved', 'pending', 'pending', 'firing'],
    },
    {
      title: 'keeps firing for keepFiringFor after the condition stops holding',
      rule: { for: '0s', keepFiringFor: '2m' },
      values: [HIGH, LOW, LOW, LOW],
      // Not holding since minute 1: 0 and 1 minute are under 2m; at 2 minutes it resolves.
      states: ['firing', 'firing', 'firing', 'resolved'],
    },
    {
      title: 'restarts the keepFiringFor clock when the condition holds again',
      rule: { for: '0s', keepFiringFor: '2m' },
      values: [HIGH, LOW, HIGH, LOW, LOW, LOW],
      states: ['firing', 'firing', 'firing', 'firing', 'firing', 'resolved'],
    },
    {
      title: 'treats no data as not holding by default (noData: ok)',
      rule: { for: '0s' },
      values: [HIGH, undefined, HIGH, ABSENT],
      // The resolved alert that holds again at minute 2 is a new alert, firing at once with for: 0s.
      states: ['firing', 'resolved', 'firing', 'resolved'],
    },
    {
      title: 'treats no data as holding with noData: alerting',
      rule: { noData: 'alerting' },
      values: [undefined, ABSENT, undefined, LOW],
      states: ['pending', 'pending', 'firing', 'resolved'],
    },
    {
      title: 'keeps the last condition through no data with noData: keep-last',
      rule: { noData: 'keep-last' },
      values: [HIGH, undefined, ABSENT, ABSENT, LOW, ABSENT],
      states: ['pending', 'pending', 'firing', 'firing', 'resolved', 'resolved'],
    },
    {
      title: 'does not start an alert from no data with noData: keep-last',
      rule: { noData: 'keep-last' },
      values: [undefined, ABSENT],
      states: ['inactive', 'inactive'],
    },
    {
      title: 'treats a non-finite value as no data',
      rule: { for: '0s' },
      values: [HIGH, Number.NaN],
      states: ['firing', 'resolved'],
    },
    {
      title: 'compares with a below-threshold rule',
      rule: { comparison: '<', threshold: 0.05, for: '0s' },
      values: [HIGH, LOW],
      states: ['inactive', 'firing'],
    },
  ];
  for (const { title, rule, values, states, options } of cases) {
    it(title, () => {
      const outcome = run(errorRateRule(rule), values, options);

      assert.deepEqual(outcome.states, states);
    });
  }
});

describe('evaluateRule details', () => {
  it('remembers activeAt and the time it fired, and reports each change once', () => {
    const { state, transitions } = run(errorRateRule(), [HIGH, HIGH, HIGH, HIGH, LOW]);

    assert.deepEqual(
      transitions.map(({ from, to, at }) => [from, to, (at - T0) / MINUTE]),
      [
        ['inactive', 'pending', 0],
        ['pending', 'firing', 2],
        ['firing', 'resolved', 4],
      ],
    );
    assert.deepEqual(state.alerts, [
      {
        labels: { model: 'fraud' },
        state: 'resolved',
        activeAt: T0,
        firedAt: T0 + 2 * MINUTE,
        resolvedAt: T0 + 4 * MINUTE,
        value: LOW,
        lastEvaluatedAt: T0 + 4 * MINUTE,
      },
    ]);
  });

  it('keeps plain data with a version that grows at every evaluation', () => {
    const { state } = run(errorRateRule({ noData: 'alerting' }), [HIGH, undefined, HIGH]);

    assert.equal(state.version, 3);
    assert.equal(state.rule, 'error-rate');
    assert.equal(state.evaluatedAt, T0 + 2 * MINUTE);
    assert.deepEqual(JSON.parse(JSON.stringify(state)), state);
    assert.ok(state.alerts.every((alert) => Object.values(alert).every((value) => value !== undefined)));
  });

  it('changes nothing when evaluated again at or before the last evaluation', () => {
    const { state } = run(errorRateRule(), [HIGH, HIGH]);

    const again = evaluateRule(
      errorRateRule(),
      [{ labels: { model: 'fraud' }, value: LOW }],
      state,
      state.evaluatedAt,
    );

    assert.equal(again.skipped, true);
    assert.equal(again.state, state);
    assert.deepEqual(again.transitions, []);
  });

  it('evaluates each label set apart', () => {
    const rule = errorRateRule({ model: '*', for: '0s' });
    const series = [
      { labels: { model: 'fraud' }, value: HIGH },
      { labels: { model: 'churn' }, value: LOW },
      { labels: { model: 'search' }, value: HIGH },
    ];

    const { state } = evaluateRule(rule, series, undefined, T0);

    assert.deepEqual(
      state.alerts.map((alert) => [alert.labels.model, alert.state]),
      [
        ['fraud', 'firing'],
        ['search', 'firing'],
      ],
    );
  });

  it('winds down the alert of a model the rule no longer selects, whatever its no-data policy', () => {
    const firing = evaluateRule(
      errorRateRule({ model: 'old', for: '0s' }),
      [{ labels: { model: 'old' }, value: HIGH }],
      undefined,
      T0,
    );
    const narrowed = errorRateRule({ model: 'fraud', for: '0s', noData: 'alerting' });

    const { state, transitions } = evaluateRule(narrowed, [], firing.state, T0 + MINUTE);

    assert.deepEqual(
      state.alerts.map((alert) => [alert.labels.model, alert.state]),
      [['old', 'resolved']],
    );
    assert.deepEqual(
      transitions.map(({ labels, from, to }) => [labels.model, from, to]),
      [['old', 'firing', 'resolved']],
    );
  });
});
