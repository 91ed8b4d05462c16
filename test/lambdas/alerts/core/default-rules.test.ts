import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { alertLabelSet } from '../../../../lambdas/alerts/core/alert.js';
import {
  DEFAULT_RULE_IDS,
  defaultRuleName,
  rulesForModels,
} from '../../../../lambdas/alerts/core/default-rules.js';
import { alertFingerprint } from '../../../../lambdas/alerts/core/fingerprint.js';
import { DEFAULT_INHIBIT_RULES, findInhibitor } from '../../../../lambdas/alerts/core/inhibition.js';
import { type AlertRule, compare } from '../../../../lambdas/alerts/core/rule.js';
import { ruleAlerts } from '../../../../lambdas/alerts/core/rule-alert.js';
import { evaluateRule, type RuleState } from '../../../../lambdas/alerts/core/rule-evaluation.js';
import { ruleQueries, ruleSeries } from '../../../../lambdas/alerts/core/rule-query.js';
import { type Prediction, rollUpPredictions } from '../../../../lambdas/ingest/core/predictions.js';
import { aggregateRollups } from '../../../../lambdas/metrics/core/aggregate.js';
import type { MetricRollup } from '../../../../lambdas/metrics/core/rollup.js';

const MINUTE = 60_000;
const T0 = Date.UTC(2026, 2, 10, 12, 0, 0);

function byId(rules: readonly AlertRule[], model: string) {
  return Object.fromEntries(
    rules.filter((rule) => rule.model === model).map((rule) => [rule.name.slice(model.length + 1), rule]),
  );
}

describe('rulesForModels', () => {
  it('gives a bare model the error-rate and latency rules', () => {
    const rules = rulesForModels(['fraud']);

    assert.deepEqual(
      rules.map((rule) => rule.name),
      [
        'fraud/error-rate-warning',
        'fraud/error-rate-critical',
        'fraud/latency-p95-warning',
        'fraud/latency-p95-critical',
      ],
    );
  });

  it('mirrors the issue: error rate above 5 % for 2 minutes warns, above 10 % is critical', () => {
    const rules = byId(rulesForModels(['fraud']), 'fraud');

    for (const [id, threshold, severity] of [
      ['error-rate-warning', 0.05, 'warning'],
      ['error-rate-critical', 0.1, 'critical'],
    ] as const) {
      const rule = rules[id]!;
      assert.equal(rule.aggregation, 'ratio');
      assert.deepEqual(rule.aggregation === 'ratio' && rule.ratio, {
        numerator: { metric: 'errors', stat: 'sum' },
        denominator: { metric: 'predictions', stat: 'sum' },
      });
      assert.equal(rule.comparison, '>');
      assert.equal(rule.threshold, threshold);
      assert.equal(rule.for, '2m');
      assert.equal(rule.severity, severity);
      assert.equal(rule.alertName, 'ModelErrorRateHigh');
    }
  });

  it('adds throughput, accuracy and confidence rules for a model whose profile sets their targets', () => {
    const rules = byId(
      rulesForModels([
        {
          name: 'churn',
          expectedPredictionsPerMinute: 600,
          minPredictionsPerMinute: 100,
          accuracyTarget: 0.9,
          confidenceTarget: 0.6,
          latencyP95WarningMs: 200,
        },
      ]),
      'churn',
    );

    assert.deepEqual(Object.keys(rules), [...DEFAULT_RULE_IDS]);
    // Half the usual 600 a minute beats the 100 floor: 300 a minute is 5 a second, as `rate` counts.
    assert.equal(rules['throughput-low']!.threshold, 5);
    assert.equal(rules['throughput-low']!.comparison, '<');
    assert.equal(rules['accuracy-low']!.threshold, 0.9);
    assert.equal(rules['confidence-low']!.threshold, 0.6);
    assert.equal(rules['latency-p95-warning']!.threshold, 200);
    assert.equal(rules['latency-p95-critical']!.threshold, 2500);
  });

  it('uses the absolute floor when it is above the share of the usual traffic', () => {
    const rules = byId(
      rulesForModels([{ name: 'churn', expectedPredictionsPerMinute: 100, minPredictionsPerMinute: 120 }]),
      'churn',
    );

    assert.equal(rules['throughput-low']!.threshold, 2);
  });

  it('applies overrides by rule id: disabled, replaced fields, merged labels and annotations', () => {
    const rules = byId(
      rulesForModels(
        ['fraud', { name: 'churn', runbookUrl: 'https://runbooks.example.com/{{ $labels.alertname }}' }],
        {
          fraud: {
            'error-rate-critical': { disabled: true },
            'error-rate-warning': { threshold: 0.02, window: '10m', labels: { team: 'risk' } },
            'accuracy-low': { threshold: 0.95 },
          },
        },
      ),
      'fraud',
    );

    assert.equal(rules['error-rate-critical'], undefined);
    assert.equal(rules['error-rate-warning']!.threshold, 0.02);
    assert.equal(rules['error-rate-warning']!.window, '10m');
    assert.equal(rules['error-rate-warning']!.for, '2m');
    assert.deepEqual(rules['error-rate-warning']!.labels, { team: 'risk' });
    assert.match(
      rules['error-rate-warning']!.annotations.description ?? '',
      /More than 2% .* over the last 10m/,
    );
    assert.equal(rules['accuracy-low']!.threshold, 0.95);
    assert.equal(rules['error-rate-warning']!.annotations.runbookUrl, undefined);
  });

  it('adds the profile runbook to every rule of the model', () => {
    const rules = rulesForModels([{ name: 'churn', runbookUrl: 'https://runbooks.example.com/churn' }]);

    assert.ok(rules.every((rule) => rule.annotations.runbookUrl === 'https://runbooks.example.com/churn'));
  });

  const invalid: ReadonlyArray<readonly [string, () => unknown, RegExp]> = [
    ['a model listed twice', () => rulesForModels(['fraud', 'fraud']), /model "fraud" is listed twice/],
    [
      'an invalid profile',
      () => rulesForModels([{ name: 'fraud', accuracyTarget: 90 }]),
      /models\[0\]\.accuracyTarget: expected a fraction/,
    ],
    [
      'overrides of an unknown model',
      () => rulesForModels(['fraud'], { churn: {} }),
      /model "churn" is not monitored/,
    ],
    [
      'an unknown rule id',
      () => rulesForModels(['fraud'], { fraud: { 'error-rate': { threshold: 1 } } as never }),
      /unknown default rule "error-rate"; expected one of error-rate-warning/,
    ],
    [
      'a field that cannot be overridden',
      () => rulesForModels(['fraud'], { fraud: { 'latency-p95-warning': { metric: 'x' } as never } }),
      /"metric" cannot be overridden/,
    ],
    [
      'an invalid overridden value',
      () => rulesForModels(['fraud'], { fraud: { 'latency-p95-warning': { window: '90s' } } }),
      /alert rule "fraud\/latency-p95-warning": window: expected a whole number of minutes/,
    ],
  ];
  for (const [title, act, message] of invalid) {
    it(`refuses ${title}`, () => {
      assert.throws(act, message);
    });
  }

  it('names rules <model>/<id>', () => {
    assert.equal(defaultRuleName('fraud', 'throughput-low'), 'fraud/throughput-low');
  });
});

describe('default rules against example values', () => {
  const rules = byId(
    rulesForModels([
      { name: 'fraud', accuracyTarget: 0.9, confidenceTarget: 0.5, minPredictionsPerMinute: 60 },
    ]),
    'fraud',
  );
  const cases: ReadonlyArray<readonly [string, number, boolean]> = [
    ['error-rate-warning', 0.04, false],
    ['error-rate-warning', 0.07, true],
    ['error-rate-critical', 0.07, false],
    ['error-rate-critical', 0.12, true],
    ['latency-p95-warning', 900, false],
    ['latency-p95-warning', 1200, true],
    ['latency-p95-critical', 1200, false],
    ['latency-p95-critical', 3000, true],
    // 60 a minute is 1 a second.
    ['throughput-low', 1.5, false],
    ['throughput-low', 0.5, true],
    ['accuracy-low', 0.93, false],
    ['accuracy-low', 0.85, true],
    ['confidence-low', 0.7, false],
    ['confidence-low', 0.3, true],
  ];
  for (const [id, value, holds] of cases) {
    it(`${holds ? 'holds' : 'does not hold'} for ${id} at ${value}`, () => {
      const rule = rules[id]!;

      assert.equal(compare(value, rule.comparison, rule.threshold), holds);
    });
  }
});

describe('default error-rate rules over ingested predictions', () => {
  /** 100 predictions a minute for fraud from T0 to T0 + 10m, with `errorsPerMinute` failing. */
  function rollups(errorsPerMinute: number): MetricRollup[] {
    const predictions: Prediction[] = [];
    for (let minute = 0; minute < 10; minute++) {
      for (let index = 0; index < 100; index++) {
        predictions.push({
          model: 'fraud',
          timestamp: T0 + minute * MINUTE + index * 500,
          latencyMs: 100,
          status: index < errorsPerMinute ? 'error' : 'ok',
        });
      }
    }
    return rollUpPredictions(predictions).rollups();
  }

  /** Evaluates a rule once a minute from T0 + 5m (the first full window) and returns its alert states. */
  function evaluateEachMinute(rule: AlertRule, stored: readonly MetricRollup[]): string[] {
    let state: RuleState | undefined;
    const states: string[] = [];
    for (let minute = 5; minute <= 10; minute++) {
      const at = T0 + minute * MINUTE;
      const answers = ruleQueries(rule, at).map((query) => aggregateRollups(stored, query));
      state = evaluateRule(rule, ruleSeries(rule, answers), state, at).state;
      states.push(state.alerts[0]?.state ?? 'inactive');
    }
    return states;
  }

  it('warns 2 minutes after an error rate of 7 % begins, and never pages', () => {
    const stored = rollups(7);
    const rules = byId(rulesForModels(['fraud']), 'fraud');

    const warning = evaluateEachMinute(rules['error-rate-warning']!, stored);
    const critical = evaluateEachMinute(rules['error-rate-critical']!, stored);

    assert.deepEqual(warning, ['pending', 'pending', 'firing', 'firing', 'firing', 'firing']);
    assert.deepEqual(critical, Array(6).fill('inactive'));
  });

  it('fires both at 12 %, and the critical alert inhibits the warning of the same name and model', () => {
    const stored = rollups(12);
    const rules = byId(rulesForModels(['fraud']), 'fraud');
    const at = T0 + 10 * MINUTE;
    const alertsOf = (rule: AlertRule) => {
      let state: RuleState | undefined;
      for (let minute = 5; minute <= 10; minute++) {
        const evaluatedAt = T0 + minute * MINUTE;
        const answers = ruleQueries(rule, evaluatedAt).map((query) => aggregateRollups(stored, query));
        state = evaluateRule(rule, ruleSeries(rule, answers), state, evaluatedAt).state;
      }
      assert.equal(state!.evaluatedAt, at);
      return ruleAlerts(rule, state!);
    };

    const [warning] = alertsOf(rules['error-rate-warning']!);
    const [critical] = alertsOf(rules['error-rate-critical']!);
    const subject = (alert: typeof warning) => ({
      fingerprint: alertFingerprint(alert!),
      labels: alertLabelSet(alert!),
    });

    assert.equal(warning?.status, 'firing');
    assert.equal(critical?.status, 'firing');
    assert.equal(critical?.annotations.summary, 'Error rate of fraud is 12%');
    assert.equal(
      findInhibitor(subject(warning), [subject(critical)], DEFAULT_INHIBIT_RULES),
      subject(critical).fingerprint,
    );
  });
});
